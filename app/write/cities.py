"""Onboarding a Flemish municipality by its NIS code, from the real boundaries
bundled in geodata/areas/vlaanderen_wijken.gpkg (Statbel / Provincies in
Cijfers, 2024: 319 gemeenten, 1,150 deelgemeenten, 2,730 wijken, EPSG:31370).

- add: the municipality with its gemeente, deelgemeente and wijk areas, in the
  caller's transaction (all or nothing). Idempotent: areas that exist (by
  code) are left as they are, so running it again changes nothing.
- refresh: the same, but existing areas get the bundled name and shape; the
  report says which changed. Areas keep their id and code, so everything
  keyed on them (indicator values, wijk pages, fiches placed in them) stays.
- remove: refused while the city has fiches, unless forced; forced, the rows
  that go are first written to a JSON backup file.

Names in the bundled file carry their municipality ("Noorderwijk
(Herentals)", "Herentals (Dg.)"); they are stored without it, as the cities
write them.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyogrio
import shapely
from sqlalchemy import delete, func, inspect, select
from sqlalchemy.orm import Session

from .. import ROOT
from ..models import Area, CitySettings, CitySettingsRevision, Fiche, IndicatorValue, Municipality, Plan
from ..spatial import from_db, to_db
from . import stored_records
from .imports.areas import slugify

FLANDERS_GPKG = ROOT / "geodata" / "areas" / "vlaanderen_wijken.gpkg"
SOURCE = "Bron: Statbel, Provincies in Cijfers (gebiedsniveaus, 2024)"
# GeoPackage layer -> area level, in the order they are written.
LAYERS = {"gemeenten": "gemeente", "deelgemeenten": "deelgemeente", "wijken": "wijk"}
# A refreshed shape that moved less than this (metres, Hausdorff) is unchanged.
SAME_SHAPE_M = 0.01
# Area codes are unique over all levels, but in the bundled file 7 wijken carry
# the code of their gemeente or deelgemeente (a wijk that is the whole
# deelgemeente, e.g. Ottenburg 24045, 71022B-H): such a wijk gets this suffix.
WIJK_SUFFIX = "-W"


class CityError(ValueError):
    """A request that cannot be carried out; the message is for the user (Dutch)."""


@dataclass
class CityReport:
    nis_code: str
    name: str
    slug: str
    created: bool = False
    added: dict[str, int] = field(default_factory=dict)      # level -> areas added
    changed: list[str] = field(default_factory=list)         # codes of areas whose name or shape changed
    unchanged: int = 0

    def summary(self) -> str:
        added = ", ".join(f"{n} {level}" for level, n in self.added.items() if n) or "geen nieuwe gebieden"
        state = "toegevoegd" if self.created else "bestond al"
        text = f"{self.name} ({self.nis_code}, /{self.slug}): {state}; {added}"
        if self.changed:
            text += f"; {len(self.changed)} gebied(en) bijgewerkt: {', '.join(self.changed[:10])}"
            text += " ..." if len(self.changed) > 10 else ""
        return text + f"; {self.unchanged} ongewijzigd."


def bundled_nis_codes(gpkg: Path = FLANDERS_GPKG) -> list[str]:
    """Every municipality of the bundled file, by NIS code."""
    frame = pyogrio.read_dataframe(gpkg, layer="gemeenten", columns=["code"], read_geometry=False)
    return sorted(frame["code"].astype(str))


def _bundled_areas(nis: str, gpkg: Path) -> dict[str, list[tuple[str, str, shapely.Geometry]]]:
    """{level: [(code, name, MultiPolygon in EPSG:31370)]} of one municipality.
    Deelgemeenten and wijken belong to the gemeente that holds them (a point
    on their surface), not to the NIS code their own code starts with: the
    bundled gemeenten are those of 2024, while some deelgemeente and wijk codes
    still carry the code of a municipality that merged before (e.g. 12030
    Puurs in 12041 Puurs-Sint-Amands)."""
    gemeente = pyogrio.read_dataframe(gpkg, layer="gemeenten", where=f"code = '{nis}'")  # nis: 5 digits (checked)
    out: dict[str, list] = {level: [] for level in LAYERS.values()}
    if gemeente.empty:
        return out
    if gemeente.crs is None or gemeente.crs.to_epsg() != 31370:
        raise CityError(f"{gpkg.name}: de gemeentegrenzen zijn niet in EPSG:31370.")
    outline = gemeente.geometry.iloc[0]
    shapely.prepare(outline)
    taken: set[str] = set()
    for layer, level in LAYERS.items():
        frame = gemeente if level == "gemeente" else pyogrio.read_dataframe(gpkg, layer=layer, bbox=outline.bounds)
        inside = shapely.contains(outline, shapely.point_on_surface(frame.geometry.values))
        for code, name, geom in zip(frame["code"][inside], frame["naam"][inside], frame.geometry.values[inside]):
            code = str(code) + WIJK_SUFFIX if level == "wijk" and str(code) in taken else str(code)
            taken.add(code)
            out[level].append((code, str(name), shapely.MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom))
    return out


def clean_name(name: str, municipality: str) -> str:
    """'Noorderwijk (Herentals)' -> 'Noorderwijk'; 'Herentals (Dg.)' -> 'Herentals'."""
    return re.sub(rf"\s*\((?:Dg\.|{re.escape(municipality)})\)\s*$", "", name).strip() or name


def add_city(session: Session, nis: str, *, slug: str | None = None, refresh: bool = False,
             gpkg: Path = FLANDERS_GPKG) -> CityReport:
    """Create (or refresh) one municipality and its areas. Raises CityError."""
    nis = (nis or "").strip()
    if not re.fullmatch(r"\d{5}", nis):
        raise CityError(f"'{nis}' is geen NIS-code: een gemeente heeft vijf cijfers (bv. 13011 voor Herentals).")
    bundled = _bundled_areas(nis, gpkg)
    if not bundled["gemeente"]:
        raise CityError(f"NIS-code {nis} staat niet in de gemeentegrenzen van Vlaanderen ({gpkg.name}).")
    name = bundled["gemeente"][0][1]
    municipality = session.scalar(select(Municipality).where(Municipality.nis_code == nis))
    created = municipality is None
    if created:
        slug = slugify(slug or name)
        if not slug:
            raise CityError("Geef een korte naam voor de adresbalk (--slug), bv. 'herentals'.")
        if session.scalar(select(Municipality.id).where(Municipality.slug == slug)) is not None:
            raise CityError(f"De korte naam '{slug}' is al in gebruik; kies een andere met --slug.")
        municipality = Municipality(nis_code=nis, name=name, slug=slug)
        session.add(municipality)
        session.flush()
    report = CityReport(nis, municipality.name, municipality.slug, created=created)
    codes = [code for areas in bundled.values() for code, _, _ in areas]
    existing = {a.code: a for a in session.scalars(select(Area).where(Area.code.in_(codes)))}
    for level, areas in bundled.items():
        report.added[level] = 0
        for code, raw_name, geom in areas:
            area_name = clean_name(raw_name, name)
            area = existing.get(code)
            if area is None:
                session.add(Area(municipality=municipality, level=level, code=code, name=area_name, source=SOURCE,
                                 geom=to_db(geom)))
                report.added[level] += 1
            elif area.municipality_id != municipality.id:
                raise CityError(f"Gebied {code} hoort al bij een andere gemeente; er werd niets gewijzigd.")
            elif refresh and (area.name != area_name or area.level != level
                              or shapely.hausdorff_distance(from_db(area.geom), geom) > SAME_SHAPE_M):
                area.name, area.level, area.source, area.geom = area_name, level, SOURCE, to_db(geom)
                report.changed.append(code)
            else:
                report.unchanged += 1
    session.flush()
    return report


def list_cities(session: Session) -> list[dict]:
    """Every municipality with its number of wijken, fiches and published fiches, by name."""
    wijken = (select(func.count()).where(Area.municipality_id == Municipality.id, Area.level == "wijk")
              .correlate(Municipality).scalar_subquery())
    fiches = select(func.count()).where(Fiche.municipality_id == Municipality.id).correlate(Municipality)
    published = fiches.where(Fiche.published.is_(True))
    rows = session.execute(select(Municipality.nis_code, Municipality.slug, Municipality.name, wijken,
                                  fiches.scalar_subquery(), published.scalar_subquery())
                           .order_by(Municipality.name))
    return [dict(zip(("nis_code", "slug", "naam", "wijken", "fiches", "gepubliceerd"), r)) for r in rows]


def remove_city(session: Session, nis: str, *, force: bool = False, backup_dir: Path | None = None) -> Path | None:
    """Delete a municipality with its areas, plans and (forced) fiches. Returns
    the backup file written when forced, else None. Raises CityError."""
    municipality = session.scalar(select(Municipality).where(Municipality.nis_code == (nis or "").strip()))
    if municipality is None:
        raise CityError(f"Geen gemeente met NIS-code {nis}.")
    fiche_count = session.scalar(select(func.count()).where(Fiche.municipality_id == municipality.id))
    if fiche_count and not force:
        raise CityError(f"{municipality.name} heeft {fiche_count} fiche(s); verwijderen kan alleen met --force "
                        "(er wordt dan eerst een reservekopie gemaakt).")
    backup = None
    if fiche_count:
        backup = _write_backup(session, municipality, backup_dir or ROOT / "instance" / "backups")
    # The foreign keys cascade (ON DELETE CASCADE, enforced on both databases):
    # fiches with their children, areas with their indicator values, plans, roles.
    session.execute(delete(Municipality).where(Municipality.id == municipality.id),
                    execution_options=stored_records.removing_city(session, municipality.id))
    session.expunge(municipality)
    return backup


def _write_backup(session: Session, municipality: Municipality, folder: Path) -> Path:
    """Every row that removing the municipality deletes, as JSON (geometry as WKT, EPSG:31370)."""
    fiche_ids = select(Fiche.id).where(Fiche.municipality_id == municipality.id)
    area_ids = select(Area.id).where(Area.municipality_id == municipality.id)
    tables: dict[str, list] = {"municipalities": [municipality],
              "plans": list(session.scalars(select(Plan).where(Plan.municipality_id == municipality.id))),
              "areas": list(session.scalars(select(Area).where(Area.id.in_(area_ids)))),
              "indicator_values": list(session.scalars(select(IndicatorValue)
                                                       .where(IndicatorValue.area_id.in_(area_ids)))),
              "fiches": list(session.scalars(select(Fiche).where(Fiche.id.in_(fiche_ids)))),
              "city_settings": list(session.scalars(select(CitySettings)
                                                    .where(CitySettings.municipality_id == municipality.id))),
              "city_settings_revisions": list(session.scalars(
                  select(CitySettingsRevision).where(CitySettingsRevision.municipality_id == municipality.id)))}
    for fiche in tables["fiches"]:
        for relation in ("sdg_links", "phases", "budget_lines", "progress_reports", "dependencies"):
            tables.setdefault(relation, []).extend(getattr(fiche, relation))
    document = {"gemeente": municipality.name, "nis_code": municipality.nis_code,
                "gemaakt": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "tabellen": {name: [_row(obj) for obj in rows] for name, rows in tables.items()}}
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"gemeente-{municipality.nis_code}-{municipality.slug}-{stamp}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


def _row(obj) -> dict:
    out = {}
    for column in inspect(obj).mapper.column_attrs:
        value = getattr(obj, column.key)
        if column.key == "geom" and value is not None:
            value = from_db(value).wkt
        elif isinstance(value, bytes):  # a city's logo
            value = base64.b64encode(value).decode("ascii")
        out[column.key] = value
    return out
