"""Delivery leases, holds and receiver circuit state (issue 13).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa  # noqa: F401 - used once the revision is filled
from alembic import op  # noqa: F401 - used once the revision is filled

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
