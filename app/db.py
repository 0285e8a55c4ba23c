"""Engine and per-request session; SpatiaLite loading for the embedded default.

geopandas/pyogrio/pyproj are imported here, before the first SpatiaLite
connection: when mod_spatialite's system PROJ/GEOS load first, the copies
bundled in those wheels clash (segfault in read_dataframe, GEOSException in
to_crs). tests/test_db.py guards this order.
"""
from __future__ import annotations

import os

import geopandas  # noqa: F401  (import order: see module docstring)
import pyogrio  # noqa: F401
import pyproj  # noqa: F401
from flask import Flask, current_app, g
from geoalchemy2.admin.dialects.sqlite import load_spatialite
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker


class SpatiaLiteUnavailable(RuntimeError):
    pass


def sqlite_dbapi():
    """The sqlite3 module to use: the standard one if it can load extensions
    (Debian's Python), else sqlean-py (e.g. a pyenv build without it)."""
    import sqlite3

    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        import sqlean
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise SpatiaLiteUnavailable(
            "This Python's sqlite3 cannot load extensions and sqlean-py is missing: "
            "install sqlean-py or use a Python built with extension loading."
        ) from exc
    return sqlean


def make_engine(url: str, **kwargs) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    # SQLite's loader finds the Debian module by its bare name on the library path.
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    engine = create_engine(url, module=sqlite_dbapi(), **kwargs)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        # SQLAlchemy's pysqlite recipe: let SQLAlchemy emit BEGIN itself so
        # that DDL is transactional too (a failed migration leaves nothing).
        dbapi_conn.isolation_level = None
        try:
            load_spatialite(dbapi_conn, transaction=True)
        except Exception as exc:
            raise SpatiaLiteUnavailable(
                f"mod_spatialite could not be loaded ({exc}); install libsqlite3-mod-spatialite"
            ) from exc
        dbapi_conn.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    return engine


def database_timeouts(config, url: str) -> dict:
    """Engine options that keep a slow or absent database from hanging the
    workers: a connect timeout and a statement timeout on PostgreSQL, and a
    pool timeout (waiting for a free connection) on both. SQLite's busy
    timeout is set on connect (see the SQLite connection set-up).

    FICHEKAART_DB_CONNECT_TIMEOUT (seconds, default 5),
    FICHEKAART_DB_STATEMENT_TIMEOUT_MS (default 30000, 0 = none; the
    `fichekaart` command line runs without one),
    FICHEKAART_DB_POOL_TIMEOUT (seconds, default 10)."""
    options: dict = {}
    if make_url(url).database not in (None, "", ":memory:"):  # an in-memory SQLite has no queue pool
        options["pool_timeout"] = float(config.get("DB_POOL_TIMEOUT", 10))
    if url.startswith("postgresql"):
        statement_ms = int(config.get("DB_STATEMENT_TIMEOUT_MS", 30000))
        given = make_url(url).query.get("options")  # e.g. a search_path in DATABASE_URL stays
        options["connect_args"] = {
            "connect_timeout": max(1, int(float(config.get("DB_CONNECT_TIMEOUT", 5)))),
            "options": " ".join(filter(None, [given, f"-c statement_timeout={statement_ms}"])),
        }
    return options


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    engine = make_engine(url, **database_timeouts(app.config, url))
    app.extensions["fichekaart.engine"] = engine
    factory = sessionmaker(engine, expire_on_commit=False)
    from .write import data_version  # every write of public data bumps the data version

    data_version.install(factory)
    app.extensions["fichekaart.sessionmaker"] = factory
    app.teardown_appcontext(close_session)


def get_engine() -> Engine:
    return get_engine_of(current_app)


def get_engine_of(app: Flask) -> Engine:
    return app.extensions["fichekaart.engine"]


def get_session() -> Session:
    """The session of this request (or app context), opened on first use.
    A `fichekaart.before_session` hook may refuse first (app.http.outage:
    no waiting on a database that just failed to connect)."""
    if "db_session" not in g:
        before = current_app.extensions.get("fichekaart.before_session")
        if before is not None:
            before()
        g.db_session = current_app.extensions["fichekaart.sessionmaker"]()
    return g.db_session


def close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()

