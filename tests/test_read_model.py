"""One read path: views run no SQL of their own, and the same fiche comes out
with the same geometry and the same facts on the maps, /api, the OGC API and
the downloads (app.read.rows -> app.read.features / app.read.records)."""
from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
import shapely
from sqlalchemy import select

from app.columns import FICHE_COLUMNS as C
from app.models import Fiche

VIEWS = Path(__file__).resolve().parent.parent / "app" / "views"


def test_views_run_no_sql_of_their_own():
    """Every selection a page needs is a named function in app/read (or app/write)."""
    found = [f"{path.name}:{n}" for path in sorted(VIEWS.glob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\bselect\(", line)]
    assert not found, f"select( in app/views: {found}"


def _shape(geometry: dict):
    return shapely.normalize(shapely.geometry.shape(geometry))


def _fiche_through_every_path(app, client) -> dict[str, tuple]:
    """(geometry, title, status, url path) of one placed Herentals fiche, per output."""
    from app.db import get_session
    from app.read.features import fiche_features
    from app.read.queries import FicheFilters
    from app.read.rows import load_fiche_rows

    with app.app_context():
        session = get_session()
        fiche_id = session.scalar(select(Fiche.id).where(Fiche.published.is_(True), Fiche.geom.is_not(None),
                                                         Fiche.kind == "fiche").order_by(Fiche.id))
        # the maps: what build_city_map, fiche_map and wijk_map draw
        rows = load_fiche_rows(session, FicheFilters(municipality="herentals"))
        feature = next(f for f in fiche_features(rows)["features"] if f["id"] == fiche_id)
        p = feature["properties"]
        out = {"map": (feature["geometry"], p["title"], p["status"], p["url"])}

    api = orjson.loads(client.get("/api/herentals/fiches.geojson").data)
    feature = next(f for f in api["features"] if f["id"] == fiche_id)
    p = feature["properties"]
    out["api"] = (feature["geometry"], p["title"], p["status"], p["url"])

    ogc = client.get(f"/ogc/collections/fiches-herentals/items/{fiche_id}?f=json").get_json()
    p = ogc["properties"]
    out["ogc"] = (ogc["geometry"], p[C["title"]], p[C["status"]], "/" + p["url"].split("/", 3)[3])

    download = orjson.loads(client.get("/herentals/download.geojson").data)
    feature = next(f for f in download["features"] if f["id"] == fiche_id)
    p = feature["properties"]
    out["download"] = (feature["geometry"], p[C["title"]], p[C["status"]], "/" + p["url"].split("/", 3)[3])
    return out


def test_the_same_fiche_through_every_output(app, client):
    paths = _fiche_through_every_path(app, client)
    reference = _shape(paths["ogc"][0])
    for name, (geometry, title, status, url) in paths.items():
        # CRS84 everywhere here: 7 decimals, the maps 6 (what Leaflet can show, ~0.1 m)
        tolerance = 1e-6 if name == "map" else 1e-7
        assert _shape(geometry).equals_exact(reference, tolerance=tolerance), name
        assert (title, status, url) == paths["ogc"][1:], name


def test_the_map_rounds_once(app):
    """The maps' coordinates are rounded by the read model and kept as they
    are by layers/ (no second parse-and-round)."""
    from app.db import get_session
    from app.read.features import MAP_DECIMALS, fiche_features
    from app.read.queries import FicheFilters
    from app.read.rows import load_fiche_rows
    from layers.geojson import collection, rounded_geometries

    with app.app_context():
        fc = fiche_features(load_fiche_rows(get_session(), FicheFilters(municipality="herentals")))
    geometries = [f["geometry"] for f in fc["features"] if f["geometry"]]
    assert geometries and all(g.decimals == MAP_DECIMALS for g in geometries)
    assert all(a is b for a, b in zip(rounded_geometries(geometries), geometries))
    assert collection([(geometries[0], {})])["features"][0]["geometry"] is geometries[0]
    # a geometry from elsewhere is still rounded
    assert rounded_geometries([{"type": "Point", "coordinates": [4.12345678, 51.1]}])[0]["coordinates"] == [4.123457, 51.1]


@pytest.fixture
def counted(scratch_app):
    """(session, version()) on a private database: version() is the data version counter."""
    from app.db import get_session
    from app.read.version import read_data_version

    with scratch_app.app_context():
        session = get_session()
        yield session, lambda: read_data_version(session)[0]


def test_every_kind_of_write_changes_the_data_version(counted):
    from sqlalchemy import delete, insert, update

    from app.models import Area, BudgetLine, IndicatorValue, LoginAttempt, Phase
    from app.write.data_version import PRIVATE_TABLES

    session, version = counted
    start = version()

    def changed_by(write) -> bool:
        before = version()
        write()
        session.commit()
        return version() > before

    fiche = session.scalar(select(Fiche).where(Fiche.geom.is_not(None)).order_by(Fiche.id))
    phase = session.scalar(select(Phase).order_by(Phase.id))
    assert changed_by(lambda: setattr(fiche, "title", fiche.title + " (herzien)"))            # ORM update
    assert changed_by(lambda: setattr(phase, "title", "Nieuwe fase"))                          # a child
    assert changed_by(lambda: session.add(BudgetLine(fiche_id=fiche.id, year=2030, kind="investering",
                                                     direction="uitgave", amount_eur=10.0, basis="raming")))
    assert changed_by(lambda: session.delete(phase))                                          # ORM delete
    assert changed_by(lambda: session.execute(update(Area).where(Area.level == "wijk")        # bulk DML
                                              .values(source="Herzien")))
    value = session.scalar(select(IndicatorValue).order_by(IndicatorValue.id))
    assert changed_by(lambda: session.execute(
        insert(IndicatorValue).values(area_id=value.area_id, indicator_id=value.indicator_id, period="2099",
                                      value=1.0, illustrative=True)))
    assert changed_by(lambda: session.execute(delete(IndicatorValue).where(IndicatorValue.period == "2099")))
    # what only staff see leaves it alone
    assert "login_attempts" in PRIVATE_TABLES
    assert not changed_by(lambda: session.add(LoginAttempt(email="a@b.be", ip="127.0.0.1", success=False,
                                                           at=fiche.updated_at or phase.start)))
    # a rollback takes the bump back with the write: same transaction
    before = version()
    fiche.title = "Niet bewaard"
    session.flush()
    session.rollback()
    assert version() == before > start


def test_the_data_version_costs_one_query_whatever_the_number_of_fiches(scratch_app):
    from sqlalchemy import event

    from app.db import get_engine, get_session
    from app.http.caching import data_version

    statements = []
    with scratch_app.app_context():
        engine = get_engine()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        get_session().connection()  # the session's BEGIN is not the check's cost
        event.listen(engine, "before_cursor_execute", listener)
        try:
            data_version(get_session())
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1 and "data_version" in statements[0] and "fiches" not in statements[0]
