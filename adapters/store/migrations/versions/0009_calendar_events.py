"""The calendar events published, each with its date and SEQUENCE (issue 20).

A session's UID names the obligation, not its date, so a moved session is the same event; the
table remembers the date each was last published on and how many times it moved.

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
        'calendar_events',
        sa.Column('uid', sa.String(length=200), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('uid'),
    )


def downgrade() -> None:
    op.drop_table('calendar_events')
