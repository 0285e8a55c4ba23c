"""Geometry on small maps in the staff workspace (issue 12 item 2): the fiche
history shows each geometry change before (grey, dashed) and after (colour)
with a Dutch text summary and the WKT in a <details>; the form shows the
refused shape beside a geometry error. Both databases (scratch_app)."""
from __future__ import annotations

import json
import re
from html import unescape

import shapely

from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import fill, page_form
from test_staff import (BOW_TIE, ENGLAND_BOX_4326, HERENTALS_BOX_4326, a_herentals_project, as_user, edit_url,
                        feature_collection, post, state_of)


def shape_maps_in(html: str) -> list[dict]:
    """The {"old", "new"} GeoJSON of every small map on a page."""
    return [json.loads(unescape(m)) for m in re.findall(r'class="shape-map"[^>]*data-shapes="([^"]*)"', html)]


def outline_of(html: str) -> dict | None:
    found = re.search(r'data-outline="([^"]*)"', html)
    return json.loads(unescape(found.group(1))) if found else None


def test_history_draws_the_old_and_the_new_geometry(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    # First a place, then another one: the second revision has both sides.
    first = shapely.box(*HERENTALS_BOX_4326)
    second = shapely.box(4.845, 51.175, 4.85, 51.18)
    for shape in (first, second):
        values = page_form(client, edit_url(fiche_id))
        fill(values, {"geometrie_geojson": feature_collection(shape), "ligging": "indicatief"})
        assert post(client, edit_url(fiche_id), values).status_code == 302
    # A change without geometry gets no map.
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"titel": "Titel zonder nieuwe ligging"})
    assert post(client, edit_url(fiche_id), values).status_code == 302

    page = client.get(f"/beheer/herentals/fiches/{fiche_id}/geschiedenis")
    assert page.status_code == 200
    html = page.text
    maps = shape_maps_in(html)
    assert len(maps) >= 2                                   # the two geometry changes, newest first
    newest = maps[0]
    assert shapely.geometry.shape(newest["new"]).equals_exact(second, 1e-6)
    assert shapely.geometry.shape(newest["old"]).equals_exact(first, 1e-6)
    assert maps[1]["new"] and shapely.geometry.shape(maps[1]["new"]).equals_exact(first, 1e-6)
    # The map is decorative; the words and the WKT carry the same.
    assert 'aria-hidden="true"' in html
    text = unescape(html)
    assert "vlak, 5 punten" in text and " ha, rond (" in text
    assert "De nieuwe ligging ligt" in text and "m van de oude." in text
    assert "<summary>WKT (EPSG:31370)</summary>" in html and "POLYGON ((" in html
    assert "Oude ligging (grijs, gestreept)" in text and "nieuwe ligging (oranje)" in text
    # The city outline as context, and Leaflet from the app itself.
    outline = outline_of(html)
    assert len(json.dumps(outline)) < 20_000                     # simplified: context, not data
    assert outline and outline["type"] in ("Polygon", "MultiPolygon")
    assert shapely.geometry.shape(outline).contains(first)
    assert "/static/vendor/leaflet/dist/leaflet.js" in html and "staff/shape-map.js" in html
    # Exactly the revisions that changed the geometry have a map.
    revisions = re.split(r'<article class="revision"', html)[1:]
    assert sum('class="shape-map"' in r for r in revisions) == len(maps)
    assert 'class="shape-map"' not in revisions[0]           # the title change


def test_history_without_geometry_changes_loads_no_map(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"titel": "Enkel een nieuwe titel"})
    assert post(client, edit_url(fiche_id), values).status_code == 302
    html = client.get(f"/beheer/herentals/fiches/{fiche_id}/geschiedenis").text
    assert 'class="shape-map"' not in html and "leaflet.js" not in html


def test_the_form_shows_the_refused_shape_beside_the_error(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    before = state_of(scratch_app, fiche_id)
    for shape, words in ((BOW_TIE, "snijdt zichzelf"), (shapely.box(*ENGLAND_BOX_4326), "buiten België")):
        values = page_form(client, edit_url(fiche_id))
        fill(values, {"geometrie_geojson": feature_collection(shape), "ligging": "exact"})
        refused = post(client, edit_url(fiche_id), values)
        assert refused.status_code == 422 and words in unescape(refused.text)
        error = refused.text.split('id="fout-geometrie"')[1]
        maps = shape_maps_in(error)
        assert len(maps) == 1
        assert shapely.geometry.shape(maps[0]["new"]).equals_exact(shapely.force_2d(shape), 1e-6)
        if before[1]:
            assert maps[0]["old"] is not None                 # the stored place, kept
        assert "Niet bewaarde vorm:" in unescape(error) and "EPSG" not in unescape(error.split("</div>")[0])
        assert "staff/shape-map.js" in refused.text
    assert state_of(scratch_app, fiche_id) == before


def test_an_unreadable_drawing_gets_the_error_without_a_map(scratch_app, staff):
    fiche_id, _ref = a_herentals_project(scratch_app)
    client = as_user(scratch_app, staff.redacteur)
    values = page_form(client, edit_url(fiche_id))
    fill(values, {"geometrie_geojson": "{niet: json", "ligging": "exact"})
    refused = post(client, edit_url(fiche_id), values)
    assert refused.status_code == 422 and "geen geldige GeoJSON" in refused.text
    assert 'class="shape-map"' not in refused.text


def test_summaries_in_dutch_and_no_map_for_a_huge_shape():
    from app.read import shape_maps

    square = shapely.box(180_000, 205_000, 180_100, 205_100)     # 1 ha, Lambert 72
    assert shape_maps.describe(square) == "vlak, 5 punten, 1,00 ha, rond (180.050, 205.050)"
    assert shape_maps.describe(shapely.Point(180_000, 205_000)).startswith("punt, 1 punt, rond (180.000")
    assert ", 1,50 km, " in shape_maps.describe(shapely.LineString([(180_000, 205_000), (181_500, 205_000)]))
    assert shape_maps.describe(None) == "geen ligging"
    line = shapely.LineString([(180_000 + i, 205_000 + (i % 2)) for i in range(shape_maps.MAX_MAP_VERTICES + 1)])
    shown = shape_maps.revision_shapes(None, line.wkt)
    assert shown["map"] is None and shown["new_text"].startswith("lijn, 20.001 punten")
    moved = shape_maps.revision_shapes(square.wkt, shapely.box(180_300, 205_000, 180_400, 205_100).wkt)
    assert moved["moved"] == "De nieuwe ligging ligt 200 m van de oude."


def test_an_invalid_shape_is_described_without_a_false_size():
    from app.read import shape_maps
    from app.crs import transform

    bow_tie = transform(BOW_TIE, 4326, 31370)
    text = shape_maps.describe(bow_tie)
    assert text.startswith("vlak, 5 punten, ongeldig, rond (18") and "m²" not in text
