"""fiche_records: each published project fiche's public record as JSON text (app.write.stored_records)

The table starts empty: app.migrate.upgrade fills the missing records with
the app's own code after the migrations (app.write.stored_records.fill_missing),
so this revision does not depend on how a record is built.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fiche_records',
    sa.Column('fiche_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['fiche_id'], ['fiches.id'], name=op.f('fk_fiche_records_fiche_id_fiches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_fiche_records_municipality_id_municipalities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('fiche_id', name=op.f('pk_fiche_records'))
    )
    op.create_index(op.f('ix_fiche_records_municipality_id'), 'fiche_records', ['municipality_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_fiche_records_municipality_id'), table_name='fiche_records')
    op.drop_table('fiche_records')
