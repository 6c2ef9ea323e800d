"""A fired timer's id is never handed to a new timer (SQLite only).

SQLite's plain rowid reuses the highest id once its row is deleted: a timer fired (deleted) and
the escalation timer its step arms in the same transaction got the same id, so a retried
``fire(id)`` (the flows' ``fire_batch`` retries a batch) fired the new, not yet due, timer.
``AUTOINCREMENT`` keeps ids increasing for good. PostgreSQL's identity never reuses a value.

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # The table is rebuilt with its rows, ids kept; sqlite_sequence starts from the highest.
    with op.batch_alter_table("timers", recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("timers", recreate="always",
                              table_kwargs={"sqlite_autoincrement": False}):
        pass
