"""Migrations run up from empty and down again on both databases, and the
models match the migrations (autogenerate finds nothing to do)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app import migrate
from app.db import make_engine
from app.migrate import include_object
from app.models import Base

OUR_TABLES = {t.name for t in Base.metadata.sorted_tables}


def test_upgrade_downgrade_upgrade(empty_url):
    engine = make_engine(empty_url)
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision(engine)
        assert OUR_TABLES <= set(inspect(engine).get_table_names())
        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        assert not OUR_TABLES & set(inspect(engine).get_table_names())
        migrate.upgrade(engine)
        assert OUR_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_match_migrations(empty_url):
    engine = make_engine(empty_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": include_object})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_spatialite_internal_tables_survive(empty_url):
    engine = make_engine(empty_url)
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "base")
        if engine.dialect.name == "sqlite":
            assert {"spatial_ref_sys", "geometry_columns"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_alembic_gets_a_url_with_escaped_characters_intact(empty_url):
    """A password with "%" or a libpq multi-host list (host=a%3A5432&host=b...)
    reaches alembic's configparser escaped, not as interpolation syntax."""
    from sqlalchemy import create_engine

    url = make_url(empty_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(host=None, port=None, query={**url.query, "host": [f"{url.host}:{url.port}"]})
    else:
        url = url.set(query={"mode": "rwc", "note": "50%"})
    engine = create_engine(url)
    try:
        assert "%" in engine.url.render_as_string(hide_password=False)
        config = migrate.alembic_config(engine)
        assert config.get_main_option("sqlalchemy.url") == engine.url.render_as_string(hide_password=False)
    finally:
        engine.dispose()
