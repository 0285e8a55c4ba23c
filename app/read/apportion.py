"""Budget per wijk: how much of a fiche's place lies in each wijk.

Pure geometry (EPSG:31370, metres), the same on both databases:
- a point goes to the wijk that contains it (a multipoint: equal shares per point);
- a line is shared by the length that lies in each wijk;
- a polygon is shared by the area that lies in each wijk;
- shares are normalised over the part inside the wijken, so they sum to 1;
- a fiche without geometry, or wholly outside every wijk, is city-wide
  (an empty dict), and is reported apart, not spread.

The place of a budget line is the most specific one known (`place_of_line`):
the own geometry of the phase the line names (`phase_position`), else the
fiche's place. So a multi-place fiche whose works are all at one of its
places puts its money there, not in equal shares over every place.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from ..spatial import from_db


class WijkIndex:
    """The wijken of a city with a spatial index, for repeated share queries.

    One index serves every thread of a worker (app.http.kept), but GEOS's
    prepared geometries are not thread-safe (libgeos/geos#825) and shapely
    releases the GIL while it uses them: two requests sharing the index at
    once crashed the worker (SIGSEGV under the load test, gthread workers).
    A lock lets one query in at a time."""

    def __init__(self, wijken: list[tuple[str, BaseGeometry]]):
        self._lock = threading.Lock()
        self.codes = [code for code, _ in wijken]
        self.geoms = np.array([geom for _, geom in wijken], dtype=object)
        # Prepared once: the exact tests of every query (point in wijk, does
        # a shape touch a wijk) use the wijk's edge index instead of all its vertices.
        shapely.prepare(self.geoms)
        self.tree = STRtree(self.geoms)

    def shares(self, geom: BaseGeometry | None) -> dict[str, float]:
        return self.shares_many([geom])[0]

    def shares_many(self, geoms: Sequence[BaseGeometry | None]) -> list[dict[str, float]]:
        """shares() of each geometry, with one index query for all of them."""
        with self._lock:
            return self._shares_many(geoms)

    def _shares_many(self, geoms: Sequence[BaseGeometry | None]) -> list[dict[str, float]]:
        geom_array = np.asarray(geoms, dtype=object)
        weights: list[dict[str, float]] = [{} for _ in range(len(geom_array))]
        placed = ~(shapely.is_missing(geom_array) | shapely.is_empty(geom_array))
        family = np.where(placed, shapely.get_type_id(geom_array), -1)
        points = np.isin(family, (0, 4))            # Point, MultiPoint: by count
        lines = np.isin(family, (1, 5))             # LineString, MultiLineString: by length
        shapes = placed & ~points & ~lines          # the others (polygons): by area
        self._add_point_weights(geom_array, np.flatnonzero(points), weights)
        self._add_overlap_weights(geom_array, np.flatnonzero(lines), shapely.length, weights)
        self._add_overlap_weights(geom_array, np.flatnonzero(shapes), shapely.area, weights)
        return [_normalise(w) for w in weights]

    def _candidates(self, geoms):
        """(input position, wijk position) pairs whose shapes intersect, in
        the order of the inputs: bounding boxes from the tree, then the exact
        test against the prepared wijk."""
        pairs = self.tree.query(geoms)
        hit = shapely.intersects(self.geoms[pairs[1]], geoms[pairs[0]])
        return pairs[0][hit], pairs[1][hit]

    def _add_point_weights(self, geoms, which, weights) -> None:
        if not len(which):
            return
        parts, owner = shapely.get_parts(geoms[which], return_index=True)
        part_of, wijk_of = self._candidates(parts)
        wijk_per_part: dict[int, str] = {}
        for part, wijk in zip(part_of.tolist(), wijk_of.tolist()):
            # A point on a shared border goes to one wijk: the lowest code.
            code = self.codes[wijk]
            if part not in wijk_per_part or code < wijk_per_part[part]:
                wijk_per_part[part] = code
        for part, code in wijk_per_part.items():
            w = weights[which[owner[part]]]
            w[code] = w.get(code, 0.0) + 1.0

    def _add_overlap_weights(self, geoms, which, measure, weights) -> None:
        if not len(which):
            return
        subset = geoms[which]
        inputs, wijken = self._candidates(subset)
        # A shape inside one wijk and touching no other is all in it: its share
        # is 1 whatever the measure, so the costly overlay is left out.
        alone = np.bincount(inputs, minlength=len(subset))[inputs] == 1
        inside = np.zeros(len(inputs), dtype=bool)
        inside[alone] = shapely.contains_properly(self.geoms[wijken[alone]], subset[inputs[alone]])
        amounts = np.empty(len(inputs))
        amounts[inside] = measure(subset[inputs[inside]])
        amounts[~inside] = measure(shapely.intersection(subset[inputs[~inside]], self.geoms[wijken[~inside]]))
        for i, wijk, amount in zip(inputs.tolist(), wijken.tolist(), amounts.tolist()):
            if amount > 0:
                w = weights[which[i]]
                w[self.codes[wijk]] = w.get(self.codes[wijk], 0.0) + amount


def _normalise(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {code: w / total for code, w in sorted(weights.items())} if total > 0 else {}


def place_of_line(line, fiche_place: BaseGeometry | None,
                  phase_places: dict[int, BaseGeometry]) -> BaseGeometry | None:
    """The most specific place a budget line concerns: the geometry of the
    phase it names when that phase has one, otherwise the fiche's place."""
    if line.phase_position is not None and line.phase_position in phase_places:
        return phase_places[line.phase_position]
    return fiche_place


def _shape(geom) -> BaseGeometry | None:
    """A model's geometry column value or a read-model row's shapely geometry -> shapely."""
    return geom if geom is None or isinstance(geom, BaseGeometry) else from_db(geom)


def line_shares(index: WijkIndex, fiche, lines) -> list[dict[str, float]]:
    """WijkIndex.shares of each budget line's place (see place_of_line).
    The fiche's phases are read only when a line names one."""
    fiche_place = _shape(fiche.geom)
    phase_places: dict[int, BaseGeometry] = {}
    if any(line.phase_position is not None for line in lines):
        phase_places = {p.position: _shape(p.geom) for p in fiche.phases if p.geom is not None}
    places = [place_of_line(line, fiche_place, phase_places) for line in lines]
    distinct = list({id(g): g for g in places}.values())
    by_place = dict(zip((id(g) for g in distinct), index.shares_many(distinct)))
    return [by_place[id(g)] for g in places]
