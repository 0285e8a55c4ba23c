"""The public fiche page /<slug>/fiches/<id> (both databases): every field of
a real fiche, its place in the tree, phases, budget table against the
database sums, progress reports, sources and illustrative marks; drafts and
bad URLs give a Dutch 404; user text is escaped; the staff preview is the
same page with a banner."""
from __future__ import annotations

import re
from collections import defaultdict
from html import unescape

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import db, fiche_by_ref, login

NETEPARK = "HER-SO-02"      # polygon, 5 illustrative phases, budgets with receipts, partners, a fiche depending on it
RWA_AS = "HER-SO-05"        # line
HALLE_AP = "HAL-V1.1"       # actieplan with the "Jaarrekening 2022" note


def page_of(client, fiche):
    return client.get(f"/{fiche.municipality.slug}/fiches/{fiche.id}")


def table_values(html: str, table_id: str) -> dict[str, dict[str, float]]:
    """{row (year or 'totaal'): {column: value}} from the data attributes of a table."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    out = {}
    for row_key, row in re.findall(r'<tr data-year="([^"]+)">(.*?)</tr>', table, re.S):
        out[row_key] = {col: float(value) for col, value in re.findall(r'data-col="([^"]+)" data-value="([^"]+)"', row)}
    return out


def test_herentals_fiche_shows_its_fields_phases_budget_and_place(client, session):
    from layers.styles import format_eur, format_eur_approx

    fiche = fiche_by_ref(session, NETEPARK)
    response = page_of(client, fiche)
    assert response.status_code == 200
    html = response.text
    text = unescape(html)
    # Identity, tree and the short fields.
    assert fiche.title in text and f"Fiche {fiche.number}" in text and fiche.sector in text
    assert f'<p class="fiche-ident">Fiche {fiche.number} · {fiche.sector}</p>' in html   # not "Fiche · Fiche 14"
    assert "Voorstel" in text and re.search(r"Prioritair(</a>)?</dt><dd>niet vermeld", html)
    parent = fiche.parent
    assert f'href="/herentals/fiches/{parent.id}"' in html, "breadcrumb links the sector"
    assert '<nav class="breadcrumbs" aria-label="Kruimelpad">' in html
    # Place: map, description, precision, the wijk it lies in.
    assert 'class="page-map"' in html and "folium" in html
    assert fiche.location_description in text
    assert "indicatieve ligging" in text.lower()
    assert 'href="/herentals/wijken/1301107"' in html
    assert "Vlak van 2,5 ha" in text or "Vlak van" in text
    # Phases: every one with its dates and status.
    assert fiche.phases
    for phase in fiche.phases:
        assert phase.title in text
        assert f"{phase.start.day} " in text and str(phase.start.year) in text
    assert 'class="timeline"' in html and "timeline-bar is-illustrative" in html
    # Budget: one row per year, totals, chart data next to a canvas.
    years = sorted({line.year for line in fiche.budget_lines})
    assert list(table_values(html, "budget-table")) == [str(y) for y in years] + ["totaal"]
    # Every line of this fiche is illustrative: the total is shown rounded, the exact sum stays in data-value.
    exact = sum(b.amount_eur for b in fiche.budget_lines if b.direction == "uitgave")
    assert format_eur_approx(exact).replace(" €", "\xa0€").replace("± ", "±\u00a0") in text
    assert format_eur(exact).replace(" €", "\xa0€") not in text
    assert table_values(html, "budget-table")["totaal"]["uitgaven"] == pytest.approx(exact)
    assert 'data-chart-source="budget-chart-data"' in html and 'id="budget-chart-data"' in html
    assert "/static/vendor/chart.js/dist/chart.umd.min.js" in html and "/static/charts.js" in html
    for line in fiche.budget_lines:
        assert line.note in text
    # Partners and the fiche that depends on this one (a link to its page).
    for dep in fiche.dependencies:
        assert dep.partner in text
    vt14 = fiche_by_ref(session, "HER-VT-14")
    assert f'href="/herentals/fiches/{vt14.id}"' in html
    # Sources and every illustrative flag in words.
    assert fiche.source in text and fiche.plan.title in text
    assert f"5 van de {len(fiche.phases)} fasen" in text
    assert f"{len(fiche.budget_lines)} van de {len(fiche.budget_lines)} bedragen zijn illustratief" in text
    assert "De ligging op de kaart is indicatief" in text


def test_budget_table_equals_the_database_sums(client, session):
    from app.models import BudgetLine

    for ref in (NETEPARK, RWA_AS, HALLE_AP):
        fiche = fiche_by_ref(session, ref)
        shown = table_values(page_of(client, fiche).text, "budget-table")
        sums = session.execute(
            select(BudgetLine.year, BudgetLine.kind, BudgetLine.direction, func.sum(BudgetLine.amount_eur))
            .where(BudgetLine.fiche_id == fiche.id).group_by(BudgetLine.year, BudgetLine.kind, BudgetLine.direction)
        ).all()
        expected: dict = defaultdict(lambda: defaultdict(float))
        for year, kind, direction, amount in sums:
            for row in (str(year), "totaal"):
                if direction == "uitgave":
                    expected[row][kind] += float(amount)
                    expected[row]["uitgaven"] += float(amount)
                else:
                    expected[row]["ontvangsten"] += float(amount)
        assert set(shown) == set(expected)
        for row, columns in expected.items():
            for column, amount in columns.items():
                assert shown[row][column] == pytest.approx(amount), (ref, row, column)
            net = columns.get("uitgaven", 0) - columns.get("ontvangsten", 0)
            assert shown[row]["netto"] == pytest.approx(net)


def test_line_fiche_and_the_wijken_it_crosses(client, session):
    fiche = fiche_by_ref(session, RWA_AS)
    text = unescape(page_of(client, fiche).text)
    assert re.search(r"Lijn van [\d.,]+ (km|m)", text)
    assert "Herentals Centrum" in text


def test_halle_actieplan_with_its_progress_report(client, session):
    fiche = fiche_by_ref(session, HALLE_AP)
    response = page_of(client, fiche)
    html, text = response.text, unescape(response.text)
    assert response.status_code == 200
    assert "Actieplan" in text and "V1.1" in text and fiche.title in text
    assert '<p class="fiche-ident">Actieplan · V1.1 · ' in html
    assert "Prioritair" in text and fiche.responsible_service in text
    report = fiche.progress_reports[0]
    assert report.period_label == "Jaarrekening 2022"
    assert "<h3" in html and re.search(r"Jaarrekening(</a>)? 2022</h3>", html)
    first_paragraph = report.text.split("\n")[0]
    assert first_paragraph in text
    assert report.source in text
    # The tree: beleidsdomein > doelstelling > actieplan.
    doel, domein = fiche.parent, fiche.parent.parent
    assert doel.kind == "doelstelling" and domein.kind == "beleidsdomein"
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert crumbs.index(f"/halle/fiches/{domein.id}") < crumbs.index(f"/halle/fiches/{doel.id}")
    assert "Doelstelling V1" in unescape(crumbs) and "Beleidsdomein" in crumbs


def test_doelstelling_lists_its_published_children(client, session):
    doel = fiche_by_ref(session, "HAL-V1")
    html = page_of(client, doel).text
    children = [c for c in doel.children if c.published]
    assert len(children) == 7
    for child in children:
        assert f'href="/halle/fiches/{child.id}"' in html
    # Nothing empty is announced field by field: one line names what is not known yet.
    assert 'id="middelen"' not in html and 'id="ligging"' not in html
    assert "Nog niet bekend in deze fiche:" in html and "het budget" in html


def test_fiche_without_a_place_says_so(client, session):
    from app.models import Fiche, Municipality

    fiche = session.scalar(select(Fiche).join(Municipality).where(
        Municipality.slug == "herentals", Fiche.kind == "fiche", Fiche.geom.is_(None), Fiche.published.is_(True)).limit(1))
    html = page_of(client, fiche).text
    if fiche.location_description:
        assert "Geen ligging op de kaart" in html
    else:
        assert 'id="ligging"' not in html
        assert re.search(r"Nog niet bekend in deze fiche:[^<]*de plaats op de kaart", html)
    assert 'class="page-map"' not in html and "leaflet" not in html.lower()


def test_bad_urls_are_a_dutch_404_or_a_redirect(client, session):
    fiche = fiche_by_ref(session, NETEPARK)
    assert client.get("/herentals/fiches/987654").status_code == 404
    missing_city = client.get(f"/nergensdorp/fiches/{fiche.id}")
    assert missing_city.status_code == 404 and "Niet gevonden" in missing_city.text
    wrong_city = client.get(f"/halle/fiches/{fiche.id}")
    assert wrong_city.status_code == 301 and wrong_city.headers["Location"].endswith(f"/herentals/fiches/{fiche.id}")
    assert client.get("/herentals/fiches/abc").status_code == 404


def test_draft_is_404_for_everyone_outside_the_workspace(scratch_app, staff):
    with db(scratch_app) as session:
        fiche = fiche_by_ref(session, NETEPARK)
        fiche.published = False
        fiche.title = "Geheim ontwerp van het zwembad"
        session.commit()
        fiche_id = fiche.id
        child = fiche_by_ref(session, "HER-VT-14")   # depends on the draft
        child_id = child.id
    anonymous = scratch_app.test_client()
    response = anonymous.get(f"/herentals/fiches/{fiche_id}")
    assert response.status_code == 404 and "Geheim ontwerp" not in response.text
    # The fiche that depends on it does not name or link the draft.
    other = anonymous.get(f"/herentals/fiches/{child_id}")
    assert other.status_code == 200 and "Geheim ontwerp" not in other.text
    assert f"/herentals/fiches/{fiche_id}\"" not in other.text
    # A logged-in lezer still gets 404 on the public URL ...
    reader = scratch_app.test_client()
    assert login(reader, staff.lezer).status_code == 302
    assert reader.get(f"/herentals/fiches/{fiche_id}").status_code == 404
    # ... and sees it in the workspace preview: the public page with a banner.
    preview = reader.get(f"/beheer/herentals/fiches/{fiche_id}/voorbeeld")
    assert preview.status_code == 200
    text = unescape(preview.text)
    assert "Voorbeeld — niet gepubliceerd" in text and "Geheim ontwerp van het zwembad" in text
    assert 'id="budget-table"' in preview.text and 'class="page-map"' in preview.text
    assert '<meta name="robots" content="noindex">' in preview.text


def test_preview_of_a_published_fiche_is_the_public_page_plus_banner(scratch_app, staff):
    with db(scratch_app) as session:
        fiche_id = fiche_by_ref(session, HALLE_AP).id
    public = scratch_app.test_client().get(f"/halle/fiches/{fiche_id}").text
    reader = scratch_app.test_client()
    login(reader, staff.lezer_halle)
    preview = reader.get(f"/beheer/halle/fiches/{fiche_id}/voorbeeld").text
    article = re.compile(r'<article class="fiche".*</article>', re.S)
    map_ids = re.compile(r"map_[0-9a-f]{32}")   # folium names each map at random
    assert map_ids.sub("map", article.search(public).group(0)) == map_ids.sub("map", article.search(preview).group(0))
    assert "Voorbeeld — gepubliceerd" in preview and "Voorbeeld" not in public


def test_draft_parent_and_child_stay_hidden(scratch_app):
    with db(scratch_app) as session:
        ap = fiche_by_ref(session, HALLE_AP)
        doel = ap.parent
        doel.title = "Ontwerpdoelstelling XYZ"
        doel.published = False
        sibling = fiche_by_ref(session, "HAL-V1.2")
        sibling.title = "Ontwerpactieplan XYZ"
        sibling.published = False
        session.commit()
        ap_id, domain_id, doel_id = ap.id, doel.parent_id, doel.id
    client = scratch_app.test_client()
    page = client.get(f"/halle/fiches/{ap_id}").text
    assert "Ontwerpdoelstelling XYZ" not in page
    assert f"/halle/fiches/{doel_id}\"" not in page
    domain = client.get(f"/halle/fiches/{domain_id}").text
    assert "Ontwerpdoelstelling XYZ" not in domain


def test_every_field_is_shown_and_user_text_is_escaped(scratch_app):
    from app.models import FicheSdg

    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    values = {
        "title": f"Titel {evil}", "summary": "Samenvatting VELD1", "responsible_service": "Dienst VELD2",
        "goal_why": "Waarom VELD3", "goal_what": "Wat VELD4", "goal_gain": "Winst VELD5",
        "state_of_play": "Stand VELD6", "dependencies_text": "Afhankelijk VELD7", "risks": f"Risico {evil}",
        "location_description": "Locatie VELD8", "source": "Bron VELD9", "code": "C-VELD10",
    }
    with db(scratch_app) as session:
        fiche = fiche_by_ref(session, RWA_AS)
        for name, value in values.items():
            setattr(fiche, name, value)
        fiche.obligation, fiche.priority, fiche.progress_pct = "verplicht", True, 40
        fiche.sdgs_illustrative = True
        fiche.sdg_links[:] = [FicheSdg(sdg=6), FicheSdg(sdg=11)]
        fiche.phases[0].title = f"Fase {evil}"
        fiche.budget_lines[0].note = f"Noot {evil}"
        session.commit()
        fiche_id = fiche.id
    response = scratch_app.test_client().get(f"/herentals/fiches/{fiche_id}")
    html = response.text
    assert response.status_code == 200
    assert evil not in html and "<img src=x" not in html
    assert str(escape(evil)) in html
    text = unescape(html)
    for name, value in values.items():
        assert value in text, name
    assert "Verplicht" in text and re.search(r"Prioritair(</a>)?</dt><dd>ja", html)
    assert "40 % gerealiseerd" in text
    assert "SDG 6: Schoon water en sanitair" in text and "SDG 11: Duurzame steden en gemeenschappen" in text
    assert "De SDG's zijn illustratief" in text


def test_phase_timeline_positions_and_range():
    import datetime as dt
    from types import SimpleNamespace

    from app.views.page_parts import phase_timeline

    def phase(start, end):
        return SimpleNamespace(start=start, end=end, phase_kind="studie", illustrative=False)

    first_year = phase(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    timeline = phase_timeline([first_year, phase(None, None)], today=dt.date(2026, 7, 2))
    assert (timeline.first_year, timeline.last_year) == (2025, 2031)
    assert len(timeline.bars) == 1                     # the undated phase has no bar
    bar = timeline.bars[0]
    assert bar.left_pct == 0 and bar.width_pct == pytest.approx(100 / 7, abs=0.1)
    assert timeline.today_pct == pytest.approx(100 * 1.5 / 7, abs=0.1)
    late = phase_timeline([phase(dt.date(2030, 1, 1), dt.date(2033, 6, 30))], today=dt.date(2040, 1, 1))
    assert late.last_year == 2033 and late.today_pct is None
    assert late.bars[0].left_pct + late.bars[0].width_pct == pytest.approx(100 * 8.5 / 9, abs=0.1)
