"""The audit line's trigger holds up to 255 characters (it held 64).

An ASYE resumed after a pause writes its history lines as triggers ("review:three_month moved
for the pause: …", about 115 characters). PostgreSQL refused them (StringDataRightTruncation);
SQLite never enforced the length, but its declared type follows so the schema is one.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.alter_column('trigger', type_=sa.String(length=255),
                              existing_type=sa.String(length=64), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.alter_column('trigger', type_=sa.String(length=64),
                              existing_type=sa.String(length=255), existing_nullable=False)
