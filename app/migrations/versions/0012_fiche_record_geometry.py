"""fiche_records.geometry_crs84: each stored record's geometry as GeoJSON text in CRS84

The records stored by 0011 have no geometry: the revision empties the table
(it holds derived data only), and app.migrate.upgrade refills it with the
app's own code after the migrations, geometry included.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 17:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM fiche_records")
    with op.batch_alter_table('fiche_records') as batch_op:
        batch_op.add_column(sa.Column('geometry_crs84', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('fiche_records') as batch_op:
        batch_op.drop_column('geometry_crs84')
