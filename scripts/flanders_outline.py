"""Writes geodata/areas/vlaanderen_omtrek.geojson: the outline of the 319
municipalities of geodata/areas/vlaanderen_wijken.gpkg (Flanders and
Brussels, 2024 boundaries; Statbel, Provincies in Cijfers) as one
MultiPolygon in EPSG:4326, simplified within 400 m and rounded to 0.001°
(about 100 m): the background of the start page's map when no basemap is
shown, 8 kB. Run from the repository root: .venv/bin/python scripts/flanders_outline.py
"""
from __future__ import annotations

import json
from pathlib import Path

import pyogrio
import shapely

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "geodata" / "areas" / "vlaanderen_wijken.gpkg"
TARGET = ROOT / "geodata" / "areas" / "vlaanderen_omtrek.geojson"
TOLERANCE_M = 400


def main() -> None:
    from pyproj import Transformer

    gemeenten = pyogrio.read_dataframe(SOURCE, layer="gemeenten")
    outline = shapely.union_all(gemeenten.geometry.values).simplify(TOLERANCE_M, preserve_topology=True)
    to_wgs84 = Transformer.from_crs(31370, 4326, always_xy=True)
    outline = shapely.set_precision(shapely.transform(outline, lambda xy: list(zip(*to_wgs84.transform(*xy.T))),
                                                      ), 0.001)
    feature = {"type": "Feature", "geometry": shapely.geometry.mapping(outline), "properties": {
        "naam": "Vlaanderen en Brussel",
        "bron": "Statbel, Provincies in Cijfers (gemeentegrenzen 2024), samengevoegd en vereenvoudigd (400 m)"}}
    TARGET.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, separators=(",", ":")) + "\n")
    print(f"{TARGET.relative_to(ROOT)}: {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main()
