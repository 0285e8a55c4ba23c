"""How a request's transaction ends (app.db.close_session): a GET that only
read commits, so that psycopg keeps the statements it prepared on the
connection; every other end rolls back, so nothing a view left unsaved is
ever saved."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text, update

from conftest import dispose, make_test_app

PAGE = "/ogc/collections/fiches-herentals/items?limit=100"


def _prepared_statements(app) -> list[str]:
    """What PostgreSQL holds prepared on the pooled connection."""
    raw = app.extensions["fichekaart.engine"].raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]
    finally:
        raw.close()


def test_a_read_request_keeps_its_statements_prepared(backend, databases, seed_url):
    if backend != "postgis":
        pytest.skip("prepared statements of psycopg: PostgreSQL only")
    app = make_test_app(databases.copy_of(seed_url), PAGE_CACHE_SECONDS=0)  # every answer built afresh
    try:
        client = app.test_client()
        for _ in range(7):   # psycopg prepares a statement at its fifth run on a connection
            assert client.get(PAGE).status_code == 200
        # One client, one request at a time: the pool hands every request the same connection.
        assert any(s.startswith("SELECT fiches.id, fiche_records.record") for s in _prepared_statements(app))
    finally:
        dispose(app)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_what_a_request_left_unsaved_is_not_saved(scratch_app, method):
    from app.db import get_session
    from app.models import Fiche

    with scratch_app.test_request_context("/", method=method):
        session = get_session()
        fiche = session.scalars(select(Fiche).order_by(Fiche.id).limit(1)).one()
        fiche.title = "niet bewaard (ORM)"
        session.flush()
    with scratch_app.test_request_context("/", method=method):
        session = get_session()
        session.execute(update(Fiche).where(Fiche.id == fiche.id).values(summary="niet bewaard (DML)"))
    with scratch_app.test_request_context("/", method=method):
        session = get_session()
        session.execute(text("UPDATE fiches SET risks = 'niet bewaard (SQL)' WHERE id = :id"), {"id": fiche.id})
    with scratch_app.app_context():
        again = get_session().get(Fiche, fiche.id)
        assert again.title != "niet bewaard (ORM)" and again.summary != "niet bewaard (DML)"
        assert again.risks != "niet bewaard (SQL)"


@pytest.mark.parametrize("failed", [False, True])
def test_how_a_read_request_ends(backend, scratch_app, failed):
    """A GET that read and ended well commits on PostgreSQL (SQLite: no
    prepared statements to keep, it rolls back as before); one that failed
    rolls back."""
    from app.db import close_session, get_session
    from app.models import Fiche

    ended: list[str] = []
    engine = scratch_app.extensions["fichekaart.engine"]
    event.listen(engine, "rollback", lambda _c: ended.append("rollback"))
    event.listen(engine, "commit", lambda _c: ended.append("commit"))
    with scratch_app.test_request_context("/", method="GET"):
        session = get_session()
        session.scalars(select(Fiche).limit(1)).all()
        close_session(RuntimeError("the view failed") if failed else None)
    assert ended == ["commit" if backend == "postgis" and not failed else "rollback"]


# -- one_statement_read: the OGC and WFS pages without a transaction ------------

def test_a_one_statement_read_runs_without_a_transaction(backend, scratch_app):
    from flask import g

    from app.db import get_session

    with scratch_app.test_request_context(PAGE):
        g.db_one_statement = True
        session = get_session()
        if backend != "postgis":
            pytest.skip("SpatiaLite reads in an ordinary transaction")
        first, second = (session.scalar(select(func.txid_current())) for _ in range(2))
    with scratch_app.test_request_context(PAGE):
        session = get_session()
        same = [session.scalar(select(func.txid_current())) for _ in range(2)]
    if backend == "postgis":
        assert first != second        # each statement its own transaction (autocommit)
        assert same[0] == same[1]     # an ordinary request: one transaction


@pytest.mark.parametrize("write", ["orm", "dml"])
def test_a_one_statement_read_refuses_to_write(backend, scratch_app, write):
    from flask import g

    from app.db import ReadOnlyRequest, get_session
    from app.models import Fiche

    if backend != "postgis":
        pytest.skip("SpatiaLite reads in an ordinary transaction")
    with scratch_app.test_request_context(PAGE):
        g.db_one_statement = True
        session = get_session()
        fiche = session.scalars(select(Fiche).order_by(Fiche.id).limit(1)).one()
        fiche_id = fiche.id
        with pytest.raises(ReadOnlyRequest):
            if write == "orm":
                fiche.title = "nooit bewaard"
                session.flush()
            else:
                session.execute(update(Fiche).where(Fiche.id == fiche.id).values(title="nooit bewaard"))
        session.rollback()
    with scratch_app.app_context():
        assert get_session().get(Fiche, fiche_id).title != "nooit bewaard"


def test_the_ogc_and_wfs_pages_are_one_statement_reads(scratch_app):
    from app.db import ONE_STATEMENT

    seen = []

    @scratch_app.after_request
    def note(response):
        from flask import g
        seen.append(g.get("db_session") is not None and g.db_session.info.get(ONE_STATEMENT, False))
        return response

    client = scratch_app.test_client()
    assert client.get(PAGE).status_code == 200
    assert client.get("/herentals").status_code == 200
    expected = scratch_app.extensions["fichekaart.engine"].dialect.name == "postgresql"
    assert seen == [expected, False]
