"""What every collection shares: the page of results it returns, the
interface the routes call, and the SQL conditions for bbox and period."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from ..geometry_families import FAMILY_MEMBERS, FAMILY_TYPES, NO_PLACE, as_multi
from ..numbers import whole_number
from ..read.records import Field
from ..spatial import bbox_filter, geometry_type_in, intersects, to_db
from .cql import GEOMETRY, Queryable, compile_filter, order_by
from .errors import NotFound
from .params import ItemsQuery, Period, StorageBox


@dataclass
class Page:
    """One page of features: flat records (dicts, or JsonRecords as stored),
    their geometries (shapely in EPSG:31370, None for none), their ids, and
    how many match."""
    records: Sequence[dict]
    geoms: Sequence
    ids: list
    matched: int
    # the geometries as GeoJSON text in CRS84 when stored so (app.read.stored_records)
    geojson_crs84: list | None = None


def box_condition(session: Session, column, box: StorageBox):
    """`column` intersects the requested box: the index-backed envelope test,
    plus the exact shape when the box came in another CRS."""
    condition = bbox_filter(session, column, box.envelope)
    if box.polygon is not None:
        condition = and_(condition, intersects(column, to_db(box.polygon)))
    return condition


# the families a collection can be split in, as they appear in collection ids
FAMILY_SUFFIXES = {family.replace("_", "-"): family for family in (*FAMILY_TYPES, NO_PLACE)}


def family_condition(column, family: str):
    """`column` holds a geometry of the family ('punten' ...), or none (NO_PLACE)."""
    if family == NO_PLACE:
        return column.is_(None)
    return and_(column.is_not(None), geometry_type_in(column, FAMILY_MEMBERS[family]))


def shown_family_condition(own, fallback, family: str):
    """The place shown (`own`, else `fallback`: a phase's, else its fiche's) is of the family."""
    return or_(and_(own.is_not(None), family_condition(own, family)),
               and_(own.is_(None), family_condition(fallback, family)))


def family_page(page: Page, family: str | None) -> Page:
    """The page with its geometries promoted to the family's Multi type."""
    if family is None:
        return page
    page.geoms = [as_multi(g) for g in page.geoms]
    page.geojson_crs84 = None  # stored as the fiche's own type
    return page


def split_id(collection_id: str, prefix: str) -> tuple[str, str | None] | None:
    """'fiches-halle-punten', 'fiches-' -> ('halle', 'punten'); 'fiches-halle' -> ('halle', None);
    another prefix -> None."""
    if not collection_id.startswith(prefix):
        return None
    rest = collection_id[len(prefix):]
    for suffix, family in FAMILY_SUFFIXES.items():
        if rest.endswith(f"-{suffix}"):
            return rest[: -len(suffix) - 1], family
    return rest, None


def period_overlaps(start_col, end_col, period: Period) -> list:
    conditions = [start_col.is_not(None), end_col.is_not(None)]
    if period.end is not None:
        conditions.append(start_col <= period.end)
    if period.start is not None:
        conditions.append(end_col >= period.start)
    return conditions


GEOMETRY_FIELD = Field(GEOMETRY, "geometry", "Ligging (voor S_INTERSECTS en de andere ruimtelijke functies van filter)")


class Collection:
    id: str
    title: str
    description: str
    fields: tuple[Field, ...]
    extra_filters: dict[str, Field] = {}
    temporal = False
    columns: dict = {}          # queryable name -> SQL column: simple filters, CQL2 filter and sortby
    sort_columns: dict = {}     # where sortby needs other columns than the filters (fiches: not the alias)
    geometry_type: str | None = "Geometry"   # the declared type of every feature; None: no geometry

    def spatial_extent(self, session: Session) -> tuple[float, float, float, float] | None:
        raise NotImplementedError

    def temporal_extent(self, session: Session) -> tuple[dt.date | None, dt.date | None] | None:
        return None

    def items(self, session: Session, query: ItemsQuery, base_url: str) -> Page:
        raise NotImplementedError

    def item(self, session: Session, feature_id: str, base_url: str) -> Page:
        raise NotImplementedError

    @property
    def queryables(self) -> list[Field]:
        return [f for f in self.fields if f.queryable]

    @property
    def cql_queryables(self) -> dict[str, Queryable]:
        """What a CQL2 filter may name: the queryables and the geometry (the
        whole /queryables document, nothing else)."""
        out = {f.name: Queryable(f, self.columns[f.name]) for f in self.queryables}
        if self.geometry_sql() is not None:
            out[GEOMETRY] = Queryable(GEOMETRY_FIELD, self.geometry_sql())
        return out

    def geometry_sql(self) -> Any:
        """The feature's geometry as SQL, for CQL2's spatial functions (a
        method: an ORM attribute on a plain class would act as a descriptor)."""
        return None

    @property
    def sortable(self) -> dict[str, Queryable]:
        columns = self.sort_columns or self.columns
        return {f.name: Queryable(f, columns[f.name]) for f in self.queryables}

    def query_conditions(self, session: Session, query: ItemsQuery) -> list:
        """The CQL2 filter of the query as SQL conditions (none without one)."""
        if query.filter is None:
            return []
        return [compile_filter(session, query.filter, self.cql_queryables)]

    def query_order(self, session: Session, query: ItemsQuery) -> list:
        return order_by(session, query.sortby, self.sortable)


def int_id(feature_id: str, collection: Collection) -> int:
    number = whole_number(feature_id, 1)
    if number is None:
        raise NotFound(f"Kenmerk '{feature_id[:80]}' bestaat niet in collectie '{collection.id}'.")
    return number
