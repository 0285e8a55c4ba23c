"""The Dutch glossary page (/woordenlijst) and the template filters that make
public pages readable: `glossary` (first use of a term links to its entry),
`public_text` (no internal notes), `fk_amount` (illustrative amounts rounded)."""
from __future__ import annotations

from flask import Blueprint, render_template

from layers.public_text import without_internal_notes
from layers.styles import format_eur_shown

from ..glossary import load_terms, mark_first_use
from ..http.page_cache import cached_page

bp = Blueprint("glossary", __name__)


def fk_amount(value, illustrative: bool = False, decimals: int = 0) -> str:
    """An amount as a public page shows it: '± 6,5 miljoen €' when illustrative,
    '6.461.074 €' when real (no-break space before the euro sign)."""
    # No-break spaces keep "±" and "€" beside their number in narrow table columns.
    return format_eur_shown(value, bool(illustrative), decimals).replace(" €", "\u00a0€").replace("± ", "±\u00a0")


bp.add_app_template_filter(mark_first_use, "glossary")
bp.add_app_template_filter(without_internal_notes, "public_text")
bp.add_app_template_filter(fk_amount, "fk_amount")


@bp.get("/woordenlijst")
@cached_page
def page():
    return render_template("glossary/page.html", terms=load_terms())
