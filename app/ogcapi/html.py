"""HTML pages of the API for people (Dutch): each renders the same document
the JSON answer carries. Jinja escapes every value."""
from __future__ import annotations

from flask import render_template

from ..http.web import ERROR_TITLES
from ..read.features import MAP_DECIMALS, to_features
from ..read.stored_records import JsonRecords
from .base import Collection, Page
from .collections import IndicatorsCollection, PhasesCollection, WijkenCollection
from .fiches import FichesCollection
from .params import SUPPORTED_CRS

# the columns of an items table, per kind of collection
SUMMARY_COLUMNS = {
    FichesCollection: ("nummer", "code", "titel", "sector", "status", "illustratief"),
    PhasesCollection: ("fiche_ref", "titel", "soort", "start", "einde", "illustratief"),
    WijkenCollection: ("code", "naam", "gemeente"),
    IndicatorsCollection: ("wijk_naam", "indicator_naam", "periode", "waarde", "eenheid", "illustratief"),
}
HEADERS = {
    "nummer": "Nr.", "code": "Code", "titel": "Titel", "sector": "Sector", "status": "Status",
    "illustratief": "Illustratief", "fiche_ref": "Fiche", "soort": "Soort", "start": "Start", "einde": "Einde",
    "naam": "Naam", "gemeente": "Gemeente", "wijk_naam": "Wijk", "indicator_naam": "Indicator",
    "periode": "Periode", "waarde": "Waarde", "eenheid": "Eenheid",
}
CRS_LABELS = {c.uri: c.label for c in SUPPORTED_CRS}


def display(value) -> str:
    """A property value as a person reads it (Dutch booleans, decimal comma)."""
    if value is None or value == "":
        return "–"
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if isinstance(value, float):
        text = f"{value:,.2f}" if abs(value) >= 1000 else f"{value:g}"
        return text.replace(",", " ").replace(".", ",")
    return str(value)


def link_of(doc: dict, rel: str, type_: str | None = None) -> str | None:
    for item in doc.get("links", []):
        if item["rel"] == rel and (type_ is None or item["type"] == type_):
            return item["href"]
    return None


def feature_map(page: Page | None, label: str) -> dict | None:
    """A small map of the page's features, whatever CRS the page was asked
    in: layers/ and the app's own Leaflet (never a CDN). Geometries only: no
    text of the features goes into the map's script."""
    placed = [g for g in page.geoms if g is not None] if page else []
    if not placed:
        return None
    import folium

    from layers.base import build_base_map, render_map_parts
    from layers.geojson import bounds_of

    from ..basemap import basemap_setting

    shapes = to_features(placed, [{} for _ in placed], ids=list(range(len(placed))), decimals=MAP_DECIMALS)
    m = build_base_map(bounds_of(shapes), basemap_setting(), label=label)
    folium.GeoJson(
        shapes,
        name="Kenmerken", marker=folium.CircleMarker(radius=6, weight=2),
        style_function=lambda _feature: {"color": "#0b5cad", "weight": 2, "fillOpacity": 0.25},
    ).add_to(m)
    return render_map_parts(m)


def render(template: str, doc: dict, collection: Collection | None = None, page: Page | None = None,
           **context) -> str:
    fields = {f.name: f for f in collection.fields} if collection else {}
    columns = next((cols for cls, cols in SUMMARY_COLUMNS.items() if isinstance(collection, cls)), ())
    map_parts = feature_map(page, f"Kaart: {collection.title}" if collection else "Kaart")
    if page is not None and isinstance(page.records, JsonRecords):  # stored records are JSON text in the doc
        for feature, record in zip(doc["features"] if "features" in doc else [doc], page.records):
            feature["properties"] = record
    return render_template(
        f"ogcapi/{template}.html", doc=doc, collection=collection, fields=fields, columns=columns,
        display=display, link_of=link_of, crs_labels=CRS_LABELS, headers=HEADERS, map_parts=map_parts,
        # the documents carry geometries as GeoJSON text (orjson.Fragment): the types come from the page
        geometry_types=[g.geom_type if g is not None else None for g in page.geoms] if page else [], **context,
    )


def error_page(status: int, description: str) -> str:
    return render_template("errors/error.html", status=status, title=ERROR_TITLES.get(status, "Fout"),
                           text=description)
