"""Content first (issue 10, items 6 and 8), on both databases: the list's
order and the share link, fiche pages without empty-field walls, no internal
refs or staff notes on public pages, the plain-language field, the glossary,
rounded illustrative amounts and the print map."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from city_helpers import list_ids
from layers_fixtures import HOSTILE_TITLE, visible
from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import db, fiche_by_ref, fill, form_values, login, page_form

INTERNAL_REF = re.compile(r"\b(HER|HAL)-[A-Z0-9]")
EMPTY_WALLS = ("niet opgegeven", "Niet ingevuld", "niet gekend", "geen opgegeven", "niet beschreven")


def get(client, path: str, **args):
    response = client.get(path + ("?" + urlencode(args) if args else ""))
    assert response.status_code == 200, (path, args, response.status_code)
    return response.get_data(as_text=True)


def by_id(app, ids):
    from app.models import Fiche

    with db(app) as session:
        fiches = {f.id: f for f in session.scalars(select(Fiche).where(Fiche.id.in_(ids)))}
        return {i: (fiches[i].title, _facts(fiches[i]), _start(fiches[i]), _budget(fiches[i])) for i in ids}


def _facts(fiche):
    from app.read.queries import fiche_years

    return (fiche.geom is not None) + (fiche_years(fiche)[0] is not None) + bool(fiche.budget_lines)


def _start(fiche):
    from app.read.queries import fiche_years

    return fiche_years(fiche)[0]


def _budget(fiche):
    from app.read.queries import budget_total

    return budget_total(fiche) if fiche.budget_lines else None


def _fold(title: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c)).casefold().strip()


# --- the list's order -----------------------------------------------------------

def test_default_order_puts_fiches_with_a_place_years_or_budget_first(client, app):
    html = get(client, "/herentals")
    ids = list_ids(html)
    facts = [v[1] for v in by_id(app, ids).values()]
    info = by_id(app, ids)
    shown = [info[i][1] for i in ids]
    assert len(ids) == 110 and shown.count(0) == 82, "the issue's figures: 82 of 110 fiches know none of the three"
    assert shown == sorted(shown, reverse=True), "most complete first"
    assert shown[0] > 0 and shown[-1] == 0
    assert sorted(facts, reverse=True) == shown
    assert 'data-sort="inhoud"' in html and '<option value="inhoud" selected>' in html
    assert 'value="relevantie"' not in html, "relevance is offered only with a search term"


@pytest.mark.parametrize("order", ["startjaar", "budget", "titel", "inhoud"])
def test_each_order(client, app, order):
    html = get(client, "/herentals", sort=order)
    ids = list_ids(html)
    assert sorted(ids) == sorted(list_ids(get(client, "/herentals"))), "the same selection, in another order"
    info = by_id(app, ids)
    assert f'<option value="{order}" selected>' in html
    if order == "startjaar":
        starts = [info[i][2] for i in ids]
        known = [s for s in starts if s is not None]
        assert known and known == sorted(known)
        assert starts[: len(known)] == known, "fiches without years come last"
    elif order == "budget":
        amounts = [info[i][3] for i in ids]
        known = [a for a in amounts if a is not None]
        assert known and known == sorted(known, reverse=True)
        assert amounts[: len(known)] == known, "fiches without a budget come last"
    elif order == "titel":
        titles = [_fold(info[i][0]) for i in ids]
        assert titles == sorted(titles)
    else:
        facts = [info[i][1] for i in ids]
        assert facts == sorted(facts, reverse=True)


def test_relevance_keeps_the_order_of_the_search(client, app):
    from app.read.queries import FicheFilters, select_fiches
    from app.read.textsearch import rank_fiche_ids

    html = get(client, "/herentals", q="rwa")
    with db(app) as session:
        found = [f.id for f in select_fiches(session, FicheFilters(municipality="herentals", q="rwa"))]
        expected = rank_fiche_ids(session, "rwa", found)  # best first, as the search page ranks them
    assert expected and list_ids(html) == expected
    assert '<option value="relevantie" selected>' in html
    assert list_ids(get(client, "/herentals", q="rwa", sort="titel")) != expected or len(expected) < 2


def test_unknown_order_is_named_and_ignored(client):
    html = get(client, "/herentals", sort="paars<b>")
    assert "Onbekende sortering ‘paars&lt;b&gt;’ genegeerd." in html
    assert 'data-sort="inhoud"' in html


def share_link(html: str) -> str:
    return unescape(re.search(r'id="deel-link" type="text" readonly value="([^"]+)"', html).group(1))


def test_share_link_keeps_filters_order_and_map_options(client):
    html = get(client, "/herentals", sector="Stadsontwikkeling", year="2027", sort="budget", kleur="status",
               indicator="kinderarmoede", klassen="jenks", q="")
    link = share_link(html)
    parts = urlsplit(link)
    assert parts.path == "/herentals"
    args = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert args == {"sector": "Stadsontwikkeling", "year": "2027", "sort": "budget", "kleur": "status",
                    "indicator": "kinderarmoede", "klassen": "natural_breaks"}
    # The link opens the same view: same list in the same order.
    again = get(client, parts.path + "?" + parts.query)
    assert list_ids(again) == list_ids(html) and share_link(again) == link
    # The filter form and the sort form both carry the other's state (no JavaScript needed).
    filters = re.search(r'<form class="city-filters".*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="sort" value="budget">' in filters
    sort_form = re.search(r'<form class="list-sort".*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="sector" value="Stadsontwikkeling">' in sort_form
    assert '<input type="hidden" name="kleur" value="status">' in sort_form
    # Defaults stay out of the link.
    assert share_link(get(client, "/herentals")).endswith("/herentals")


# --- fiche pages without walls, public pages without internal refs and notes -----

def published_pages(app) -> list[str]:
    from app.models import Area, Fiche, Municipality

    with db(app) as session:
        pages = ["/", "/woordenlijst", "/herentals", "/halle", "/herentals/vergelijken", "/halle/vergelijken"]
        for slug, fiche_id in session.execute(
                select(Municipality.slug, Fiche.id).join(Fiche.municipality).where(Fiche.published.is_(True))
                .order_by(Fiche.id)):
            pages.append(f"/{slug}/fiches/{fiche_id}")
        for slug, code in session.execute(
                select(Municipality.slug, Area.code).join(Area.municipality).where(Area.level == "wijk")):
            pages.append(f"/{slug}/wijken/{code}")
    return pages


def test_no_internal_ref_note_or_empty_wall_on_any_public_page(client, app):
    pages = published_pages(app)
    assert len(pages) > 150
    fiche_pages = 0
    for path in pages:
        html = visible(get(client, path))
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert not INTERNAL_REF.search(html), (path, INTERNAL_REF.search(html).group(0))
        assert "nagekeken" not in html, path
        assert not INTERNAL_REF.search(title)
        if "/fiches/" in path:
            fiche_pages += 1
            for wall in EMPTY_WALLS:
                assert wall not in html, (path, wall)
    assert fiche_pages > 140


def test_the_notes_stay_in_the_data(client, app):
    """The staff's remark is kept in the staff-only field (issue 13), never on the public page."""
    with db(app) as session:
        fiche = fiche_by_ref(session, "HER-SO-14")
        assert "niet nagekeken" in fiche.staff_note
        assert "nagekeken" not in fiche.location_description
        fiche_id = fiche.id
    page = unescape(get(client, f"/herentals/fiches/{fiche_id}"))
    assert "Toekomstlaan, bedrijventerrein aan de oostrand van de stad (ligging bij benadering, met de hand geplaatst)" \
        in page
    assert "nagekeken" not in page


