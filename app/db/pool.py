"""The connection pool's health: connections a fork inherited are dropped,
and idle ones are pinged before use (app.db.make_engine installs both)."""
from __future__ import annotations

import os
import time
import weakref

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

# A pooled connection is checked with a ping before use only when it sat in the
# pool longer than this: the connections that die unseen are the idle ones (a
# restarted or failed-over server, a firewall's idle timeout). One used a
# moment ago is handed out as is, as HikariCP does (aliveBypassWindowMs, 500
# ms): under load SQLAlchemy's pool_pre_ping was a round trip per request, 11 %
# of a worker's time on an OGC page (docs/bench.md). A connection that died in
# that half second fails its request (a 503, app/http/outage.py), and
# SQLAlchemy then renews every connection of the pool.
PING_AFTER_IDLE_SECONDS = 0.5


def ping_idle_connections(engine: Engine) -> None:
    """Ping a pooled connection at checkout if it was idle longer than
    PING_AFTER_IDLE_SECONDS; a dead one is replaced before any request sees it."""
    def connected(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_in(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"connection lost while idle: {exc}") from exc  # the pool reconnects

    event.listen(engine, "connect", connected)
    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


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
