"""Event time and record time, the event log for re-derivation, retractions (issue 12).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa  # noqa: F401 - used once the revision is filled
from alembic import op  # noqa: F401 - used once the revision is filled

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
