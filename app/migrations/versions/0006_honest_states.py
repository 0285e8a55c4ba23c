"""honest states: priority ja/nee/niet vermeld (+ afgeleid), status basis, location source and
assumption, staff-only note, phase note, a budget line's phase, an indicator's city figure, value quotes

Revision ID: 0007
Revises: 0002
Create Date: 2026-12-06 02:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

NEW_COLUMNS = {
    "fiches": [
        sa.Column("priority_reason", sa.Text(), nullable=True),
        sa.Column("status_basis", sa.String(length=120), nullable=True),
        sa.Column("location_source", sa.Text(), nullable=True),
        sa.Column("location_assumption", sa.Text(), nullable=True),
        sa.Column("staff_note", sa.Text(), nullable=True),
    ],
    "phases": [sa.Column("note", sa.Text(), nullable=True)],
    "budget_lines": [sa.Column("phase_position", sa.Integer(), nullable=True)],
    "indicators": [sa.Column("city_indicator_code", sa.String(length=80), nullable=True)],
    "indicator_values": [sa.Column("quote", sa.Text(), nullable=True)],
}

# SQLite cannot drop a NOT NULL constraint with ALTER TABLE, and a batch
# rebuild of `fiches` would lose SpatiaLite's registration of its geometry
# column and spatial index. SQLite documents editing the stored CREATE TABLE
# text for changes that leave the stored rows as they are ("ALTER TABLE",
# section "Making Other Kinds Of Table Schema Changes"); removing NOT NULL is one.
_NOT_NULL = "priority BOOLEAN NOT NULL,"
_NULLABLE = "priority BOOLEAN,"


def _sqlite_swap_priority_constraint(old: str, new: str) -> None:
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'fiches'", (old, new)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    for table, columns in NEW_COLUMNS.items():
        for column in columns:
            op.add_column(table, column)
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_swap_priority_constraint(_NOT_NULL, _NULLABLE)
    else:
        op.alter_column("fiches", "priority", existing_type=sa.Boolean(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE fiches SET priority = false WHERE priority IS NULL")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_swap_priority_constraint(_NULLABLE, _NOT_NULL)
    else:
        op.alter_column("fiches", "priority", existing_type=sa.Boolean(), nullable=False)
    for table, columns in NEW_COLUMNS.items():
        for column in reversed(columns):
            op.drop_column(table, column.name)
