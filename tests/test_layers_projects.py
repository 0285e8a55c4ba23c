"""layers.projects: fiches by sector/status, indicative places, safe popups."""
from __future__ import annotations

import json
import re
import time

import pytest

from layers import styles
from layers.popups import fiche_popup, safe_href
from layers.projects import build_projects_layer
from layers_fixtures import HOSTILE_TITLE, X, Y, embedded_collections, fiche, fiches_fc, render, square, visible


def rendered(fc=None, **kwargs) -> str:
    group, legend = build_projects_layer(fiches_fc() if fc is None else fc, **kwargs)
    return render(group, legend)


def styles_in(html: str) -> list[dict]:
    return [json.loads(s) for s in re.findall(r"return (\{\"className\": \"fk-project[^;]*\});", html)]


def test_one_geojson_per_geometry_family_with_every_feature():
    html = rendered()
    collections = embedded_collections(html)
    by_type = sorted((fc["features"][0]["geometry"]["type"], len(fc["features"])) for fc in collections)
    # polygons: fiche 2 + fiche 5 (a MultiPolygon); lines: fiche 3; points: fiches 1 and 4; fiche 6 has no geometry.
    assert by_type == [("LineString", 1), ("Point", 2), ("Polygon", 2)]
    polygon_types = {f["geometry"]["type"] for fc in collections for f in fc["features"]}
    assert polygon_types == {"Point", "LineString", "Polygon", "MultiPolygon"}
    assert html.count("L.circleMarker") + html.count("new L.CircleMarker") >= 1
    # Only the pre-escaped HTML and the fiche id travel: no raw properties (budget, sdgs, municipality ...).
    props = {k for fc in collections for f in fc["features"] for k in f["properties"]}
    assert props == {"tooltip", "popup", "fid"}


def test_colours_per_sector_and_per_status_with_legends():
    html = visible(rendered(style_by="sector"))
    colours = {s["color"] for s in styles_in(html)}
    expected = {styles.SECTOR_COLORS[s] for s in ("Burger en Samenleving", "Vrije Tijd", "Stadsontwikkeling", "Zorg",
                                                  "Ondersteunende Diensten")}
    assert expected <= colours
    for sector in ("Burger en Samenleving", "Vrije Tijd", "Stadsontwikkeling", "Zorg", "Ondersteunende Diensten"):
        assert sector in html
    assert "Projecten per sector" in html

    html = visible(rendered(style_by="status"))
    colours = {s["color"] for s in styles_in(html)}
    assert {styles.STATUS_COLORS[s] for s in ("lopend", "gepland", "voorstel", "gerealiseerd", "uitgesteld")} <= colours
    assert styles.SECTOR_COLORS["Vrije Tijd"] not in colours
    for label in ("Lopend", "Gepland", "Voorstel", "Gerealiseerd", "Uitgesteld"):
        assert f"<span>{label}</span>" in html
    assert "Geschrapt" not in html  # only statuses that occur
    with pytest.raises(ValueError):
        build_projects_layer(fiches_fc(), style_by="budget")


def test_unknown_sector_falls_back_with_its_own_name():
    fc = {"type": "FeatureCollection", "features": [
        fiche(1, {"type": "Point", "coordinates": [X, Y]}, sector="Mobiliteit"),
        fiche(2, {"type": "Point", "coordinates": [X, Y]}, sector=None)]}
    html = visible(rendered(fc))
    assert {s["color"] for s in styles_in(html)} == {styles.FALLBACK_COLOR}
    assert "<span>Mobiliteit</span>" in html and "<span>Geen sector</span>" in html


def test_indicative_geometries_are_dashed_lighter_and_say_so():
    html = visible(rendered())
    dashed = [s for s in styles_in(html) if "fk-indicatief" in s["className"]]
    solid = [s for s in styles_in(html) if "fk-indicatief" not in s["className"]]
    assert dashed and all("dashArray" in s for s in dashed)
    assert all("dashArray" not in s for s in solid)
    polygon_dashed = next(s for s in dashed if s["color"] == styles.SECTOR_COLORS["Vrije Tijd"])
    polygon_solid = next(s for s in solid if s["color"] == styles.SECTOR_COLORS["Ondersteunende Diensten"])
    assert polygon_dashed["fillOpacity"] < polygon_solid["fillOpacity"]
    assert "Indicatieve ligging: rond het huidige zwembad" in html
    assert "Exacte ligging" in html and "Indicatieve ligging</span>" in html  # legend entries
    exact_popup = fiche_popup(fiches_fc()["features"][2]["properties"])
    assert "Indicatieve ligging" not in exact_popup