@pytest.mark.parametrize("text,expected", [
    ("Kasteelzolder in Lembeek (ligging bij benadering, niet nagekeken; met de hand geplaatst)",
     "Kasteelzolder in Lembeek (ligging bij benadering; met de hand geplaatst)"),
    ("Kinderopvang 't Pagadderke (niet nagekeken), pop-up kinderopvang (OCMW-campus)",
     "Kinderopvang 't Pagadderke, pop-up kinderopvang (OCMW-campus)"),
    ("Sollenbeemd, centraal (indicatieve punten, met de hand geplaatst; Sollenbeemd niet nagekeken)",
     "Sollenbeemd, centraal (indicatieve punten, met de hand geplaatst)"),
    ("Het punt staat in de wijk Hannekenshoek; de juiste plek moet nog worden nagekeken.",
     "Het punt staat in de wijk Hannekenshoek."),
    ("niet nagekeken", None),
    ("Markt 1 (centrum)", "Markt 1 (centrum)"),
    (None, None),
])
def test_internal_notes_are_cut_out(text, expected):
    from layers.public_text import without_internal_notes

    assert without_internal_notes(text) == expected


def test_an_empty_fiche_page_says_once_what_is_not_known(client, app):
    from app.models import Fiche, Municipality

    with db(app) as session:
        fiche = session.scalar(select(Fiche).join(Municipality).where(
            Municipality.slug == "herentals", Fiche.kind == "fiche", Fiche.published.is_(True), Fiche.geom.is_(None),
            Fiche.goal_why.is_(None), Fiche.state_of_play.is_(None), Fiche.location_description.is_(None))
            .order_by(Fiche.id).limit(1))
        assert fiche is not None and not fiche.phases and not fiche.budget_lines
        fiche_id = fiche.id
    html = get(client, f"/herentals/fiches/{fiche_id}")
    for section in ("doel", "stand", "ligging", "fasen", "middelen", "voortgang"):
        assert f'id="{section}"' not in html, section
    assert html.count("Nog niet bekend in deze fiche:") == 1
    assert "het doel, de planning, het budget, de plaats op de kaart" in html
    # What the source does say stays: status and "prioritair".
    assert re.search(r"Prioritair(</a>)?</dt><dd>niet vermeld", html) and "<dt>Status</dt>" in html


