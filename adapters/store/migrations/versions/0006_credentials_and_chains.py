"""Token expiry and rotation, dashboard sessions, hash-chained audit and access log (issue 14).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa  # noqa: F401 - used once the revision is filled
from alembic import op  # noqa: F401 - used once the revision is filled

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