def test_popup_content_in_dutch():
    props = fiches_fc()["features"][0]["properties"]
    popup = fiche_popup({**props, "title": "Zwembad", "code": "V1.5", "progress_pct": 40})
    # The number the plan uses, never an internal code beside it; a code only without a number.
    assert '<p class="fk-popup-ref">Fiche 1</p>' in popup and "V1.5" not in popup
    assert '<p class="fk-popup-ref">V1.5</p>' in fiche_popup({**props, "number": None, "code": "V1.5"})
    # A note on how the place was drawn is for staff.
    noted = fiche_popup({**props, "geometry_precision": "indicatief",
                         "location_description": "Toekomstlaan (ligging bij benadering, niet nagekeken)"})
    # the public part of the note stays (the place is approximate), the staff's remark goes
    assert "Indicatieve ligging: Toekomstlaan (ligging bij benadering)<" in noted and "nagekeken" not in noted
    # A place text that says it is indicative is not told so twice.
    said = fiche_popup({**props, "geometry_precision": "indicatief",
                        "location_description": "Nederrij 99 (indicatieve ligging, met de hand geplaatst)"})
    assert "Ligging: Nederrij 99 (indicatieve ligging, met de hand geplaatst)<" in said
    assert said.lower().count("indicatie") == 1
    assert "<strong>Zwembad</strong>" in popup and "Prioritair" in popup
    assert "<dt>Sector</dt><dd>Burger en Samenleving</dd>" in popup
    assert "<dt>Status</dt><dd>Lopend</dd>" in popup
    # An illustrative amount is rounded (styles.format_eur_approx); a real one stays exact.
    assert "<dt>Totaal budget</dt><dd>± 1,2 miljoen € (illustratief)</dd>" in popup
    real = fiche_popup({**props, "budget_illustrative": False})
    assert "<dt>Totaal budget</dt><dd>1.234.567 €</dd>" in real
    assert "<dt>Jaren</dt><dd>2025–2027</dd>" in popup
    assert "<dt>Voortgang</dt><dd>40%</dd>" in popup
    assert '<a href="/herentals/fiches/1">Bekijk de fiche</a>' in popup
    no_budget = fiche_popup({**props, "budget_total_eur": None, "budget_illustrative": False})
    assert "<dd>niet gekend</dd>" in no_budget and "illustratief" not in no_budget


def test_every_text_is_escaped_on_the_server():
    hostile = {"sector": "<b>S</b>", "location_description": "<script>alert(2)</script>",
               "number": '"><svg onload=alert(3)>', "geometry_precision": "indicatief"}
    fc = {"type": "FeatureCollection", "features": [fiche(1, {"type": "Point", "coordinates": [X, Y]},
                                                          title=HOSTILE_TITLE, **hostile)]}
    html = visible(rendered(fc))
    assert HOSTILE_TITLE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # tooltip and popup show it as text
    assert "<script>alert(2)</script>" not in html and "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<svg onload" not in html and "<b>S</b>" not in html


@pytest.mark.parametrize("url,ok", [
    ("/herentals/fiches/1", True), ("https://www.herentals.be/fiche/1", True),
    ("javascript:alert(1)", False), ("//evil.example/x", False), ("data:text/html,x", False),
    (" JaVaScRiPt:alert(1)", False), ("/\\evil.example", False), (None, False),
])
def test_only_safe_fiche_links(url, ok):
    assert (safe_href(url) is not None) == ok
    props = {**fiches_fc()["features"][0]["properties"], "url": url}
    assert ("Bekijk de fiche" in fiche_popup(props)) == ok


def test_geometry_collection_and_geodataframe_input():
    collection = {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [X, Y]}, square(X, Y)]}
    html = rendered({"type": "FeatureCollection", "features": [fiche(1, collection)]})
    assert sorted(fc["features"][0]["geometry"]["type"] for fc in embedded_collections(html)) == ["Point", "Polygon"]

    geopandas = pytest.importorskip("geopandas")
    gdf = geopandas.GeoDataFrame.from_features(fiches_fc()["features"][:3], crs=4326).to_crs(31370)
    html = rendered(gdf)
    points = [f for fc in embedded_collections(html) for f in fc["features"] if f["geometry"]["type"] == "Point"]
    lon, lat = points[0]["geometry"]["coordinates"]
    assert lon == pytest.approx(X, abs=1e-6) and lat == pytest.approx(Y, abs=1e-6)  # back in EPSG:4326


def test_large_collections_stay_three_layers_and_render_quickly():
    features = []
    for i in range(1500):
        dx, dy = (i % 50) * 0.001, (i // 50) * 0.001
        geometry = square(X + dx, Y + dy, 0.0005) if i % 3 else {"type": "Point", "coordinates": [X + dx, Y + dy]}
        features.append(fiche(i + 1, geometry, sector=list(styles.SECTOR_COLORS)[i % 6],
                              geometry_precision="indicatief" if i % 7 == 0 else "exact"))
    started = time.perf_counter()
    html = rendered({"type": "FeatureCollection", "features": features})
    elapsed = time.perf_counter() - started
    collections = embedded_collections(html)
    assert len(collections) == 2 and sum(len(fc["features"]) for fc in collections) == 1500
    # One style per (sector, precision) combination, not one per feature.
    assert len(styles_in(html)) <= 2 * 6 * 2
    assert elapsed < 10, f"{elapsed:.1f} s"
    assert len(html) < 3_000_000
