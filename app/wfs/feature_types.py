"""What the WFS serves: one feature type per geometry type, so a client
that takes a layer's type from its schema (QGIS, GDAL) gets every feature.

- fiches-<slug>-punten / -lijnen / -vlakken: a city's published fiches
  (the /ogc collection fiches-<slug>) whose place is a (multi)point, line
  or polygon; fiches without a place are not in the WFS (see /ogc);
- fasen-<slug>-punten / -lijnen / -vlakken: the phases of those fiches (the
  /ogc collection fasen of that city), placed at their own or their fiche's
  geometry;
- wijken: the wijken of all cities (MultiPolygon).

The queries are /ogc's (app.ogcapi's collections over app.read), narrowed
by one SQL condition on the geometry's dimension, so counts and paging
stay exact and drafts never come out. Geometries are promoted to Multi.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import shapely
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from ..models import Fiche, Municipality, Phase
from ..ogcapi.base import Collection, Page
from ..ogcapi.collections import PhasesCollection, WijkenCollection
from ..ogcapi.fiches import FichesCollection
from ..ogcapi.params import ItemsQuery
from ..read.queries import FicheFilters, fiche_conditions
from ..read.records import Field
from ..spatial import extents_by, geometry_dimension


@dataclass(frozen=True)
class Shape:
    """One geometry type: the name suffix (Dutch, also in the titles), its
    dimension, the Multi type and its GML property type (GDAL and QGIS read
    the layer type from it)."""
    suffix: str
    dimension: int
    multi: type
    gml_type: str


POINTS = Shape("punten", 0, shapely.MultiPoint, "MultiPointPropertyType")
LINES = Shape("lijnen", 1, shapely.MultiLineString, "MultiCurvePropertyType")
POLYGONS = Shape("vlakken", 2, shapely.MultiPolygon, "MultiSurfacePropertyType")
SHAPES = (POINTS, LINES, POLYGONS)

F = aliased(Fiche)
ILLUSTRATIVE_FICHES = (
    "De ligging is wat de stad aanduidde (ligging = indicatief: een benaderende plaats). Budgetten, fasen en "
    "SDG's zijn in deze demo deels illustratief: zie de velden illustratief, budget_illustratief en "
    "sdgs_illustratief.")
PHASES_NOTE = (
    "Een fase zonder eigen ligging krijgt die van haar fiche (eigen_geometrie = false). De planning is in deze "
    "demo illustratief (veld illustratief = true): voorbeelddata, geen beslissingen.")


class FicheShapes(FichesCollection):
    """fiches-<slug> of /ogc, only the fiches of one dimension."""

    def __init__(self, municipality: Municipality, shape: Shape):
        super().__init__(municipality)
        self.shape = shape

    def filters(self, session, query: ItemsQuery):
        filters = super().filters(session, query)
        if filters is None:
            return None
        of_shape = select(F.id).where(geometry_dimension(F.geom) == self.shape.dimension)
        filters.ids = of_shape if filters.ids is None else of_shape.where(F.id.in_(filters.ids))
        return filters


class PhaseShapes(PhasesCollection):
    """fasen of /ogc, only one city's phases placed at a geometry of one dimension."""

    def __init__(self, municipality: Municipality, shape: Shape):
        self.municipality, self.shape = municipality, shape

    def _conditions(self, session, query=None):
        conditions = super()._conditions(session, query)
        if conditions is None:
            return None
        place = func.coalesce(Phase.geom, Fiche.geom)  # the rule of load_phase_rows: own place, else the fiche's
        return [*conditions, Municipality.id == self.municipality.id,
                geometry_dimension(place) == self.shape.dimension]


@dataclass
class FeatureType:
    """One WFS feature type over a collection of /ogc."""
    name: str
    title: str
    abstract: str
    shape: Shape
    collection: Collection

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.collection.fields

    def page(self, session: Session, query: ItemsQuery, base_url: str) -> Page:
        """One page, geometries promoted to the type's Multi geometry."""
        page = self.collection.items(session, query, base_url)
        page.geoms = [as_multi(g, self.shape) for g in page.geoms]
        return page

    def hits(self, session: Session, query: ItemsQuery, base_url: str) -> int:
        """How many features match (resultType=hits): a page of one and its count."""
        return self.collection.items(session, replace(query, limit=1, offset=0), base_url).matched



def as_multi(geom, shape: Shape):
    """A single geometry as its Multi type; a collection keeps the parts of
    the type's dimension (it was selected by its highest dimension)."""
    if geom is None or isinstance(geom, shape.multi):
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_dimensions(p) == shape.dimension]
    flat = [q for p in parts for q in (shapely.get_parts(p) if isinstance(p, shape.multi) else [p])]
    return shape.multi(flat)


def feature_types(session: Session) -> list[FeatureType]:
    """Every feature type, the cities read from the database now."""
    types = []
    for city in session.scalars(select(Municipality).order_by(Municipality.name)):
        for shape in SHAPES:
            types.append(FeatureType(
                f"fiches-{city.slug}-{shape.suffix}", f"Projectfiches {city.name} ({shape.suffix})",
                f"De gepubliceerde projecten van {city.name} met als ligging {shape.suffix}: één kenmerk per fiche, "
                f"de andere liggingen in de andere lagen. {ILLUSTRATIVE_FICHES}",
                shape, FicheShapes(city, shape)))
        for shape in SHAPES:
            types.append(FeatureType(
                f"fasen-{city.slug}-{shape.suffix}", f"Fasen van de projecten van {city.name} ({shape.suffix})",
                f"De fasen (studie, ontwerp, uitvoering ...) van de gepubliceerde projecten van {city.name} met als "
                f"ligging {shape.suffix}, met hun start- en einddatum. {PHASES_NOTE}",
                shape, PhaseShapes(city, shape)))
    wijken = WijkenCollection()
    types.append(FeatureType(wijken.id, wijken.title, wijken.description, POLYGONS, wijken))
    return types


def extents(session: Session) -> dict[str, tuple[float, float, float, float]]:
    """{type name: bounding box in EPSG:31370} of every non-empty type, in
    seven queries whatever the number of cities (per type, the capabilities
    of 300 cities would run 1,800). The same conditions as the types' own."""
    slugs = {city_id: slug for city_id, slug in session.execute(select(Municipality.id, Municipality.slug))}
    fiches = fiche_conditions(session, FicheFilters())
    phases = PhasesCollection()._conditions(session) or []  # the conditions PhaseShapes narrows, all cities
    place = func.coalesce(Phase.geom, Fiche.geom)
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for shape in SHAPES:
        for kind, column, conditions in (("fiches", Fiche.geom, fiches), ("fasen", place, phases)):
            of_shape = and_(*conditions, geometry_dimension(column) == shape.dimension)
            for city_id, box in extents_by(session, column, Fiche.municipality_id, of_shape).items():
                boxes[f"{kind}-{slugs[city_id]}-{shape.suffix}"] = box
    wijken = WijkenCollection().spatial_extent(session)
    if wijken is not None:
        boxes[WijkenCollection.id] = wijken
    return boxes


def feature_type(session: Session, name: str) -> FeatureType | None:
    """The type called `name` (with or without the fk: prefix), or None."""
    local = name.split(":", 1)[-1]
    return next((t for t in feature_types(session) if t.name == local), None)
