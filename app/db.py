"""Engine and per-request session; SpatiaLite loading for the embedded default.

geopandas/pyogrio/pyproj are imported here, before the first SpatiaLite
connection: when mod_spatialite's system PROJ/GEOS load first, the copies
bundled in those wheels clash (segfault in read_dataframe, GEOSException in
to_crs). tests/test_db.py guards this order.
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import weakref

import geopandas  # noqa: F401  (import order: see module docstring)
import orjson
import pyogrio  # noqa: F401
import pyproj  # noqa: F401
from flask import Flask, current_app, g, has_request_context, request
from geoalchemy2.admin.dialects.sqlite import load_spatialite
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import SQLAlchemyError
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


DEFAULT_BUSY_TIMEOUT_MS = 5000


def make_engine(url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, **kwargs) -> Engine:
    if not url.startswith("sqlite"):
        # orjson for JSON-typed values the driver parses: 2-3x faster than the
        # standard json module (the read model's children come as text and are
        # parsed with orjson in app.read.rows).
        kwargs.setdefault("json_deserializer", orjson.loads)
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    else:
        # SQLite's loader finds the Debian module by its bare name on the library path.
        os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
        engine = create_engine(url, module=sqlite_dbapi(), **kwargs)
        create_private_sqlite_file(engine.url.database)
        configure_spatialite_for_a_team(engine, busy_timeout_ms)
    forget_pool_after_fork(engine)
    return engine


def forget_pool_after_fork(engine: Engine) -> None:
    """gunicorn --preload builds the app once and forks the workers from it
    (they share the geo stack's pages: docs/bench.md, memory per worker). A
    connection opened before the fork must never be used by two processes:
    the child drops the inherited pool without closing the parent's sockets
    or files and opens its own (SQLAlchemy's advice for multiprocessing)."""
    alive = weakref.ref(engine)  # tests make many apps: don't keep their engines

    def drop_inherited_pool() -> None:
        inherited = alive()
        if inherited is not None:
            inherited.dispose(close=False)

    os.register_at_fork(after_in_child=drop_inherited_pool)


# SpatiaLite for a small team --------------------------------------------------
#
# - WAL: readers never wait for a writer, and a writer never waits for readers.
# - busy_timeout: a writer waits (up to 5 s) for another writer instead of
#   failing at once; what still fails becomes the Dutch 503 page (app/http/web.py).
# - BEGIN IMMEDIATE for writing requests (POST/PUT/PATCH/DELETE) and CLI
#   writes: the write lock is taken (and waited for) at the start. A deferred
#   transaction that reads first and writes later cannot wait: SQLite fails
#   it at once with "database is locked" when another writer got in between.
#   GET requests, and a request marked with defer_write_lock (the import
#   preview: it reads and checks the file for long, writes briefly and rolls
#   back), use a deferred BEGIN, so no write lock is held while they read.
# - A connection is never handed out inside a transaction that a failed
#   COMMIT left open (the pool's reset rolls back what SQLite still holds).

_WRITE_INTENT: contextvars.ContextVar[bool] = contextvars.ContextVar("fichekaart_write_intent", default=False)
_WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@contextlib.contextmanager
def writing():
    """Mark the transactions begun inside as writing ones (BEGIN IMMEDIATE on
    SpatiaLite). Also usable as a decorator (CLI commands that write)."""
    token = _WRITE_INTENT.set(True)
    try:
        yield
    finally:
        _WRITE_INTENT.reset(token)


def defer_write_lock(view):
    """A writing request that should not take the write lock up front."""
    import functools

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.defer_write_lock = True
        return view(*args, **kwargs)

    return wrapper


def wants_write_lock() -> bool:
    if _WRITE_INTENT.get():
        return True
    if has_request_context():
        return request.method in _WRITING_METHODS and not g.get("defer_write_lock")
    return False


# SQLite's answers when it cannot write now: another writer holds the lock
# longer than busy_timeout, or the file or disk does not take writes.
_SQLITE_BUSY = ("database is locked", "database table is locked")
_SQLITE_CANNOT_WRITE = ("readonly database", "database or disk is full", "disk i/o error")


def cannot_write_now(exc: BaseException) -> str | None:
    """'busy' or 'readonly' for those SQLite errors, else None."""
    message = str(getattr(exc, "orig", exc)).lower()
    if any(m in message for m in _SQLITE_BUSY):
        return "busy"
    if any(m in message for m in _SQLITE_CANNOT_WRITE):
        return "readonly"
    return None


def create_private_sqlite_file(database: str | None) -> None:
    """A new SQLite file is created 0600 (it holds password hashes) before
    SQLite opens it; SQLite gives its -wal and -shm files the same mode.
    An existing file, ':memory:' and URI filenames are left alone."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileExistsError, FileNotFoundError):  # exists, or its folder does not (SQLite will say so)
        pass


def configure_spatialite_for_a_team(engine: Engine, busy_timeout_ms: int) -> None:
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        # SQLAlchemy's pysqlite recipe: let SQLAlchemy emit BEGIN itself so
        # that DDL is transactional too (a failed migration leaves nothing).
        dbapi_conn.isolation_level = None
        if not in_memory:
            try:
                dbapi_conn.execute("PRAGMA journal_mode = WAL")
            except Exception:  # a read-only file keeps its journal mode; reads still work
                pass
        try:
            load_spatialite(dbapi_conn, transaction=True)
        except Exception as exc:
            raise SpatiaLiteUnavailable(
                f"mod_spatialite could not be loaded ({exc}); install libsqlite3-mod-spatialite"
            ) from exc
        dbapi_conn.execute("PRAGMA foreign_keys = ON")
        # After load_spatialite, which sets its own (5 s) timeout.
        dbapi_conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        dbapi_conn = conn.connection.dbapi_connection
        if dbapi_conn.in_transaction:
            # Left open by a COMMIT that failed (busy, read-only, disk full):
            # start clean rather than fail every later request on this connection.
            dbapi_conn.execute("ROLLBACK")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if wants_write_lock() else "BEGIN")

    @event.listens_for(engine, "reset")
    def _reset(dbapi_conn, _record, _state):
        if dbapi_conn.in_transaction:
            dbapi_conn.execute("ROLLBACK")


def database_timeouts(config, url: str) -> dict:
    """Engine options that keep a slow or absent database from hanging the
    workers: a connect timeout and a statement timeout on PostgreSQL, and a
    pool timeout (waiting for a free connection) on both. SQLite's busy
    timeout is set on connect (see the SQLite connection set-up).

    FICHEKAART_DB_CONNECT_TIMEOUT (seconds, default 5),
    FICHEKAART_DB_STATEMENT_TIMEOUT_MS (default 30000, 0 = none; the
    `fichekaart` command line runs without one),
    FICHEKAART_DB_POOL_TIMEOUT (seconds, default 10).

    PostgreSQL's JIT is off for the app's connections: the planner finds
    spatial queries over thousands of rows expensive and then spends more time
    compiling than running them (a 500 ms cluster tile compiled for 700 ms);
    set per connection, it costs no statement per request (SET LOCAL did)."""
    options: dict = {}
    if make_url(url).database not in (None, "", ":memory:"):  # an in-memory SQLite has no queue pool
        options["pool_timeout"] = float(config.get("DB_POOL_TIMEOUT", 10))
    if url.startswith("postgresql"):
        statement_ms = int(config.get("DB_STATEMENT_TIMEOUT_MS", 30000))
        given = make_url(url).query.get("options")  # e.g. a search_path in DATABASE_URL stays
        options["connect_args"] = {
            "connect_timeout": max(1, int(float(config.get("DB_CONNECT_TIMEOUT", 5)))),
            "options": " ".join(filter(None, [given, f"-c statement_timeout={statement_ms}", "-c jit=off"])),
        }
    return options


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    busy = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS") or DEFAULT_BUSY_TIMEOUT_MS)
    engine = make_engine(url, busy_timeout_ms=busy, **database_timeouts(app.config, url))
    app.extensions["fichekaart.engine"] = engine
    factory = sessionmaker(engine, expire_on_commit=False)
    from .write import data_version, stored_records

    data_version.install(factory)  # every write of public data bumps the data version ...
    stored_records.install(factory)  # ... and rebuilds the public records it touches
    note_writes(factory)
    app.extensions["fichekaart.sessionmaker"] = factory
    read_url = app.config.get("READ_DATABASE_URL")
    if read_url and read_url != url:
        # A hot standby (streaming replica) for anonymous reads: docs/operations.md.
        read_engine = make_engine(read_url, busy_timeout_ms=busy, **database_timeouts(app.config, read_url))
        app.extensions["fichekaart.read_engine"] = read_engine
        read_factory = sessionmaker(read_engine, expire_on_commit=False)
        note_writes(read_factory)
        app.extensions["fichekaart.read_sessionmaker"] = read_factory
    app.teardown_appcontext(close_session)


def get_engine() -> Engine:
    return get_engine_of(current_app)


def get_engine_of(app: Flask) -> Engine:
    return app.extensions["fichekaart.engine"]


PRIMARY, STANDBY = "primary", "standby"


def get_session() -> Session:
    """The session of this request (or app context), opened on first use:
    on the standby for a request that may read from it (reads_may_use_standby),
    else on the primary. A `fichekaart.before_session` hook may refuse a
    database first (app.http.outage: no waiting on a database that just
    failed to connect); a standby held back that way leaves the request to
    the primary."""
    if "db_session" not in g:
        before = current_app.extensions.get("fichekaart.before_session")
        database = PRIMARY
        if reads_may_use_standby():
            database = STANDBY
            if before is not None:
                try:
                    before(STANDBY)
                except Exception:  # held back: the primary answers meanwhile
                    database = PRIMARY
        if database == PRIMARY and before is not None:
            before(PRIMARY)
        key = "fichekaart.read_sessionmaker" if database == STANDBY else "fichekaart.sessionmaker"
        g.db_database = database
        g.db_session = current_app.extensions[key]()
        g.db_reading_request = has_request_context() and request.method in ("GET", "HEAD")
    return g.db_session


def reads_may_use_standby() -> bool:
    """Anonymous GET and HEAD requests, when a standby is configured. Anyone
    with a session cookie (staff, a form just sent) reads the primary, so
    they always see their own writes; so does every writing request and all
    work outside a request (CLI, jobs)."""
    if "fichekaart.read_sessionmaker" not in current_app.extensions or not has_request_context():
        return False
    if request.method not in ("GET", "HEAD") or _WRITE_INTENT.get():
        return False
    return current_app.config.get("SESSION_COOKIE_NAME", "session") not in request.cookies


# Ending a request's transaction ------------------------------------------------
#
# psycopg forgets the statements it prepared on a connection at every ROLLBACK
# (rightly: a rolled-back DDL may leave them pointing at nothing), and SQLAlchemy
# closes a session with a ROLLBACK. So every request made PostgreSQL plan its
# statements afresh: the OGC page's one statement spent 1.9 ms of its 3 ms in
# the planner. A GET or HEAD that ended well and wrote nothing ends with COMMIT
# instead: for a transaction that only read, that is the same end, and after
# five runs on a connection psycopg prepares the statement (docs/bench.md).
# Every other request still ends with ROLLBACK: what a view left unsaved is
# never saved by accident.

WROTE = "fichekaart.wrote"


def note_writes(factory: sessionmaker) -> None:
    """Mark a session of `factory` that flushed or ran anything but a select
    through the session (DML, and text() whatever it says: session.info[WROTE])."""
    def flushed(session: Session, _context) -> None:
        session.info[WROTE] = True

    def executed(state) -> None:
        if not state.is_select:
            state.session.info[WROTE] = True

    event.listen(factory, "after_flush", flushed)
    event.listen(factory, "do_orm_execute", executed)


def close_session(exc=None) -> None:
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        if (exc is None and g.pop("db_reading_request", False) and not session.info.get(WROTE)
                and session.in_transaction() and session.get_bind().dialect.name == "postgresql"):
            session.commit()
    except SQLAlchemyError:
        pass  # a read that cannot commit (the database went away) has nothing to keep: close rolls back
    finally:
        session.close()

