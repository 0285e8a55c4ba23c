"""The fiche page and the wijk page in a real browser (both databases): the
map draws its features, the chart canvas is painted, no JS/CSP error, no
request leaves 127.0.0.1, axe finds nothing serious at desktop and 360 px, no
sideways scrolling on a phone; screenshots in test-artifacts/."""
from __future__ import annotations

import pytest

from browser_fixtures import *  # noqa: F401,F403
from browser_fixtures import PHONE, Watched, serve
from staff_fixtures import db, fiche_by_ref

pytestmark = BROWSER_MARKS  # noqa: F405

# Painted pixels of a canvas (alpha > 0): a chart with axes and bars has thousands.
PAINTED_PIXELS = """(canvas) => {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; }
    return n;
}"""


def fiche_id(app, ref: str) -> int:
    with db(app) as session:
        return fiche_by_ref(session, ref).id


def check_page(page: Watched, path: str, name: str, *, map_shapes: int, chart: str | None):
    response = page.goto(path)
    assert response.status == 200, path
    page.page.wait_for_timeout(200)
    page.check_clean()
    assert page.axe_violations() == [], path
    shapes = page.page.locator(".page-map .leaflet-overlay-pane path.leaflet-interactive, "
                               ".page-map .leaflet-marker-pane *").count()
    assert shapes >= map_shapes, f"{path}: {shapes} map features drawn"
    if chart:
        canvas = page.page.locator(f"canvas#{chart}")
        assert canvas.evaluate("c => !!Chart.getChart(c)"), "chart.js did not draw the chart"
        assert canvas.evaluate(PAINTED_PIXELS) > 2000
    page.screenshot(name)
    return page


@pytest.mark.parametrize("ref, name", [("HER-SO-02", "netepark"), ("HER-SO-05", "rwa-as"), ("HAL-V1.1", "halle-v1-1")])
def test_fiche_page_desktop_and_phone(app, watched, phone, ref, name):
    path = f"/{'halle' if ref.startswith('HAL') else 'herentals'}/fiches/{fiche_id(app, ref)}"
    check_page(watched, path, f"fiche-{name}-desktop", map_shapes=2, chart="budget-chart")
    # The phase timeline under the table: one bar per dated phase (HAL-V1.1 has two
    # since issue 13 removed the one its Jaarrekening 2022 note contradicts).
    assert watched.page.locator(".timeline-bar").count() >= 2
    check_page(phone, path, f"fiche-{name}-phone", map_shapes=2, chart="budget-chart")
    assert not phone.overflows_horizontally(), f"{path} scrolls sideways at {PHONE['width']} px"


def test_fiche_without_place_or_budget(app, watched, phone):
    path = f"/halle/fiches/{fiche_id(app, 'HAL-V1')}"
    for page, label in ((watched, "desktop"), (phone, "phone")):
        check_page(page, path, f"fiche-halle-v1-{label}", map_shapes=0, chart=None)
        # Nothing to show is left out, not announced field by field.
        content = page.page.content()
        assert 'id="ligging"' not in content and "niet opgegeven" not in content
    assert not phone.overflows_horizontally()


@pytest.mark.parametrize("code", ["1301101", "23027B1"])
def test_wijk_page_desktop_and_phone(watched, phone, code):
    path = f"/{'halle' if code.startswith('23027') else 'herentals'}/wijken/{code}"
    # The wijk, the other wijken and at least one fiche.
    check_page(watched, path, f"wijk-{code}-desktop", map_shapes=3, chart="wijk-chart")
    check_page(phone, path, f"wijk-{code}-phone", map_shapes=3, chart="wijk-chart")
    assert not phone.overflows_horizontally(), f"{path} scrolls sideways at {PHONE['width']} px"


def test_hostile_title_runs_no_script(scratch_app, chromium):
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    with db(scratch_app) as session:
        fiche = fiche_by_ref(session, "HER-SO-02")
        fiche.title = f"Zwembad {evil}"
        fiche.location_description = evil
        fiche.phases[0].title = evil
        session.commit()
        target = fiche.id
    scratch_app.config["BASEMAP"] = "none"
    server, thread = serve(scratch_app)
    page = Watched(chromium, f"http://127.0.0.1:{server.server_port}")
    try:
        assert page.goto(f"/herentals/fiches/{target}").status == 200
        page.page.locator(".page-map path.leaflet-interactive").first.click(force=True)
        page.page.wait_for_timeout(300)
        assert page.page.locator("h1").inner_text() == f"Zwembad {evil}"
        page.check_clean()
        page.goto("/herentals/wijken/1301107")
        page.check_clean()
        assert f"Zwembad {evil}" in page.page.locator("#wijk-fiches").inner_text()
    finally:
        page.close()
        server.shutdown()
        thread.join(5)


def test_cijfers_page_desktop_and_phone(watched, phone):
    """"Herentals in cijfers" (issue 13): 51 rows, axe clean, no sideways scrolling on a phone."""
    for page, label in ((watched, "desktop"), (phone, "phone")):
        check_page(page, "/herentals/cijfers", f"cijfers-herentals-{label}", map_shapes=0, chart=None)
        assert page.page.locator("tr[data-indicator]").count() == 51
    assert not phone.overflows_horizontally(), f"/herentals/cijfers scrolls sideways at {PHONE['width']} px"
