"""tolerant search (fiches' normalised search columns and their full-text
index) and the city's address list

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 02:10:00
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

from app.spatial import create_search_indexes, drop_search_indexes
from app.write.search_index import fiche_search_columns

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The searched texts that exist at this revision (later revisions add columns that
# app.write.search_index.SEARCHED_FIELDS names: a migration keeps its own list).
SEARCHED_AT_0003 = ("title", "location_description", "summary", "goal_why", "goal_what", "goal_gain",
                    "state_of_play", "sector", "responsible_service")


def upgrade() -> None:
    op.add_column('fiches', sa.Column('search_title', sa.Text(), nullable=True))
    op.add_column('fiches', sa.Column('search_text', sa.Text(), nullable=True))
    # Fill the columns of the fiches already there, with the write side's own function.
    bind = op.get_bind()
    fiches = sa.table('fiches', sa.column('id'), sa.column('search_title'), sa.column('search_text'),
                      *[sa.column(name) for name in SEARCHED_AT_0003])
    for row in bind.execute(sa.select(fiches)).mappings().all():
        bind.execute(fiches.update().where(fiches.c.id == row['id']).values(**fiche_search_columns(row)))

    op.create_geospatial_table('addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('house_number', sa.String(length=40), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('street_key', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=31370, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_addresses_municipality_id_municipalities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addresses'))
    )
    op.create_geospatial_index('idx_addresses_geom', 'addresses', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_addresses_municipality_id'), 'addresses', ['municipality_id'], unique=False)
    op.create_index(op.f('ix_addresses_street_key'), 'addresses', ['street_key'], unique=False)

    create_search_indexes(bind)


def downgrade() -> None:
    drop_search_indexes(op.get_bind())
    op.drop_index(op.f('ix_addresses_street_key'), table_name='addresses')
    op.drop_index(op.f('ix_addresses_municipality_id'), table_name='addresses')
    op.drop_geospatial_index('idx_addresses_geom', table_name='addresses', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('addresses')
    # Plain ALTER TABLE on both (SQLite >= 3.35): a batch copy of `fiches` would
    # have to rebuild SpatiaLite's geometry triggers and index.
    op.execute('ALTER TABLE fiches DROP COLUMN search_text')
    op.execute('ALTER TABLE fiches DROP COLUMN search_title')
