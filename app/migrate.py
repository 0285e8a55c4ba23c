"""Alembic, driven from code (no alembic.ini): the same migrations run on
PostGIS and SpatiaLite."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from geoalchemy2 import alembic_helpers
from sqlalchemy import Engine

from .spatial import SEARCH_INDEXES

MIGRATIONS = Path(__file__).parent / "migrations"


def include_object(obj, name, type_, reflected, compare_to):
    """Autogenerate compares only what our models declare: SpatiaLite keeps
    dozens of its own tables (SpatialIndex, KNN, ElementaryGeometries,
    idx_* ...) that it would otherwise drop."""
    if type_ == "table" and reflected and compare_to is None:
        return False
    if type_ == "index" and name in SEARCH_INDEXES:  # expression/operator-class indexes of 0003
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def alembic_config(engine: Engine, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # The option goes through configparser, which reads "%" as interpolation: a
    # URL with an escaped character (a password, a libpq multi-host list) must be doubled.
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


def _run(engine: Engine, action, *args, **kwargs) -> None:
    with engine.begin() as connection:
        cfg = alembic_config(engine, connection)
        action(cfg, *args, **kwargs)


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, command.upgrade, revision)
    fill_stored_records(engine)


def fill_stored_records(engine: Engine) -> int:
    """Build the stored public records that are missing (all of them right
    after revisions 0011 and 0012), with the app's code rather than in the revision."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import Session

    from .models import FicheRecord
    from .write.stored_records import fill_missing

    database, table = inspect(engine), FicheRecord.__tablename__
    if not database.has_table(table) or "geometry_crs84" not in {c["name"] for c in database.get_columns(table)}:
        return 0  # upgraded to an older revision than the records need
    with Session(engine) as session, session.begin():
        return fill_missing(session)


def downgrade(engine: Engine, revision: str) -> None:
    """Down to `revision` (no default: "base" drops every table; the CLI guards it)."""
    _run(engine, command.downgrade, revision)


def revision(engine: Engine, message: str) -> None:
    _run(engine, command.revision, message=message, autogenerate=True)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
