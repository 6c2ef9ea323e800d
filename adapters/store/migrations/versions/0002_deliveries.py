"""Outbound delivery state per message and receiver (issue 5).

The outbox gains ``seq`` (creation order, which is delivery order; existing rows are numbered
by ``created_at, id``) and ``routed_at``; ``deliveries`` holds one row per message and
receiver: status, attempts, next attempt, last error.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        # PostgreSQL fills an identity column as it adds it; SQLite leaves it empty for now.
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), sa.Identity(),
                                      nullable=not postgres))
        batch_op.add_column(sa.Column('routed_at', sa.DateTime(timezone=True), nullable=True))
    # Number the messages already there in the order they were written.
    op.execute("UPDATE outbox SET seq = numbered.n FROM (SELECT id, row_number() OVER "
               "(ORDER BY created_at, id) AS n FROM outbox) AS numbered "
               "WHERE outbox.id = numbered.id")
    if postgres:
        op.execute("SELECT setval(pg_get_serial_sequence('outbox', 'seq'), "
                   "coalesce((SELECT max(seq) FROM outbox), 0) + 1, false)")
    # Messages delivered before this revision went to the one receiver there was then; the
    # others are routed afresh by the next dispatch, to the receivers configured now.
    op.execute("UPDATE outbox SET routed_at = coalesce(delivered_at, created_at) "
               "WHERE status = 'delivered'")
    op.execute("UPDATE outbox SET status = 'pending' WHERE status <> 'delivered'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index('ix_outbox_seq', ['seq'], unique=True)
        batch_op.create_index('ix_outbox_unrouted', ['routed_at', 'seq'], unique=False)

    op.create_table('deliveries',
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('receiver', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('task_id', sa.String(length=320), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('due_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['outbox.id'], ),
    sa.PrimaryKeyConstraint('message_id', 'receiver')
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_due', ['receiver', 'status', 'seq'], unique=False)
        batch_op.create_index('ix_deliveries_task', ['receiver', 'task_id', 'seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_task')
        batch_op.drop_index('ix_deliveries_due')

    op.drop_table('deliveries')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unrouted')
        batch_op.drop_index('ix_outbox_seq')
        batch_op.drop_column('routed_at')
        batch_op.drop_column('seq')
