"""Repair for stores that ran 0002 and 0003 while they were still empty (issue 11).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa  # noqa: F401 - used once the revision is filled
from alembic import op  # noqa: F401 - used once the revision is filled

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
