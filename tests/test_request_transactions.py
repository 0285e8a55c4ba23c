"""How a request's transaction ends (app.db.close_session): a GET that only
read commits, so that psycopg keeps the statements it prepared on the
connection; every other end rolls back, so nothing a view left unsaved is
ever saved."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, text, update

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
