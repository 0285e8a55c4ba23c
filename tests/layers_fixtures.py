"""Small Herentals-like FeatureCollections (EPSG:4326) for the layer tests."""
from __future__ import annotations

import json
import re

X, Y = 4.8366, 51.1766  # Herentals, Grote Markt area
# Markup for the browser (XSS) and template syntax for the server: branca
# compiles rendered output as Jinja unless layers/rendered.py is installed.
HOSTILE_TITLE = "<img src=x onerror=alert(1)> {{ 7*7 }} {% if true %}ja{% endif %} {# weg #}"


def square(x: float, y: float, d: float = 0.004) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def feature(geometry, **props) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def fiche(id, geometry, **overrides) -> dict:
    props = {
        "id": id, "ref": f"HER-T-{id:02d}", "number": str(id), "code": None, "title": f"Fiche {id}",
        "kind": "fiche", "sector": "Stadsontwikkeling", "status": "gepland", "obligation": "keuze",
        "priority": False, "progress_pct": None, "geometry_precision": "exact", "location_description": "",
        "budget_total_eur": None, "budget_illustrative": False, "year_start": 2025, "year_end": 2027,
        "url": f"/herentals/fiches/{id}", "sdgs": [11], "municipality": "13011",
    }
    props.update(overrides)
    return feature(geometry, **props)


def fiches_fc() -> dict:
    """6 fiches: 2 points, 1 line, 1 polygon, 1 multipolygon (2 parts), 1 without geometry."""
    return {"type": "FeatureCollection", "features": [
        fiche(1, {"type": "Point", "coordinates": [X, Y]}, title=HOSTILE_TITLE, sector="Burger en Samenleving",
              status="lopend", budget_total_eur=1_234_567.0, budget_illustrative=True, priority=True),
        fiche(2, square(X + 0.012, Y + 0.002), title="Nieuw zwembad Netepark", sector="Vrije Tijd",
              geometry_precision="indicatief", location_description="rond het huidige zwembad",
              budget_total_eur=25_000_000.0),
        fiche(3, {"type": "LineString", "coordinates": [[X - 0.012, Y - 0.006], [X, Y - 0.007], [X + 0.01, Y - 0.005]]},
              title="RWA-as Lierseweg", status="voorstel", budget_total_eur=800_000.0),
        fiche(4, {"type": "Point", "coordinates": [X - 0.006, Y + 0.004]}, title="Hoppinpunt station",
              sector="Zorg", status="gerealiseerd", geometry_precision="indicatief", code="V1.5"),
        fiche(5, {"type": "MultiPolygon", "coordinates": [square(X - 0.02, Y - 0.002)["coordinates"],
                                                          square(X - 0.014, Y - 0.002)["coordinates"]]},
              title="Sint-Janneke sportzone", sector="Ondersteunende Diensten", status="uitgesteld",
              budget_total_eur=300_000.0),
        fiche(6, None, title="Stadsbrede dienstverlening", sector="Ondersteunende Diensten"),
    ]}


def phases_fc() -> dict:
    """Phases spread over 2025-2028; one without dates, one without geometry."""
    def phase(id, geometry, kind, start, end, **extra):
        return feature(geometry, id=id, fiche_id=id, fiche_ref=f"HER-T-{id:02d}", fiche_title=f"Fiche {id}",
                       title=f"Fase {id}", phase_kind=kind, start=start, end=end, status="gepland",
                       illustrative=extra.pop("illustrative", False), url=f"/herentals/fiches/{id}", **extra)
    return {"type": "FeatureCollection", "features": [
        phase(1, {"type": "Point", "coordinates": [X, Y]}, "studie", "2025-01-01", "2025-12-31", illustrative=True),
        phase(2, square(X + 0.012, Y + 0.002), "uitvoering", "2026-06-01", "2028-03-01"),
        phase(3, {"type": "LineString", "coordinates": [[X - 0.012, Y - 0.006], [X + 0.01, Y - 0.005]]},
              "ontwerp", "2025-12-31", "2026-01-01"),
        phase(4, {"type": "Point", "coordinates": [X - 0.006, Y + 0.004]}, "vergunning", None, "2026-01-01"),
        phase(5, None, "oplevering", "2027-01-01", "2027-02-01"),
    ]}


def wijken_fc(values=(10.5, 20.25, None, 31.0, 12.0)) -> dict:
    """A row of square wijken north of the centre, with indicator and budget values."""
    features = []
    for i, value in enumerate(values):
        features.append(feature(
            square(X - 0.03 + 0.012 * i, Y + 0.012, 0.011),
            code=f"13011A0{i}", name=f"Wijk {i + 1}", level="wijk", value=value,
            amount_eur=150_000.0 * (i + 1), eur_per_inhabitant=None if value is None else 40.0 * (i + 1),
            population=None if value is None else 1000.0 + i, illustrative=(i == 1),
        ))
    return {"type": "FeatureCollection", "features": features}


def areas_fc() -> dict:
    """A gemeente outline around everything, two deelgemeenten and the wijken."""
    gemeente = feature(square(X - 0.04, Y - 0.03, 0.08), code="13011", name="Herentals", level="gemeente")
    deel = [feature(square(X - 0.04 + 0.04 * i, Y - 0.03, 0.04), code=f"13011-{i}", name=n, level="deelgemeente")
            for i, n in enumerate(("Herentals", "Morkhoven"))]
    return {"type": "FeatureCollection", "features": [gemeente, *deel, *wijken_fc()["features"]]}


# --- rendering helpers ----------------------------------------------------------
def render(*elements, **map_kwargs) -> str:
    """A standalone page (localized, so it also proves no CDN link is left) with the elements."""
    from layers.base import build_base_map, render_standalone

    map_kwargs.setdefault("basemap", "none")
    m = build_base_map(**map_kwargs)
    for element in elements:
        element.add_to(m)
    return render_standalone(m)


def visible(html: str) -> str:
    r"""The page with JSON \uXXXX escapes undone: what innerHTML would receive.

    `\u003cimg` inside a JS string is still `<img` once Leaflet puts it into
    innerHTML, so escaping assertions must look at this form.
    """
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)


def embedded_collections(html: str) -> list[dict]:
    """Every FeatureCollection folium embedded (GeoJson `_add(...)`, `L.timeline(...)`)."""
    decoder = json.JSONDecoder()
    out = []
    for match in re.finditer(r"_add\(|L\.timeline\(\s*", html):
        try:
            data, _ = decoder.raw_decode(html, match.end())
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            out.append(data)
    return out
