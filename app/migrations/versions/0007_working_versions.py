"""working versions: the werkversie of a published fiche (issue 12 item 4)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'fiche_working_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiche_id', sa.Integer(), nullable=False),
        sa.Column('snapshot', sa.Text(), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['fiche_id'], ['fiches.id'],
                                name=op.f('fk_fiche_working_versions_fiche_id_fiches'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_fiche_working_versions_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fiche_working_versions')),
        sa.UniqueConstraint('fiche_id', name=op.f('uq_fiche_working_versions_fiche_id')),
    )


def downgrade() -> None:
    op.drop_table('fiche_working_versions')
