"""Pages of published fiches read from their stored public records
(app.models.FicheRecord, kept by app.write.stored_records): one select
gives a page's ids, geometries, records and the count, with no children to
read and no record to build; in CRS84 (the OGC API's default) the
geometries too are the stored GeoJSON text, with nothing to transform. The
OGC API and WFS fiche collections read these; the records are those of
app.read.records.fiche_record, so they say exactly what a record built
afresh says.

A record missing from the table (a write that went around the session's
events) is built afresh here, from the same rows, and logged.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import orjson
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from ..http.lru import LruCache
from ..models import Fiche, FicheRecord
from ..spatial import as_wkb, geometries_from_wkb
from .apportion import WijkIndex
from .features import fiche_path
from .queries import FicheFilters, count_fiches, fiche_conditions
from .records import fiche_records
from .rows import load_fiche_rows

log = logging.getLogger(__name__)


class JsonRecords(Sequence):
    """Records as JSON text: a JSON answer embeds them as they are
    (fragments()); whoever reads them as dicts (WFS, the HTML page,
    ?properties=) gets them parsed once, on first access."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self._dicts: list[dict] | None = None

    def fragments(self) -> list[orjson.Fragment]:
        return [orjson.Fragment(t) for t in self.texts]

    def _parsed(self) -> list[dict]:
        if self._dicts is None:
            self._dicts = [orjson.loads(t) for t in self.texts]
        return self._dicts

    def __getitem__(self, index):
        return self._parsed()[index]

    def __len__(self) -> int:
        return len(self.texts)


def with_url(record_text: str, url: str) -> str:
    """A stored record (a JSON object without `url`) with its url as the last
    attribute, as fiche_record orders it."""
    return f'{record_text[:-1]},"url":{orjson.dumps(url).decode()}}}'


class WkbGeometries(Sequence):
    """Geometries selected as WKB, decoded in one call when first used: an
    answer written from the stored GeoJSON text never decodes them."""

    def __init__(self, wkbs: list):
        self.wkbs = wkbs
        self._shapes: np.ndarray | None = None

    def _decoded(self) -> np.ndarray:
        if self._shapes is None:
            self._shapes = geometries_from_wkb(self.wkbs)
        return self._shapes

    def __getitem__(self, index):
        return self._decoded()[index]

    def __len__(self) -> int:
        return len(self.wkbs)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:  # np.asarray in app.read.features
        return self._decoded()


class RecordPage(NamedTuple):
    ids: list[int]
    texts: list[str | None]           # stored records (None: missing)
    geojson: list[str | None]         # stored geometries, GeoJSON text in CRS84 (None: no place, or missing)
    geoms: WkbGeometries              # the geometries in the storage CRS
    matched: int                      # how many match in all

    @property
    def complete(self) -> bool:
        """Every record of the page is stored (so is every stored geometry)."""
        return None not in self.texts


def load_record_page(session: Session, filters: FicheFilters, *, limit: int | None, offset: int = 0,
                     order: Sequence = ()) -> RecordPage:
    """One page of the published fiches matching `filters`, in the order a
    client such as QGIS needs: `order` (a sortby), then fiches with a place
    first, then id. One statement; limit None: all."""
    rows = session.execute(_page_statement(session, filters, order, limited=limit is not None),
                           {"page_limit": limit, "page_offset": offset}).all()
    if not rows:
        return RecordPage([], [], [], WkbGeometries([]), count_fiches(session, filters) if offset else 0)
    ids, texts, geojson, wkbs, matched = zip(*rows)
    return RecordPage(list(ids), list(texts), list(geojson), WkbGeometries(list(wkbs)), matched[0])


# The page statements made, by database and filters: a client paging through
# a collection asks the same statement with another offset. Made once, it is
# built, keyed and looked up in SQLAlchemy's compiled cache once: 0.45 instead
# of 1.0 ms of CPU for a page of 100 (docs/bench.md). Filters holding an id
# subquery (the OGC API's property filters and CQL) or a sortby are made for
# each request: they are rarely asked twice.
_PAGE_STATEMENTS = LruCache(128)


def _page_statement(session: Session, filters: FicheFilters, order: Sequence, *, limited: bool):
    key = None if filters.ids is not None or order else (str(session.get_bind().engine.url), repr(filters), limited)
    stmt = _PAGE_STATEMENTS.get(key) if key else None
    if stmt is None:
        by = [*order, Fiche.geom.is_(None), Fiche.id]
        chosen = (select(Fiche.id.label("page_id"), func.count().over().label("matched"),
                         func.row_number().over(order_by=by).label("rank"))
                  .where(*fiche_conditions(session, filters)).order_by(*by).offset(bindparam("page_offset")))
        page = (chosen.limit(bindparam("page_limit")) if limited else chosen).subquery("page")
        stmt = (select(Fiche.id, FicheRecord.record, FicheRecord.geometry_crs84, as_wkb(Fiche.geom), page.c.matched)
                .join(page, page.c.page_id == Fiche.id)
                .outerjoin(FicheRecord, FicheRecord.fiche_id == Fiche.id)
                .order_by(page.c.rank))
        if key:
            _PAGE_STATEMENTS.put(key, stmt)
    return stmt


def record_texts(session: Session, ids: list[int], texts: list[str | None], base_url: str, slug: str,
                 wijk_index: Callable[[], WijkIndex]) -> list[str]:
    """The records of a page as JSON text with their absolute url; the
    missing ones built afresh with the city's `wijk_index()` (and logged:
    app.write.stored_records keeps them, so a gap means a write went around it)."""
    missing = [i for i, t in zip(ids, texts) if t is None]
    built: dict[int, str] = {}
    if missing:
        log.warning("%d public records missing (fiches %s...): built afresh", len(missing), missing[:5])
        rows = load_fiche_rows(session, FicheFilters(ids=missing))
        built = {f.id: orjson.dumps(r).decode() for f, r in zip(rows, fiche_records(rows, base_url, wijk_index()))}
    return [built[i] if t is None else with_url(t, base_url + fiche_path(slug, i)) for i, t in zip(ids, texts)]
