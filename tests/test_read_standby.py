"""Anonymous reads from a standby (issue 15): with FICHEKAART_READ_DATABASE_URL
set, anonymous GET requests read the standby; staff (anyone with a session
cookie) and every writing request use the primary, so they always see their
own writes; a standby that cannot be reached is held back and its reads go
to the primary meanwhile.

The "standby" here is a second copy of the seeded database that a test then
makes differ from the primary, so each answer shows which one it read.
Streaming replication itself is PostgreSQL's: scripts and figures in
docs/operations.md."""
from __future__ import annotations

from sqlalchemy import select, update

from app.models import Fiche
from conftest import dispose, make_test_app
from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import db, login

ON_PRIMARY = "Titel die alleen op de primaire databank staat"


def a_published_fiche(app) -> tuple[int, str]:
    with db(app) as session:
        fiche = session.scalars(select(Fiche).where(Fiche.published.is_(True)).order_by(Fiche.id)).first()
        return fiche.id, fiche.title


def retitle(app, fiche_id: int, title: str) -> None:
    with db(app) as session, session.begin():
        session.execute(update(Fiche).where(Fiche.id == fiche_id).values(title=title))


def test_anonymous_reads_the_standby_and_staff_the_primary(databases, seed_url, scratch_app, staff):
    standby_url = databases.copy_of(seed_url)
    app = make_test_app(scratch_app.config["DATABASE_URL"], READ_DATABASE_URL=standby_url)
    try:
        fiche_id, title = a_published_fiche(app)
        retitle(scratch_app, fiche_id, ON_PRIMARY)
        page = f"/herentals/fiches/{fiche_id}"

        anonymous = app.test_client().get(page)
        assert anonymous.status_code == 200
        assert title in anonymous.text and ON_PRIMARY not in anonymous.text

        editor = app.test_client()
        assert login(editor, staff.redacteur).status_code == 302  # the POST went to the primary (the account is there)
        assert ON_PRIMARY in editor.get(page).text  # read-your-writes: a session cookie reads the primary
    finally:
        dispose(app)
        app.extensions["fichekaart.read_engine"].dispose()
        databases.drop(standby_url)


def test_an_unreachable_standby_leaves_reads_to_the_primary(databases, scratch_app, tmp_path):
    missing = "postgresql+psycopg://fichekaart@127.0.0.1:9/nowhere?connect_timeout=2" \
        if databases.backend == "postgis" else f"sqlite:///{tmp_path / 'weg' / 'standby.sqlite'}"
    app = make_test_app(scratch_app.config["DATABASE_URL"], READ_DATABASE_URL=missing, DB_RETRY_AFTER=7)
    try:
        fiche_id, _ = a_published_fiche(app)
        retitle(scratch_app, fiche_id, ON_PRIMARY)
        client = app.test_client()
        first = client.get(f"/herentals/fiches/{fiche_id}")
        assert first.status_code == 503 and first.headers["Retry-After"] == "7"  # the standby failed to connect
        second = client.get(f"/herentals/fiches/{fiche_id}")
        assert second.status_code == 200 and ON_PRIMARY in second.text  # held back: the primary answers
        assert app.extensions["fichekaart.outage_holds"]["primary"].until == 0.0  # the primary is not held back
    finally:
        dispose(app)
        app.extensions["fichekaart.read_engine"].dispose()
