"""The public page of one fiche, and the same page as the staff preview of a
draft (render_fiche_page(fiche, preview=True)).

What a citizen sees is decided here once: only published fiches, and of the
fiches around it (parents, children, linked fiches) only the published ones,
in the preview too, so staff see exactly the public page.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, abort, g, redirect, render_template, url_for
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from layers import styles

from ..db import get_session
from ..http.page_cache import cached_page
from ..models import Area, Fiche
from ..read.apportion import line_shares
from ..read.changes import budget_trail, load_public_revisions, public_events
from ..read.city_settings import city_profile
from ..read.followed import Followed
from ..read.pages import published_dependents
from ..read.queries import find_municipality, get_fiche
from ..read.rows import AreaRow, FicheRow, load_area_rows, load_fiche_row
from ..read.wijk_budgets import wijk_index_of
from ..static_map import fiche_print_map
from . import page_maps
from .alerts import follow_url
from .feeds import feed_url
from .page_parts import (
    BASIS_LABELS,
    BUDGET_KIND_LABELS,
    DIRECTION_LABELS,
    KIND_LABELS,
    PHASE_STATUS_LABELS,
    PRECISION_TEXTS,
    SDG_NAMES,
    budget_chart,
    budget_table,
    phase_timeline,
    register_filters,
)

bp = Blueprint("fiche", __name__)
register_filters(bp)


@bp.get("/<slug>/fiches/<int:fiche_id>")
@cached_page
def page(slug: str, fiche_id: int):
    """A published fiche of the city `slug`. 404 for unknown ids and drafts;
    a fiche asked under another city's slug redirects to its own city."""
    session = get_session()
    city = find_municipality(session, slug)
    fiche = get_fiche(session, fiche_id)
    if city is None or fiche is None:
        abort(404)
    if fiche.municipality_id != city.id:
        return redirect(url_for("fiche.page", slug=fiche.municipality.slug, fiche_id=fiche.id), 301)
    g.city_profile = city_profile(session, city)  # the city's settings: footer, accent, logo, basemap
    return render_fiche_page(fiche)


@dataclass
class WijkShare:
    area: AreaRow
    share: float
    budget_share: float | None = None   # of the expenses, when lines on a phase's own place make it differ


def render_fiche_page(fiche: Fiche, *, preview: bool = False, working: bool = False) -> str:
    """The fiche page (templates/fiche/page.html). preview=True adds the
    "Voorbeeld — niet gepubliceerd" banner and staff links; the content is the
    same as the public page would show. working=True: the fiche carries its
    working version (app/write/editing/working.py), and the banner says so."""
    session = get_session()
    city = fiche.municipality
    row = load_fiche_row(session, fiche.id)  # the read model: what every map draws
    wijken = wijk_shares(session, row)
    table = budget_table(fiche.budget_lines)
    history = load_public_revisions(session, [fiche.id]) if fiche.published else []
    followed = Followed(city, "fiche", str(fiche.id))
    return render_template(
        "fiche/page.html",
        city=city, fiche=fiche, preview=preview, working_preview=working,
        ancestors=published_ancestors(fiche),
        children=[c for c in fiche.children if c.published],
        depends_on=[d.depends_on for d in fiche.dependencies if d.depends_on is not None and d.depends_on.published],
        partners=[d.partner for d in fiche.dependencies if d.partner],
        dependents=published_dependents(session, fiche),
        wijken=wijken,
        geometry_text=geometry_text(row.geom),
        budget=table,
        budget_chart=budget_chart(table, f"Middelen per jaar: {fiche.title}") if not table.empty else None,
        budget_lines=fiche.budget_lines,
        timeline=phase_timeline(fiche.phases),
        flags=illustrative_flags(fiche),
        map_parts=page_maps.fiche_map(row, [w.area for w in wijken], year=dt.date.today().year),
        print_map=fiche_print_map(row.geom, fiche.geometry_precision,
                                  [(w.area.name, w.area.geom) for w in wijken], fiche.title),
        labels={"kind": KIND_LABELS, "budget_kind": BUDGET_KIND_LABELS, "direction": DIRECTION_LABELS,
                "basis": BASIS_LABELS, "phase_status": PHASE_STATUS_LABELS, "precision": PRECISION_TEXTS,
                "sdg": SDG_NAMES, "status": styles.STATUS_LABELS, "obligation": styles.OBLIGATION_LABELS},
        phase_kind_label=styles.phase_kind_label,
        changes=list(reversed(public_events(history))),
        trail=budget_trail(history),
        feed_url=feed_url(followed) if fiche.published else None,
        follow_url=follow_url(followed) if fiche.published else None,
    )


