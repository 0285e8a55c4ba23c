"""fiches.plain_language: "Wat verandert er voor jou?" in plain language

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-06 02:00:00

The lead chains this after '0003' at merge (down_revision then becomes '0003').
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('fiches', sa.Column('plain_language', sa.Text(), nullable=True))


def downgrade() -> None:
    # No batch mode: recreating the table would drop SpatiaLite's registration of
    # its geometry column; SQLite >= 3.35 drops a column in place.
    op.drop_column('fiches', 'plain_language')
