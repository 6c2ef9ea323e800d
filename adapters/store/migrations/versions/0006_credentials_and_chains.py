"""Token expiry and rotation, dashboard sessions, hash-chained audit and access log (issue 14).

Revision ID: 0006
Revises: 0005
"""
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_CHAIN = ("seq", "digest", "chain", "erased_at")


def _chain_columns(batch_op: Any) -> None:
    batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
    batch_op.add_column(sa.Column('digest', sa.String(length=64), nullable=True))
    batch_op.add_column(sa.Column('chain', sa.String(length=64), nullable=True))
    batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('replaced_by', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('acts_for', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.alter_column('actor', existing_type=sa.String(length=64),
                              type_=sa.String(length=200), existing_nullable=True)
        _chain_columns(batch_op)
        batch_op.create_index('ix_audit_seq', ['seq'], unique=False)
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('reader', sa.String(length=200), nullable=True))
        _chain_columns(batch_op)
        batch_op.create_index('ix_access_log_seq', ['seq'], unique=False)
    op.create_table('dashboard_sessions',
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('token_id', sa.String(length=32), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('hash')
    )
    op.create_index('ix_dashboard_sessions_token_id', 'dashboard_sessions', ['token_id'],
                    unique=False)
    heads = op.create_table('chain_heads',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('chain', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('erasures',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pseudonym', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    from oversight.adapters.store import chain

    op.bulk_insert(heads, [{"name": name, "seq": 0, "chain": chain.GENESIS}
                           for name in chain.TABLES])
    # The rows written before the chain existed become its first links: plain SHA-256 links,
    # as this revision made them (the keys came with 0009; the head has no key_id yet).
    connection = op.get_bind()
    for name in chain.TABLES:
        _seal_plain(connection, name)


def _seal_plain(connection: Any, name: str) -> None:
    from oversight.adapters.store import chain

    table = chain.TABLES[name]
    columns = [table.c[column] for column in chain.CONTENT[name]]
    seq, previous, updates = 0, chain.GENESIS, []
    for row in connection.execute(sa.select(table.c.id, *columns).where(
            table.c.seq.is_(None)).order_by(table.c.id)):
        seq += 1
        row_digest = chain.digest(row[1:])
        previous = chain.link(previous, seq, row_digest)
        updates.append({"rid": row[0], "s": seq, "d": row_digest, "c": previous})
    if not updates:
        return
    connection.execute(sa.update(table).where(table.c.id == sa.bindparam("rid")).values(
        seq=sa.bindparam("s"), digest=sa.bindparam("d"), chain=sa.bindparam("c")), updates)
    connection.execute(sa.text("UPDATE chain_heads SET seq = :s, chain = :c WHERE name = :n"),
                       {"s": seq, "c": previous, "n": name})


def downgrade() -> None:
    op.drop_table('erasures')
    op.drop_table('chain_heads')
    op.drop_index('ix_dashboard_sessions_token_id', table_name='dashboard_sessions')
    op.drop_table('dashboard_sessions')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_access_log_seq')
        for column in _CHAIN + ("reader", "purpose"):
            batch_op.drop_column(column)
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_seq')
        for column in _CHAIN:
            batch_op.drop_column(column)
        batch_op.alter_column('actor', existing_type=sa.String(length=200),
                              type_=sa.String(length=64), existing_nullable=True)
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        for column in ("acts_for", "replaced_by", "last_used_at", "expires_at"):
            batch_op.drop_column(column)
