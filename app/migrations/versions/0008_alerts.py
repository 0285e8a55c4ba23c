"""alerts: e-mail subscriptions to a city, wijk, sector or fiche; what was mailed; the subscribe rate limit

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'alert_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('target_key', sa.String(length=200), nullable=False),
        sa.Column('frequency', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_alert_subscriptions_municipality_id_municipalities'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_subscriptions')),
        sa.UniqueConstraint('email', 'municipality_id', 'kind', 'target_key', name=op.f('uq_alert_subscriptions_email')),
    )
    with op.batch_alter_table('alert_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_subscriptions_confirmed_at'), ['confirmed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_subscriptions_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_subscriptions_municipality_id'), ['municipality_id'], unique=False)
    op.create_table(
        'alert_deliveries',
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['subscription_id'], ['alert_subscriptions.id'], name=op.f('fk_alert_deliveries_subscription_id_alert_subscriptions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('subscription_id', 'revision_id', name=op.f('pk_alert_deliveries')),
    )
    op.create_table(
        'alert_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('email_hash', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_attempts')),
    )
    with op.batch_alter_table('alert_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_attempts_email_hash'), ['email_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_attempts_ip'), ['ip'], unique=False)


def downgrade() -> None:
    op.drop_table('alert_attempts')
    op.drop_table('alert_deliveries')
    op.drop_table('alert_subscriptions')
