"""Coordinate reference systems, in one place: the storage CRS, the CRSs
offered to partners (files, OGC API), the decimals each is written with, and
the transformations between them.

- Storage: Belgian Lambert 72 (EPSG:31370). Every geometry in the database is
  in it; lengths and areas are computed in it (metres).
- Offered: 31370, Belgian Lambert 2008 (EPSG:3812) and WGS 84 (EPSG:4326;
  GeoJSON and Leaflet use longitude/latitude order, always_xy here).
- Decimals: millimetres in the Lambert CRSs, 7 decimals (~1 cm) in degrees,
  so a partner comparing with the database sees no shift above 0.5 mm.
"""
from __future__ import annotations

import functools
import os

import numpy as np
import pyproj
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from . import ROOT

NGI_GRID_DIR = ROOT / "geodata" / "proj"
NGI_GRID = "be_ign_bd72lb72_etrs89lb08.tif"

STORAGE_EPSG = 31370
# WGS 84; with x = longitude first (always_xy, as everywhere here) it is OGC
# CRS84: GeoJSON's CRS, the maps' and the OGC API's default.
WGS84_EPSG = 4326
# What downloads, the OGC API (which adds CRS84: 4326 in lon/lat order), the CLI export and
# the staff's WKT import offer, storage first. A spatial file may declare any CRS pyproj knows.
OFFERED_EPSG = (STORAGE_EPSG, 3812, 4326)
CRS_LABELS = {
    STORAGE_EPSG: "Belgische Lambert 72 (BD72), meter",
    3812: "Belgische Lambert 2008 (ETRS89), meter",
    4326: "WGS 84, lengte- en breedtegraad in decimale graden",
}
DECIMALS = {4326: 7, STORAGE_EPSG: 3, 3812: 3}

# Belgium and a margin, in EPSG:31370 (metres). Lambert 72's area of use.
BELGIUM_31370 = shapely.box(10_000, 10_000, 310_000, 260_000)


def use_ngi_grid() -> None:
    """Put the NGI grid on PROJ's search path (once per process). Transformers
    built before this call keep the Helmert fallback: call it before any."""
    folder = str(NGI_GRID_DIR)
    if folder not in pyproj.datadir.get_data_dir().split(os.pathsep):
        pyproj.datadir.append_data_dir(folder)


use_ngi_grid()  # at import: app.models imports this module, so it runs before any transformation


def crs_name(epsg: int) -> str:
    """31370 -> 'EPSG:31370'."""
    return f"EPSG:{epsg}"


def parse_crs(value) -> CRS:
    """EPSG code (int or 'EPSG:31370'), 'CRS84', a URI or a pyproj CRS -> CRS."""
    if isinstance(value, CRS):
        return value
    try:
        if isinstance(value, int):
            return CRS.from_epsg(value)
        text = str(value).strip()
        if text.isdigit():
            return CRS.from_epsg(int(text))
        if text.endswith("/CRS84") or text.upper() == "CRS84":
            return CRS.from_epsg(4326)
        if "/EPSG/" in text:
            return CRS.from_epsg(int(text.rstrip("/").rsplit("/", 1)[1]))
        return CRS.from_user_input(text)
    except Exception as exc:
        from .geometry import GeometryError  # the error every geometry check raises (Dutch message)

        raise GeometryError(f"Onbekend coördinatenstelsel: {value!r}.") from exc


def epsg_of(crs) -> int | None:
    return parse_crs(crs).to_epsg()


# WGS 84 is reached through ETRS89 (EPSG:4258) and so through the NGI grid:
# asked for BD72 -> WGS 84 directly, PROJ picks a Helmert transformation
# (1 m class; 0.13-0.16 m from the grid in Herentals and Halle). ETRS89 and
# WGS 84 are taken as equal (EPSG's null "ETRS89 to WGS 84 (1)", as Belgian
# practice does): the same numbers in lon/lat. Both directions.
THROUGH_ETRS89 = {4326: 4258}


@functools.lru_cache(maxsize=64)
def _transformer(src_wkt: str, dst_epsg: int) -> Transformer:
    src = CRS.from_wkt(src_wkt)
    src = CRS.from_epsg(THROUGH_ETRS89[src.to_epsg()]) if src.to_epsg() in THROUGH_ETRS89 else src
    return Transformer.from_crs(src, CRS.from_epsg(THROUGH_ETRS89.get(dst_epsg, dst_epsg)), always_xy=True)


def transform(geom: BaseGeometry, src, dst) -> BaseGeometry:
    """Transform a 2D geometry between CRSs (x = east/longitude first)."""
    src_crs, dst_epsg = parse_crs(src), epsg_of(dst)
    if src_crs.to_epsg() == dst_epsg:
        return geom
    transformer = _transformer(src_crs.to_wkt(), dst_epsg)
    return shapely.transform(geom, lambda xy: _apply(transformer, xy))


def transform_many(geoms, src, dst):
    """Vectorised transform of an array of geometries (None stays None)."""
    if isinstance(src, int) and isinstance(dst, int):
        transformer = _epsg_transformer(src, dst)  # the common case, without parsing CRSs each time
    else:
        src_crs, dst_epsg = parse_crs(src), epsg_of(dst)
        transformer = None if src_crs.to_epsg() == dst_epsg else _transformer(src_crs.to_wkt(), dst_epsg)
    if transformer is None:
        return geoms
    return shapely.transform(geoms, lambda xy: _apply(transformer, xy))


@functools.lru_cache(maxsize=64)
def _epsg_transformer(src: int, dst: int) -> Transformer | None:
    """The transformer between two EPSG codes; None when they are the same CRS."""
    src_crs = parse_crs(src)
    if src_crs.to_epsg() == epsg_of(dst):
        return None
    return _transformer(src_crs.to_wkt(), epsg_of(dst))


def _apply(transformer: Transformer, xy):
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])




def round_coordinates(geoms, epsg: int):
    """Geometries (array or one) with coordinates rounded to DECIMALS[epsg]."""
    decimals = DECIMALS.get(epsg, 7)
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def from_storage(geoms, epsg: int) -> np.ndarray:
    """Shapely geometries in the storage CRS (None allowed) -> in `epsg`, rounded."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return geoms
    return round_coordinates(transform_many(geoms, STORAGE_EPSG, epsg), epsg)
