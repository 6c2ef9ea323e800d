"""API tokens and the access log (issue 6).

Revision ID: 0003
Revises: 0002
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hash')
    )
    op.create_table('access_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('token_id', sa.String(length=32), nullable=True),
    sa.Column('person', sa.String(length=64), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('resource', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index('ix_access_log_person', ['person', 'at'], unique=False)
        batch_op.create_index('ix_access_log_target', ['target', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_access_log_target')
        batch_op.drop_index('ix_access_log_person')

    op.drop_table('access_log')
    op.drop_table('api_tokens')