# --- the plain-language field -------------------------------------------------

def test_staff_fill_in_the_plain_language_text_and_it_shows_first_escaped(scratch_app, staff):
    plain = f"Vanaf 2027 een nieuw zwembad. {HOSTILE_TITLE}"
    with db(scratch_app) as session:
        fiche = fiche_by_ref(session, "HER-SO-02")
        fiche_id, version = fiche.id, fiche.version
    url = f"/beheer/herentals/fiches/{fiche_id}/bewerken"

    # A lezer may not save it; without the CSRF token nothing is saved either.
    lezer = scratch_app.test_client()
    assert login(lezer, staff.lezer).status_code == 302
    assert lezer.get(url).status_code == 403
    client = scratch_app.test_client()
    assert login(client, staff.redacteur).status_code == 302
    values = page_form(client, url)
    assert "wat_verandert" in values
    fill(values, {"wat_verandert": plain})
    no_token = values.copy()
    no_token.pop("csrf_token")
    assert client.post(url, data=no_token, content_type="multipart/form-data").status_code == 400
    saved = client.post(url, data=values, content_type="multipart/form-data")
    assert saved.status_code == 302, saved.text
    # The fiche is published: the text waits in its working version until "Publiceren".
    with db(scratch_app) as session:
        assert fiche_by_ref(session, "HER-SO-02").plain_language != plain
    publish = form_values(client.get(url).get_data(as_text=True), "werkversie-publiceer-form")
    assert client.post(f"/beheer/herentals/fiches/{fiche_id}/werkversie/publiceren", data=publish).status_code == 302
    with db(scratch_app) as session:
        fiche = fiche_by_ref(session, "HER-SO-02")
        assert fiche.plain_language == plain and fiche.version == version + 1

    html = scratch_app.test_client().get(f"/herentals/fiches/{fiche_id}").get_data(as_text=True)
    assert HOSTILE_TITLE not in html and "<img src=x" not in html
    escaped = str(Markup.escape(plain))
    assert escaped in html
    article = html[html.index("<article"):]
    assert article.index("Wat verandert er voor jou?") < article.index('id="kerngegevens"')
    assert article.index('</header>') < article.index("Wat verandert er voor jou?"), "first after the title"
    assert article.index("Wat verandert er voor jou?") == article.index("<section") + len(
        '<section class="plain-language" aria-labelledby="wat-verandert">\n    <h2 id="wat-verandert">')
    # ... and in the city list, under the title.
    listing = scratch_app.test_client().get("/herentals").get_data(as_text=True)
    item = re.search(rf'<li class="fiche-item" id="fiche-{fiche_id}".*?</li>', listing, re.S).group(0)
    assert escaped in item and "<img src=x" not in item
    # History records it under its Dutch label.
    history = client.get(f"/beheer/herentals/fiches/{fiche_id}/geschiedenis").get_data(as_text=True)
    assert "Wat verandert er voor jou?" in history


def test_plain_language_is_empty_for_the_seed_fiches(app):
    from app.models import Fiche

    with db(app) as session:
        assert session.scalar(select(Fiche).where(Fiche.plain_language.is_not(None)).limit(1)) is None


