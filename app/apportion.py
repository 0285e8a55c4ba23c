"""Budget per wijk: how much of a fiche's place lies in each wijk.

Pure geometry (EPSG:31370, metres), the same on both databases:
- a point goes to the wijk that contains it (a multipoint: equal shares per point);
- a line is shared by the length that lies in each wijk;
- a polygon is shared by the area that lies in each wijk;
- shares are normalised over the part inside the wijken, so they sum to 1;
- a fiche without geometry, or wholly outside every wijk, is city-wide
  (an empty dict), and is reported apart, not spread.
"""
from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree


class WijkIndex:
    """The wijken of a city with a spatial index, for repeated share queries."""

    def __init__(self, wijken: list[tuple[str, BaseGeometry]]):
        self.codes = [code for code, _ in wijken]
        self.geoms = [geom for _, geom in wijken]
        self.tree = STRtree(self.geoms)

    def shares(self, geom: BaseGeometry | None) -> dict[str, float]:
        if geom is None or geom.is_empty:
            return {}
        family = geom.geom_type.removeprefix("Multi")
        if family == "Point":
            return self._point_shares(geom)
        measure = shapely.length if family == "LineString" else shapely.area
        weights: dict[str, float] = {}
        for i in self.tree.query(geom, predicate="intersects"):
            amount = float(measure(shapely.intersection(geom, self.geoms[i])))
            if amount > 0:
                weights[self.codes[i]] = weights.get(self.codes[i], 0.0) + amount
        return _normalise(weights)

    def _point_shares(self, geom: BaseGeometry) -> dict[str, float]:
        weights: dict[str, float] = {}
        for point in shapely.get_parts(geom):
            hits = self.tree.query(point, predicate="intersects")
            if len(hits):
                # A point on a shared border goes to one wijk: the lowest code.
                code = min(self.codes[i] for i in hits)
                weights[code] = weights.get(code, 0.0) + 1.0
        return _normalise(weights)


def _normalise(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {code: w / total for code, w in sorted(weights.items())} if total > 0 else {}
