"""Delivery leases and receiver circuits (issue 13).

``deliveries`` gains a lease: ``lease_owner`` (the claim that took it) and ``lease_expires_at``.
A dispatch run leases a page of deliveries before sending it, so overlapping runs never send
the same message; a crashed run's leases expire and its in-flight messages go again.
``receiver_circuits`` holds each receiver's run of failures and, once it has failed too many
times in a row, until when it is paused (a circuit breaker that closes again by itself).
``calendar_feeds`` holds each person's calendar feed: the SHA-256 of its read-only secret (the
secret is in the feed's URL, shown once), when it was issued and when revoked.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('lease_expires_at', sa.DateTime(timezone=True),
                                      nullable=True))
    op.create_table(
        'receiver_circuits',
        sa.Column('receiver', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('opened', sa.Integer(), nullable=False),
        sa.Column('open_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('receiver'),
    )
    op.create_table(
        'calendar_feeds',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('person', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('hash', name='uq_calendar_feeds_hash'),
    )
    op.create_index('ix_calendar_feeds_person', 'calendar_feeds', ['person'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_calendar_feeds_person', table_name='calendar_feeds')
    op.drop_table('calendar_feeds')
    op.drop_table('receiver_circuits')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('lease_owner')
