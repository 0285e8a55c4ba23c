"""The pool's health (app/db/pool.py) on PostgreSQL: a pooled connection
that died while idle is replaced before a request sees it; one used a moment
ago is handed out without a ping."""
from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import func, select

from app.db.pool import PING_AFTER_IDLE_SECONDS
from conftest import dispose, make_test_app

PAGE = "/ogc/collections/fiches-herentals/items?limit=1"


def pooled_backend(app) -> int:
    """The server process of the pool's one idle connection."""
    from app.db import get_session

    with app.app_context():
        return get_session().scalar(select(func.pg_backend_pid()))


def terminate(app, pid: int) -> None:
    url = app.extensions["fichekaart.engine"].url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def pg_app(backend, databases, seed_url):
    if backend != "postgis":
        pytest.skip("the ping of idle connections: PostgreSQL's pool")
    app = make_test_app(databases.copy_of(seed_url), PAGE_CACHE_SECONDS=0)
    yield app
    dispose(app)


def test_a_connection_that_died_while_idle_is_replaced_unseen(pg_app):
    client = pg_app.test_client()
    terminate(pg_app, pooled_backend(pg_app))
    time.sleep(PING_AFTER_IDLE_SECONDS + 0.2)
    assert client.get(PAGE).status_code == 200      # pinged, found dead, replaced
    assert client.get(PAGE).status_code == 200


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_app, monkeypatch):
    dialect = pg_app.extensions["fichekaart.engine"].dialect
    pings = []
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(1) or real_ping(connection))
    client = pg_app.test_client()
    for _ in range(5):
        assert client.get(PAGE).status_code == 200
    quick = len(pings)
    time.sleep(PING_AFTER_IDLE_SECONDS + 0.2)
    assert client.get(PAGE).status_code == 200
    assert quick == 0 and len(pings) == 1  # no ping between quick requests, one after a pause