def published_ancestors(fiche: Fiche) -> list[Fiche]:
    """Parents from the top of the tree down; the chain stops at a draft
    (a citizen may not learn a draft's title from a breadcrumb)."""
    chain, node, seen = [], fiche.parent, {fiche.id}
    while node is not None and node.id not in seen:
        seen.add(node.id)
        chain.append(node)
        node = node.parent
    chain.reverse()
    while chain and not all(n.published for n in chain):
        chain.pop(0)
    return chain


def wijk_shares(session: Session, fiche: FicheRow) -> list[WijkShare]:
    """The wijken the fiche's place lies in, with the share that goes to each
    (the rule the budget per wijk uses, app.read.apportion), largest first."""
    if fiche.geom is None:
        return []
    areas = load_area_rows(session, Area.municipality_id == fiche.municipality.id, Area.level == "wijk")
    index = wijk_index_of(areas)
    shares = index.shares(fiche.geom)
    by_code = {a.code: a for a in areas}
    budget = expense_shares(index, fiche)
    return sorted((WijkShare(by_code[c], s, budget.get(c, 0.0) if budget is not None else None)
                   for c, s in shares.items()), key=lambda w: (-w.share, w.area.code))


def expense_shares(index, fiche: FicheRow) -> dict[str, float] | None:
    """The share of the fiche's expenses each wijk gets when some budget line
    names a phase with a place of its own (app.read.apportion.place_of_line);
    None when every line follows the fiche's place (the shares are the same)."""
    lines = [ln for ln in fiche.budget_lines if ln.direction == "uitgave"]
    total = sum(ln.amount_eur for ln in lines)
    if not total or all(ln.phase_position is None for ln in lines):
        return None
    out: dict[str, float] = {}
    for line, shares in zip(lines, line_shares(index, fiche, lines)):
        for code, share in shares.items():
            out[code] = out.get(code, 0.0) + line.amount_eur * share / total
    return out


def geometry_text(geom: BaseGeometry | None) -> str | None:
    """'Lijn van 1,2 km', 'Vlak van 2,5 ha', '3 punten' (measured in the storage CRS, metres)."""
    if geom is None or geom.is_empty:
        return None
    family = geom.geom_type.removeprefix("Multi")
    parts = len(getattr(geom, "geoms", [geom]))
    if family == "Point":
        return "Punt" if parts == 1 else f"{parts} punten"
    if family == "LineString":
        length = geom.length
        size = f"{styles.format_number(length / 1000, 1)} km" if length >= 1000 else f"{styles.format_number(length)} m"
        return f"Lijn van {size}" if parts == 1 else f"{parts} lijnen, samen {size}"
    area = geom.area
    size = f"{styles.format_number(area / 10000, 1)} ha" if area >= 10000 else f"{styles.format_number(area)} m²"
    return f"Vlak van {size}" if parts == 1 else f"{parts} vlakken, samen {size}"


def illustrative_flags(fiche: Fiche) -> list[str]:
    """Every part of the fiche that is an example rather than a fact, in words."""
    flags = []
    if fiche.geom is not None and fiche.geometry_precision == "indicatief":
        flags.append("De ligging op de kaart is indicatief: met de hand geplaatst, ongeveer waar en hoe groot.")
    if fiche.sdgs and fiche.sdgs_illustrative:
        flags.append("De SDG's zijn illustratief: ter illustratie toegekend, niet door de stad.")
    illustrative_phases = [p for p in fiche.phases if p.illustrative]
    if illustrative_phases:
        flags.append(f"{len(illustrative_phases)} van de {len(fiche.phases)} fasen zijn een illustratieve "
                     "planning, geen beslist tijdschema.")
    illustrative_lines = [b for b in fiche.budget_lines if b.basis == "illustratief"]
    if illustrative_lines:
        flags.append(f"{len(illustrative_lines)} van de {len(fiche.budget_lines)} bedragen zijn illustratief "
                     "(basis 'illustratief'): voorbeeldbedragen, geen begroting.")
    return flags
