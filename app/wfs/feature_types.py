"""What the WFS serves: one feature type per geometry type, so a client
that takes a layer's type from its schema (QGIS, GDAL) gets every feature.

- fiches-<slug>-punten / -lijnen / -vlakken: a city's published fiches
  (the /ogc collection fiches-<slug>) whose place is a (multi)point, line
  or polygon; fiches without a place are not in the WFS (see /ogc);
- fasen-<slug>-punten / -lijnen / -vlakken: the phases of those fiches (the
  /ogc collection fasen of that city), placed at their own or their fiche's
  geometry;
- wijken: the wijken of all cities (MultiPolygon).

The feature types are /ogc's collections per geometry family
(fiches-<slug>-punten ..., fasen-<slug>-punten ...: app.ogcapi), so the
rows, counts, paging and the Multi promotion are theirs and drafts never
come out.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..models import Fiche, Municipality, Phase
from ..ogcapi.base import Collection, Page, family_condition, shown_family_condition
from ..ogcapi.collections import PhasesCollection, WijkenCollection, published_phases
from ..ogcapi.fiches import FichesCollection
from ..ogcapi.params import ItemsQuery
from ..read.queries import FicheFilters, fiche_conditions
from ..read.records import Field
from ..spatial import extents_by


@dataclass(frozen=True)
class Shape:
    """One geometry type: the name suffix (the geometry family of
    app.geometry_families, also in the titles) and its GML property type
    (GDAL and QGIS read the layer type from it)."""
    suffix: str
    gml_type: str


POINTS = Shape("punten", "MultiPointPropertyType")
LINES = Shape("lijnen", "MultiCurvePropertyType")
POLYGONS = Shape("vlakken", "MultiSurfacePropertyType")
SHAPES = (POINTS, LINES, POLYGONS)

ILLUSTRATIVE_FICHES = (
    "De ligging is wat de stad aanduidde (ligging = indicatief: een benaderende plaats). Budgetten, fasen en "
    "SDG's zijn in deze demo deels illustratief: zie de velden illustratief, budget_illustratief en "
    "sdgs_illustratief.")
PHASES_NOTE = (
    "Een fase zonder eigen ligging krijgt die van haar fiche (eigen_geometrie = false). De planning is in deze "
    "demo illustratief (veld illustratief = true): voorbeelddata, geen beslissingen.")


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
        """One page (the family collections give every geometry as the type's Multi)."""
        return self.collection.items(session, query, base_url)

    def hits(self, session: Session, query: ItemsQuery, base_url: str) -> int:
        """How many features match (resultType=hits): a page of one and its count."""
        return self.collection.items(session, replace(query, limit=1, offset=0), base_url).matched



def feature_types(session: Session) -> list[FeatureType]:
    """Every feature type, the cities read from the database now."""
    types = []
    for city in session.scalars(select(Municipality).order_by(Municipality.name)):
        for shape in SHAPES:
            types.append(FeatureType(
                f"fiches-{city.slug}-{shape.suffix}", f"Projectfiches {city.name} ({shape.suffix})",
                f"De gepubliceerde projecten van {city.name} met als ligging {shape.suffix}: één kenmerk per fiche, "
                f"de andere liggingen in de andere lagen. {ILLUSTRATIVE_FICHES}",
                shape, FichesCollection(city, family=shape.suffix)))
        for shape in SHAPES:
            types.append(FeatureType(
                f"fasen-{city.slug}-{shape.suffix}", f"Fasen van de projecten van {city.name} ({shape.suffix})",
                f"De fasen (studie, ontwerp, uitvoering ...) van de gepubliceerde projecten van {city.name} met als "
                f"ligging {shape.suffix}, met hun start- en einddatum. {PHASES_NOTE}",
                shape, PhasesCollection(city, family=shape.suffix)))
    wijken = WijkenCollection()
    types.append(FeatureType(wijken.id, wijken.title, wijken.description, POLYGONS, wijken))
    return types


def extents(session: Session) -> dict[str, tuple[float, float, float, float]]:
    """{type name: bounding box in EPSG:31370} of every non-empty type, in
    seven queries whatever the number of cities (per type, the capabilities
    of 300 cities would run 1,800). The same conditions as the types' own."""
    slugs = {city_id: slug for city_id, slug in session.execute(select(Municipality.id, Municipality.slug))}
    fiches = fiche_conditions(session, FicheFilters())
    phases = published_phases(session)
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for shape in SHAPES:
        family = shape.suffix  # the /ogc collections' own rules (app.ogcapi.base)
        for kind, column, of_shape in (
                ("fiches", Fiche.geom, and_(*fiches, family_condition(Fiche.geom, family))),
                ("fasen", func.coalesce(Phase.geom, Fiche.geom),
                 and_(*phases, shown_family_condition(Phase.geom, Fiche.geom, family)))):
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
