"""Alembic environment: runs on the connection app.migrate passes in."""
from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers

from app.models import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # Only compare what our models declare: SpatiaLite keeps dozens of its own
    # tables (SpatialIndex, KNN, ElementaryGeometries, idx_* ...) that
    # autogenerate would otherwise drop.
    if type_ == "table" and reflected and compare_to is None:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
