"""The app survives its database (issue 15): while the database cannot be
reached, kept public pages are still served, other pages answer a Dutch 503
with Retry-After (JSON for /api and /ogc), the log gets one line per
interval and no traceback, /readyz says 503 and 200 again after recovery."""
from __future__ import annotations

import logging
import re
import time

import pytest
from sqlalchemy import text

from app.db import get_session
from app.http.outage import DATABASE_UNAVAILABLE, is_connection_failure
from conftest import dispose, make_test_app
from outage_fixtures import outage  # noqa: F401 (fixture)

KEPT = "/herentals"
NOT_KEPT = "/herentals/vergelijken"


def without_nonce(html: str) -> str:
    return re.sub(r"nonce-?[=\"']*[A-Za-z0-9_-]{16,}", "nonce", html)


def outage_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("database unavailable")]


def test_an_outage_serves_kept_pages_and_a_dutch_503_for_the_rest(outage, caplog):
    client = outage.app.test_client()
    before = client.get(KEPT)
    assert before.status_code == 200
    assert client.get("/readyz").status_code == 200

    outage.down()
    caplog.set_level(logging.INFO, logger="app")
    kept = client.get(KEPT)
    assert kept.status_code == 200
    assert without_nonce(kept.text) == without_nonce(before.text)

    page = client.get(NOT_KEPT)
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "17"
    assert page.mimetype == "text/html"
    assert "Tijdelijk niet beschikbaar" in page.text and "17 seconden" in page.text

    for path in ("/api/herentals/fiches.geojson", "/ogc/collections"):
        answer = client.get(path)
        assert answer.status_code == 503, path
        assert answer.headers["Retry-After"] == "17"
        assert answer.json["code"] == "ServiceUnavailable"
        assert "databank" in answer.json["description"]
        assert answer.headers["Access-Control-Allow-Origin"] == "*"  # a browser GIS client may read why
        assert "Retry-After" in answer.headers["Access-Control-Expose-Headers"]

    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["status"] == "niet klaar"
    assert client.get("/healthz").status_code == 200  # the process is fine

    lines = outage_lines(caplog)
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].exc_info is None and "\n" not in lines[0].getMessage()
    assert "Traceback" not in caplog.text

    outage.up()
    assert client.get("/readyz").status_code == 200
    assert client.get(NOT_KEPT).status_code == 200


def test_the_error_line_comes_again_after_its_interval(outage, caplog):
    outage.app.extensions["fichekaart.outage_log"].interval = 0.2
    outage.app.extensions["fichekaart.outage_hold"].hold = 0.2
    client = outage.app.test_client()
    outage.down()
    caplog.set_level(logging.ERROR, logger="app")
    for _ in range(3):
        assert client.get(NOT_KEPT).status_code == 503
    time.sleep(0.25)
    assert client.get(NOT_KEPT).status_code == 503
    lines = outage_lines(caplog)
    assert len(lines) == 2
    assert "(2 more since the last line)" in lines[1].getMessage()


def test_a_frozen_database_answers_503_within_the_connect_timeout(outage):
    client = outage.app.test_client()
    outage.freeze()
    outage.app.extensions["fichekaart.engine"].dispose()
    started = time.monotonic()
    answer = client.get(NOT_KEPT)
    assert answer.status_code == 503
    assert time.monotonic() - started < 5  # DB_CONNECT_TIMEOUT is 1 s


def test_after_a_failed_connection_requests_do_not_wait_for_the_database(outage):
    client = outage.app.test_client()
    assert client.get(KEPT).status_code == 200
    hold = outage.app.extensions["fichekaart.outage_hold"]
    assert not hold.until
    outage.freeze()
    outage.app.extensions["fichekaart.engine"].dispose()
    assert client.get(NOT_KEPT).status_code == 503  # waits the connect timeout on PostGIS
    assert hold.until > time.monotonic() + 3  # DB_OUTAGE_HOLD: 5 s
    started = time.monotonic()
    assert client.get(KEPT).status_code == 200
    assert client.get(NOT_KEPT).status_code == 503
    assert client.get("/api/herentals/fiches.geojson").status_code == 503
    assert time.monotonic() - started < 0.5  # nobody waited for the database again

    outage.up()
    hold.until = time.monotonic()  # the hold is over: the next request tries
    assert client.get(NOT_KEPT).status_code == 200
    assert not hold.until  # a working connection ended it


def test_a_logged_in_page_during_an_outage_is_a_503_too(outage):
    client = outage.app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["user_id"] = 1
    outage.down()
    answer = client.get("/beheer/")
    assert answer.status_code == 503
    assert "Tijdelijk niet beschikbaar" in answer.text


def test_postgresql_cancels_a_statement_after_its_timeout(backend, seed_url):
    if backend != "postgis":
        pytest.skip("statement_timeout is PostgreSQL's (SQLite's busy timeout is tested with the staff writes)")
    app = make_test_app(seed_url, DB_STATEMENT_TIMEOUT_MS=300, DB_POOL_TIMEOUT=2)
    try:
        engine = app.extensions["fichekaart.engine"]
        assert engine.pool.timeout() == 2
        with app.app_context():
            session = get_session()
            assert session.scalar(text("SHOW statement_timeout")) == "300ms"
            started = time.monotonic()
            with pytest.raises(DATABASE_UNAVAILABLE) as cancelled:
                session.execute(text("SELECT pg_sleep(3)"))
            assert time.monotonic() - started < 2
            assert not is_connection_failure(cancelled.value)  # a slow query starts no hold
    finally:
        dispose(app)


def test_the_command_line_runs_without_a_statement_timeout(backend, seed_url, monkeypatch):
    if backend != "postgis":
        pytest.skip("statement_timeout is PostgreSQL's")
    from app.cli import _create_app

    monkeypatch.setenv("DATABASE_URL", seed_url)
    monkeypatch.setenv("FICHEKAART_SECRET_KEY", "x" * 32)
    monkeypatch.setenv("FICHEKAART_DB_STATEMENT_TIMEOUT_MS", "500")
    app = _create_app()
    try:
        with app.app_context():
            assert get_session().scalar(text("SHOW statement_timeout")) == "0"
    finally:
        dispose(app)


def test_after_a_hold_one_request_tries_while_the_others_stay_held_back():
    from app.http.outage import DatabaseHeldBack, OutageHold

    hold = OutageHold(10)
    hold.check()  # not holding
    hold.start()
    with pytest.raises(DatabaseHeldBack):
        hold.check()
    hold.until = time.monotonic() - 0.01  # the hold is over
    hold.check()  # this one tries the database
    with pytest.raises(DatabaseHeldBack):
        hold.check()  # the others wait for its outcome
    hold.end()  # its connection worked
    hold.check()