def test_plain_language_round_trips_through_import_and_export(scratch_app):
    from app.columns import FICHE_COLUMNS
    from app.write.imports.fiches import import_fiches
    from app.write.editing.bulk import TEMPLATE_COLUMNS

    assert FICHE_COLUMNS["plain_language"] == "wat_verandert" and "wat_verandert" in TEMPLATE_COLUMNS
    text = "Minder wateroverlast in de straat; werken in 2027 en 2028."
    data = ("ref;titel;wat_verandert;gepubliceerd;geometrie_wkt\n"
            f'T-PLAIN;Testfiche eenvoudige taal;"{text}";ja;POINT (182716.77 207503.14)\n').encode()
    with db(scratch_app) as session:
        import_fiches(session, data, municipality="herentals", filename="t.csv")
        session.commit()
        assert fiche_by_ref(session, "T-PLAIN").plain_language == text
    client = scratch_app.test_client()
    archive = client.get("/herentals/download.csv", query_string={"q": "Testfiche eenvoudige taal"})
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.data)) as z:
        exported = z.read("fiches.csv")
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";"))
    assert [r["wat_verandert"] for r in rows] == [text]
    # The exported file imports again unchanged; a file without the column keeps the text.
    with db(scratch_app) as session:
        import_fiches(session, exported, municipality="herentals", filename="fiches.csv")
        import_fiches(session, b"ref;titel\nT-PLAIN;Testfiche eenvoudige taal\n", municipality="herentals",
                      filename="t.csv")
        session.commit()
        assert fiche_by_ref(session, "T-PLAIN").plain_language == text


# --- glossary -------------------------------------------------------------------

def test_glossary_page_explains_every_term(client):
    from app.glossary import load_terms

    terms = load_terms()
    html = get(client, "/woordenlijst")
    assert "<h1" in html and "Woordenlijst" in html
    for needed in ("rwa-as", "sdg", "verplicht-keuze", "wijk", "fase", "illustratief", "indicatief",
                   "meerjarenplan", "actieplan", "ogc-api", "jenks"):
        assert needed in {t.id for t in terms}, needed
    for term in terms:
        assert term.explanation and term.source and term.forms, term.id
        assert f'id="term-{term.id}"' in html
        assert str(Markup.escape(term.explanation)) in html


def test_glossary_quotes_its_sources_exactly():
    """An explanation that cites the Herentals note quotes words that are in it."""
    from app import ROOT
    from app.glossary import load_terms

    source = (ROOT / "geodata" / "sources" / "herentals_inspiratienota_2025-2030.txt").read_text(encoding="utf-8")
    quoted = 0
    for term in load_terms():
        for quote in re.findall(r'"([^"]+)"', term.source):
            assert quote in source, (term.id, quote)
            quoted += 1
    assert quoted >= 4


def test_first_use_is_marked_once_and_escaped(app):
    from app.glossary import mark_first_use

    with app.test_request_context("/"):
        first = mark_first_use("Een RWA-as <script>x</script> & nog een RWA-as; SDG's en SDG")
        assert first.count('class="term"') == 2
        assert first.count('data-term="rwa-as"') == 1 and first.count('data-term="sdg"') == 1
        assert "<script>" not in first and "&lt;script&gt;" in first and "&amp;" in first
        assert 'href="/woordenlijst#term-rwa-as"' in first
        assert "SDG&#39;s</a>" in first, "the longest form is marked"
        again = mark_first_use("Nog een RWA-as.")
        assert 'class="term"' not in again, "once per page"
        assert mark_first_use(Markup("<b>RWA-as</b>")) == Markup("<b>RWA-as</b>")
        assert mark_first_use(None) == ""
        assert 'class="term"' not in mark_first_use("de wijkagent"), "whole words only"
    with app.test_request_context("/"):
        assert 'class="term"' in mark_first_use("RWA-as"), "a new page marks again"


def test_fiche_and_wijk_pages_link_their_jargon_to_the_glossary(client, app):
    with db(app) as session:
        fiche_id = fiche_by_ref(session, "HER-SO-05").id
    html = get(client, f"/herentals/fiches/{fiche_id}")
    assert html.count('data-term="rwa-as"') == 1 and html.count('data-term="sdg"') <= 1
    wijk = get(client, "/herentals/wijken/1301101")
    assert wijk.count('data-term="rwa-as"') == 1 and 'data-term="stadsbreed"' in wijk


# --- amounts ------------------------------------------------------------------

@pytest.mark.parametrize("value,illustrative,expected", [
    (6461074, True, "± 6,5 miljoen €"),
    (6461074, False, "6.461.074 €"),
    (646107, True, "± 650.000 €"),
    (64610, True, "± 65.000 €"),
    (1850000, True, "± 1,9 miljoen €"),        # half up, not to even
    (1950000, True, "± 2 miljoen €"),
    (12345678, True, "± 12 miljoen €"),
    (143680000, True, "± 140 miljoen €"),
    (2.35e9, True, "± 2,4 miljard €"),
    (999, True, "± 1.000 €"),
    (45, True, "± 45 €"),
    (0, True, "0 €"),
    (-1234567, True, "± -1,2 miljoen €"),
    (1234.6, False, "1.235 €"),
    (None, True, "–"),
])
def test_amount_formatter(value, illustrative, expected):
    from layers.styles import format_eur_shown

    assert format_eur_shown(value, illustrative) == expected


