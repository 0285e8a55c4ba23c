"""layers.budgets: proportional circles per fiche and the budget per wijk."""
from __future__ import annotations

import json
import re

import mapclassify
import numpy as np
import pytest
import shapely

from layers.budgets import (MAX_RADIUS_PX, build_budget_symbols_layer, build_wijk_budget_layer, radius_for,
                            reference_amounts)
from layers.choropleth import classify
from layers.popups import esc
from layers_fixtures import HOSTILE_TITLE, embedded_collections, fiches_fc, render, visible, wijken_fc


def symbol_styles(html: str) -> list[dict]:
    return [json.loads(s) for s in re.findall(r"return (\{\"className\": \"fk-budget[^;]*\});", html)]


def test_circle_area_is_proportional_to_the_budget():
    assert radius_for(25e6, 25e6) == MAX_RADIUS_PX
    assert radius_for(25e6 / 4, 25e6) == pytest.approx(MAX_RADIUS_PX / 2)
    a, b = radius_for(8e5, 25e6), radius_for(3.2e6, 25e6)
    assert (b / a) ** 2 == pytest.approx(4)  # 4x the money, 4x the area
    assert radius_for(1, 25e6) == 3  # still visible
    assert radius_for(0, 25e6) == 0


def test_reference_amounts_are_round_and_below_the_maximum():
    assert reference_amounts(25e6) == [20e6, 5e6, 1e6]
    assert reference_amounts(1_234_567) == [1e6, 200e3]  # 20.000 € would be a dot under 4 px
    assert reference_amounts(0) == []


def test_symbols_at_representative_points_largest_first():
    html = visible(render(*build_budget_symbols_layer(fiches_fc())))
    (fc,) = embedded_collections(html)
    assert len(fc["features"]) == 4  # fiches with a budget: 1, 2, 3, 5
    assert all(f["geometry"]["type"] == "Point" for f in fc["features"])
    titles = [re.match(r"(.*?)<br>", f["properties"]["tooltip"]).group(1) for f in fc["features"]]
    assert titles[:2] == ["Nieuw zwembad Netepark", esc(HOSTILE_TITLE)]  # 25 M first
    polygon = shapely.geometry.shape(fiches_fc()["features"][1]["geometry"])
    assert polygon.contains(shapely.geometry.shape(fc["features"][0]["geometry"]))
    radii = sorted((s["radius"] for s in symbol_styles(html)), reverse=True)
    assert radii[0] == MAX_RADIUS_PX and radii == sorted(radii, reverse=True)
    assert all(s.get("fill") is True for s in symbol_styles(html))
    assert any("dashArray" in s for s in symbol_styles(html))  # fiche 1's budget is illustrative


def test_symbol_legend_reference_circles_in_euro():
    html = visible(render(*build_budget_symbols_layer(fiches_fc())))
    for label in ("20.000.000 €", "5.000.000 €", "1.000.000 €"):
        assert f">{label}</text>" in html
    assert 'aria-label=\\"Referentiecirkels: 20.000.000 €, 5.000.000 €, 1.000.000 €\\"' in html
    assert "evenredig met het totale budget" in html
    assert "Illustratieve cijfers" in html and "Illustratief budget" in html
    assert "± 1,2 miljoen € (illustratief)" in html  # an illustrative amount is shown rounded


def test_no_illustrative_mark_without_illustrative_budgets():
    fc = fiches_fc()
    for f in fc["features"]:
        f["properties"]["budget_illustrative"] = False
    html = visible(render(*build_budget_symbols_layer(fc)))
    assert "Illustratieve cijfers" not in html and "Illustratief budget" not in html


def test_wijk_budget_in_euro_with_mapclassify_classes():
    html = visible(render(*build_wijk_budget_layer(wijken_fc(), measure="amount_eur", period_label="2025-2030", k=3)))
    amounts = [f["properties"]["amount_eur"] for f in wijken_fc()["features"]]
    expected = mapclassify.Quantiles(np.array(amounts), k=3).bins
    assert classify(amounts, "quantiles", 3).bins == pytest.approx(list(expected))
    assert "<span>150.000 € – 350.000 €</span>" in html and "<span>550.000 € – 750.000 €</span>" in html
    assert "Budget per wijk" in html and "Periode: 2025-2030" in html and "Bedragen in euro" in html
    assert "Illustratieve cijfers" in html  # wijk 2 is illustrative
    assert "geen gegevens" not in html  # every wijk has an amount


def test_wijk_budget_per_inhabitant_with_no_data():
    html = visible(render(*build_wijk_budget_layer(wijken_fc(), measure="eur_per_inhabitant", period_label="2026")))
    assert "Budget per inwoner" in html and "/inwoner</span>" in html
    assert "<span>geen gegevens</span>" in html  # wijk 3 has no population
    tooltips = [f["properties"]["tooltip"] for f in embedded_collections(html)[0]["features"]]
    assert tooltips[1] == "<strong>Wijk 2</strong><br>80 €/inwoner<br>Totaal: 300.000 € (illustratief)"
    assert tooltips[2].startswith("<strong>Wijk 3</strong><br>geen gegevens")
    with pytest.raises(ValueError):
        build_wijk_budget_layer(wijken_fc(), measure="population")


def test_no_illustrative_mark_on_real_wijk_budgets():
    fc = wijken_fc()
    for f in fc["features"]:
        f["properties"]["illustrative"] = False
    html = visible(render(*build_wijk_budget_layer(fc)))
    assert "Illustratieve cijfers" not in html
