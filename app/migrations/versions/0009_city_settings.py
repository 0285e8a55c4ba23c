"""city settings (display name, licence, contact, basemap, accent colour, logo, listed) and their history

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'city_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('display_name', sa.String(length=200), nullable=True),
        sa.Column('licence_id', sa.String(length=80), nullable=True),
        sa.Column('licence_name', sa.String(length=200), nullable=True),
        sa.Column('licence_url', sa.String(length=500), nullable=True),
        sa.Column('contact_name', sa.String(length=200), nullable=True),
        sa.Column('contact_email', sa.String(length=254), nullable=True),
        sa.Column('contact_url', sa.String(length=500), nullable=True),
        sa.Column('basemap', sa.String(length=20), nullable=True),
        sa.Column('accent_colour', sa.String(length=7), nullable=True),
        sa.Column('logo', sa.LargeBinary(), nullable=True),
        sa.Column('logo_type', sa.String(length=40), nullable=True),
        sa.Column('listed', sa.Boolean(), nullable=False),
        sa.Column('source_note', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], ondelete='CASCADE',
                                name=op.f('fk_city_settings_municipality_id_municipalities')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_city_settings')),
        sa.UniqueConstraint('municipality_id', name=op.f('uq_city_settings_municipality_id')),
    )
    op.create_table(
        'city_settings_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('user_email', sa.String(length=254), nullable=True),
        sa.Column('changes', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], ondelete='CASCADE',
                                name=op.f('fk_city_settings_revisions_municipality_id_municipalities')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_city_settings_revisions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_city_settings_revisions')),
    )
    op.create_index(op.f('ix_city_settings_revisions_municipality_id'), 'city_settings_revisions',
                    ['municipality_id'])
    op.create_index(op.f('ix_city_settings_revisions_created_at'), 'city_settings_revisions', ['created_at'])


def downgrade() -> None:
    op.drop_table('city_settings_revisions')
    op.drop_table('city_settings')
