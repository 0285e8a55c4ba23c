"""Tooltip and popup HTML, built from escaped values only.

Input: one GeoJSON feature's properties (raw, unescaped text as the city typed
it). Output: an HTML string in which every value went through
markupsafe.escape. Leaflet puts these strings into innerHTML as they are, and
folium's Popup/GeoJsonTooltip do not escape either, so this module is the one
place where feature text becomes HTML.
"""
from __future__ import annotations

import datetime as dt
import re

from markupsafe import escape

from . import styles
from .public_text import without_internal_notes

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli",
          "augustus", "september", "oktober", "november", "december")

_SAFE_URL = re.compile(r"^(/(?![/\\])|https?://)", re.IGNORECASE)


def esc(value) -> str:
    """Escaped text; None becomes ''."""
    return str(escape("" if value is None else value))


def safe_href(url) -> str | None:
    """The escaped URL when it is a site path ('/...') or http(s); else None.

    Drops javascript:, data:, protocol-relative '//host' and anything else a
    link should never carry, whatever the data says.
    """
    if not isinstance(url, str) or not _SAFE_URL.match(url.strip()):
        return None
    return esc(url.strip())


def format_date(value) -> str:
    """'2026-03-01' -> '1 maart 2026'; unparsable input is shown escaped as is."""
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return esc(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _rows(rows: list[tuple[str, str]]) -> str:
    """A definition list; labels are our own Dutch text, values already escaped."""
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<dl class="fk-popup-rows">{items}</dl>'


def _link(url, text: str) -> str:
    href = safe_href(url)
    return f'<p class="fk-popup-link"><a href="{href}">{text}</a></p>' if href else ""


def fiche_identifier(props: dict) -> str:
    """The number the plan itself uses ("Fiche 14"); a code only when there is
    no number (Halle's "V1.1"). Internal references (HER-VT-14) stay off the map."""
    if props.get("number"):
        return f"Fiche {esc(props['number'])}"
    return esc(props.get("code"))


# A note in brackets about how a place was drawn ("ligging bij benadering, niet
# nagekeken; met de hand geplaatst") is for staff; the popup says
# "Indicatieve ligging" instead.


def budget_text(amount, illustrative: bool) -> str:
    if amount is None:
        return "niet gekend"
    text = styles.format_eur_shown(amount, illustrative)
    return f"{text} (illustratief)" if illustrative else text


def fiche_tooltip(props: dict) -> str:
    return esc(props.get("title"))


def fiche_popup(props: dict) -> str:
    ident = fiche_identifier(props)
    head = f'<p class="fk-popup-ref">{ident}</p>' if ident else ""
    rows = [
        ("Sector", esc(props.get("sector")) or styles.NO_SECTOR_LABEL),
        ("Status", esc(styles.status_label(props.get("status")))),
        ("Totaal budget", budget_text(props.get("budget_total_eur"), bool(props.get("budget_illustrative")))),
        ("Jaren", styles.format_years(props.get("year_start"), props.get("year_end"))),
    ]
    if props.get("progress_pct") is not None:
        rows.append(("Voortgang", f"{int(props['progress_pct'])}%"))
    if props.get("obligation") in styles.OBLIGATION_LABELS:
        rows.append(("Soort", styles.OBLIGATION_LABELS[props["obligation"]]))
    badge = ' <span class="fk-badge">Prioritair</span>' if props.get("priority") else ""
    place = esc(without_internal_notes(props.get("location_description")))
    if props.get("geometry_precision") == "indicatief":
        # "Indicatieve ligging: Nederrij 99 (indicatieve ligging, ...)" would say it twice.
        said = place and "indicatie" in place.lower()
        note = f"Ligging: {place}" if said else "Indicatieve ligging" + (f": {place}" if place else "")
        place_html = f'<p class="fk-popup-note">{note}</p>'
    else:
        place_html = f'<p class="fk-popup-note">Ligging: {place}</p>' if place else ""
    return (
        f'<div class="fk-popup">{head}'
        f'<p class="fk-popup-title"><strong>{esc(props.get("title"))}</strong>{badge}</p>'
        f"{_rows(rows)}{place_html}{_link(props.get('url'), 'Bekijk de fiche')}</div>"
    )


def phase_tooltip(props: dict) -> str:
    kind = esc(styles.phase_kind_label(props.get("phase_kind")))
    return f"{esc(props.get('fiche_title'))}: {kind}"


def phase_popup(props: dict) -> str:
    rows = [
        ("Fase", esc(styles.phase_kind_label(props.get("phase_kind")))),
        ("Van", format_date(props.get("start"))),
        ("Tot", format_date(props.get("end"))),
        ("Status", esc(styles.status_label(props.get("status")))),
    ]
    note = '<p class="fk-popup-note">Illustratieve planning</p>' if props.get("illustrative") else ""
    # The number the document uses ("Fiche 14", "V1.5"), never the internal ref.
    ident = fiche_identifier({"number": props.get("fiche_number"), "code": props.get("fiche_code")})
    head = f'<p class="fk-popup-ref">{ident}</p>' if ident else ""
    return (
        f'<div class="fk-popup">{head}'
        f'<p class="fk-popup-title"><strong>{esc(props.get("fiche_title"))}</strong></p>'
        f'<p>{esc(props.get("title"))}</p>'
        f"{_rows(rows)}{note}{_link(props.get('url'), 'Bekijk de fiche')}</div>"
    )


def budget_tooltip(props: dict) -> str:
    amount = budget_text(props.get("budget_total_eur"), bool(props.get("budget_illustrative")))
    return f"{esc(props.get('title'))}<br>{amount}"


def area_tooltip(props: dict) -> str:
    return esc(props.get("name") or props.get("code"))


def value_tooltip(name, value_text: str, extra: str = "") -> str:
    """'<strong>Wijk</strong><br>12,5%' for classed maps (all three escaped)."""
    tail = f"<br>{esc(extra)}" if extra else ""
    return f"<strong>{esc(name)}</strong><br>{esc(value_text)}{tail}"
