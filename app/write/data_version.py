"""Bump the data version (app.read.version) with every write of public data,
in the same transaction: one session event for ORM flushes and one for DML
statements run through the session (bulk imports, replacing children).

Staff-only tables (users, roles, login attempts, revisions, import jobs,
working versions, e-mail alerts) do not change what a visitor sees and leave
the version alone; so do the stored records (app.write.stored_records), which
only follow a change that has already counted. Neither does a session marked with `PREVIEW` in its info (a
working version applied for a staff preview and rolled back:
app/write/editing/working.py); counting it would announce a version nobody ever commits.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import event, insert, update
from sqlalchemy.orm import Session, sessionmaker

from ..models import DataVersion
from ..read.version import ROW_ID

PRIVATE_TABLES = frozenset({"users", "user_roles", "login_attempts", "fiche_revisions", "import_jobs",
                            "fiche_working_versions", "alert_subscriptions", "alert_deliveries", "alert_attempts",
                            "city_settings_revisions", "fiche_records", DataVersion.__tablename__})
PREVIEW = "fichekaart.preview"


def install(factory: sessionmaker) -> None:
    """Listen on the sessions of `factory` (app.db.init_app: the one place)."""
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _on_execute)


def bump(session: Session) -> None:
    """Count one change, on the session's own connection (same transaction)."""
    connection = session.connection()
    now = dt.datetime.now(dt.UTC)
    done = connection.execute(update(DataVersion).where(DataVersion.id == ROW_ID)
                              .values(version=DataVersion.version + 1, changed_at=now)
                              .execution_options(synchronize_session=False))
    if done.rowcount == 0:  # a database made without the migration's first row
        connection.execute(insert(DataVersion).values(id=ROW_ID, version=1, changed_at=now))


def _public(table_name: str | None) -> bool:
    return table_name is not None and table_name not in PRIVATE_TABLES


def _after_flush(session: Session, _context) -> None:
    if session.info.get(PREVIEW):
        return
    changed = [*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o))]
    if any(_public(getattr(getattr(o, "__table__", None), "name", None)) for o in changed):
        bump(session)


def _on_execute(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get(PREVIEW):
        return
    table = getattr(state.statement, "table", None)
    if _public(getattr(table, "name", None)):
        bump(state.session)
