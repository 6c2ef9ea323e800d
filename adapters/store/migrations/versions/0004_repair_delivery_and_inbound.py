"""Repair for stores that ran 0002 and 0003 while they were still empty (issue 11).

Revisions 0002 and 0003 were first released empty and later filled under the same ids, so a
store upgraded in between is stamped 0003 without the outbox's ``seq`` and ``routed_at``, the
``deliveries`` table, ``api_tokens`` or ``access_log``. This revision creates, exactly as 0002
and 0003 do, whatever of that is missing, and leaves alone what is there: on any other store it
changes nothing. A released revision is never edited again; a repair is a new revision.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    _repair_outbox()
    if not _has_table('deliveries'):
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
    _index('deliveries', 'ix_deliveries_due', ['receiver', 'status', 'seq'])
    _index('deliveries', 'ix_deliveries_task', ['receiver', 'task_id', 'seq'])
    if not _has_table('api_tokens'):
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
    if not _has_table('access_log'):
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
    _index('access_log', 'ix_access_log_person', ['person', 'at'])
    _index('access_log', 'ix_access_log_target', ['target', 'at'])


def downgrade() -> None:
    # Nothing to undo: what this revision made is what 0002 and 0003 make, and their
    # downgrades remove it.
    pass


def _repair_outbox() -> None:
    """0002's outbox columns, with the same numbering and routing of the rows already there."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if not _has_column('outbox', 'seq'):
        with op.batch_alter_table('outbox', schema=None) as batch_op:
            # PostgreSQL fills an identity column as it adds it; SQLite leaves it empty for now.
            batch_op.add_column(sa.Column('seq', sa.BigInteger(), sa.Identity(),
                                          nullable=not postgres))
        # Number the messages already there in the order they were written.
        op.execute("UPDATE outbox SET seq = numbered.n FROM (SELECT id, row_number() OVER "
                   "(ORDER BY created_at, id) AS n FROM outbox) AS numbered "
                   "WHERE outbox.id = numbered.id")
        if postgres:
            op.execute("SELECT setval(pg_get_serial_sequence('outbox', 'seq'), "
                       "coalesce((SELECT max(seq) FROM outbox), 0) + 1, false)")
        with op.batch_alter_table('outbox', schema=None) as batch_op:
            batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
    if not _has_column('outbox', 'routed_at'):
        with op.batch_alter_table('outbox', schema=None) as batch_op:
            batch_op.add_column(sa.Column('routed_at', sa.DateTime(timezone=True), nullable=True))
        # As 0002: messages delivered went to the one receiver there was then; the others are
        # routed afresh by the next dispatch, to the receivers configured now.
        op.execute("UPDATE outbox SET routed_at = coalesce(delivered_at, created_at) "
                   "WHERE status = 'delivered'")
        op.execute("UPDATE outbox SET status = 'pending' WHERE status <> 'delivered'")
    _index('outbox', 'ix_outbox_seq', ['seq'], unique=True)
    _index('outbox', 'ix_outbox_unrouted', ['routed_at', 'seq'])


def _has_table(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def _has_column(table: str, column: str) -> bool:
    return column in {c['name'] for c in sa.inspect(op.get_bind()).get_columns(table)}


def _index(table: str, name: str, columns: list[str], unique: bool = False) -> None:
    """Create the index unless the table has one of that name already."""
    if name not in {ix['name'] for ix in sa.inspect(op.get_bind()).get_indexes(table)}:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=unique)