def test_illustrative_amounts_are_rounded_and_real_ones_exact(scratch_app):
    from app.models import BudgetLine

    with db(scratch_app) as session:
        fiche = fiche_by_ref(session, "HER-SO-02")
        for line in fiche.budget_lines:
            line.basis = "begroot"
        session.commit()
        exact = sum(b.amount_eur for b in fiche.budget_lines if b.direction == "uitgave")
        fiche_id = fiche.id
        rwa = fiche_by_ref(session, "HER-SO-05")
        assert all(b.basis == "illustratief" for b in rwa.budget_lines)
        rwa_id = rwa.id
        assert session.scalar(select(BudgetLine).limit(1)) is not None
    client = scratch_app.test_client()
    real = unescape(client.get(f"/herentals/fiches/{fiche_id}").get_data(as_text=True))
    from layers.styles import format_eur, format_eur_approx

    assert format_eur(exact).replace(" €", "\u00a0€") in real and "±" not in re.search(r'id="middelen".*?</section>', real, re.S).group(0)
    shown = unescape(client.get(f"/herentals/fiches/{rwa_id}").get_data(as_text=True))
    rwa_total = sum(b.amount_eur for b in rwa.budget_lines if b.direction == "uitgave")
    assert format_eur_approx(rwa_total).replace(" €", "\u00a0€").replace("± ", "±\u00a0") in shown
    # The list rounds the illustrative ones only.
    listing = client.get("/herentals").get_data(as_text=True)
    real_item = re.search(rf'<li class="fiche-item" id="fiche-{fiche_id}".*?</li>', listing, re.S).group(0)
    rwa_item = re.search(rf'<li class="fiche-item" id="fiche-{rwa_id}".*?</li>', listing, re.S).group(0)
    assert format_eur(exact).replace(" €", "\u00a0€") in unescape(real_item)
    assert "±" in unescape(rwa_item) and "illustratief" in rwa_item


def test_charts_use_one_number_format_per_axis():
    from app import ROOT

    script = (ROOT / "app" / "static" / "charts.js").read_text(encoding="utf-8")
    assert 'notation: "compact"' not in script, "compact notation mixes 800K and 1,8 mln. on one axis"
    assert "axisFormat(this.max, ticks, money)" in script


# --- print map ------------------------------------------------------------------

def test_print_map_is_an_escaped_svg_of_the_shapes(client, app):
    import shapely

    from app.static_map import Shape, svg_map

    svg = svg_map([Shape(shapely.box(0, 0, 1000, 1000), "context", HOSTILE_TITLE),
                   Shape(shapely.Point(500, 500), "fiche"),
                   Shape(shapely.LineString([(0, 0), (900, 900)]), "fiche-indicatief")], HOSTILE_TITLE)
    assert "<img src=x" not in svg and "&lt;img src=x" in svg
    assert svg.count("<path") == 2 and svg.count("<circle") == 1 and 'stroke-dasharray="6 4"' in svg
    assert svg_map([Shape(None, "fiche")], "leeg") is None
    with db(app) as session:
        fiche_id = fiche_by_ref(session, "HER-SO-05").id
    html = get(client, f"/herentals/fiches/{fiche_id}")
    assert '<figure class="print-map">' in html and "<svg" in html
    assert "data-print" in html and "/static/print.js" in html
    wijk = get(client, "/herentals/wijken/1301101")
    assert '<figure class="print-map">' in wijk and "Herentals Centrum" in wijk.split('class="print-map"')[1]


def test_popups_show_the_document_number_and_no_staff_notes():
    from layers.popups import fiche_popup, phase_popup

    phase = phase_popup({"fiche_ref": "HER-VT-14", "fiche_number": "14", "fiche_code": None, "fiche_title": "Zwembad",
                         "title": "Studie", "phase_kind": "studie", "start": "2026-01-01", "end": "2026-12-31"})
    assert "HER-VT-14" not in phase and '<p class="fk-popup-ref">Fiche 14</p>' in phase
    fiche = fiche_popup({"ref": "HER-SO-14", "number": "14", "title": "Hoppinpunt", "geometry_precision": "indicatief",
                         "location_description": "Toekomstlaan (ligging bij benadering, niet nagekeken; met de hand geplaatst)"})
    assert "HER-SO-14" not in fiche and "nagekeken" not in fiche
    assert "Toekomstlaan (ligging bij benadering; met de hand geplaatst)" in fiche
