"""The audit chain keyed (issue 20): the key that made each head, and each erasure's seal.

``chain_heads.key_id`` names the key (its fingerprint, never the key) that sealed the head;
``erased_digest`` on ``audit`` and ``access_log`` holds an erasure's keyed seal over what it
left, so an erased row's content is still checked. The key itself lives outside the store
(``oversight init`` creates it, ``adapters/store/chain_keys.py``); the rows sealed before it
keep their plain SHA-256 links, and the first keyed link is computed over the last of them.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('chain_heads', sa.Column('key_id', sa.String(length=32), nullable=True))
    for table in ('audit', 'access_log'):
        op.add_column(table, sa.Column('erased_digest', sa.String(length=96), nullable=True))


def downgrade() -> None:
    for table in ('audit', 'access_log'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('erased_digest')
    with op.batch_alter_table('chain_heads') as batch_op:
        batch_op.drop_column('key_id')
