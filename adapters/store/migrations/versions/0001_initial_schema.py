"""Initial schema: staff, entities, timers, audit, tasks, outbox, processed events.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 09:33:46.545755
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entity_kind', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=160), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('dest', sa.String(length=32), nullable=False),
    sa.Column('trigger', sa.String(length=64), nullable=False),
    sa.Column('cause', sa.String(length=200), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('event_id', sa.String(length=128), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entity', ['entity_kind', 'entity_id', 'id'], unique=False)

    op.create_table('entities',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=160), nullable=False),
    sa.Column('authority', sa.String(length=64), nullable=False),
    sa.Column('policy_version', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('party', sa.String(length=64), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('updated_on', sa.Date(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'id')
    )
    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.create_index('ix_entities_party', ['kind', 'party'], unique=False)
        batch_op.create_index('ix_entities_subject', ['kind', 'subject'], unique=False)

    op.create_table('meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('outbox',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('task_id', sa.String(length=320), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('message', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_task_id'), ['task_id'], unique=False)

    op.create_table('processed_events',
    sa.Column('event_id', sa.String(length=128), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_table('staff',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('started', sa.Date(), nullable=False),
    sa.Column('line_manager', sa.String(length=64), nullable=True),
    sa.Column('qualified', sa.Date(), nullable=True),
    sa.Column('part_time', sa.Boolean(), nullable=False),
    sa.Column('agency', sa.Boolean(), nullable=False),
    sa.Column('team', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_line_manager'), ['line_manager'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.String(length=320), nullable=False),
    sa.Column('entity_kind', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=160), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('assignee', sa.String(length=64), nullable=False),
    sa.Column('assignee_role', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('breached_on', sa.Date(), nullable=True),
    sa.Column('authority', sa.String(length=64), nullable=False),
    sa.Column('section', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('escalates', sa.String(length=320), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_assignee', ['assignee', 'state'], unique=False)
        batch_op.create_index('ix_tasks_entity', ['entity_kind', 'entity_id'], unique=False)
        batch_op.create_index('ix_tasks_state_due', ['state', 'due'], unique=False)

    op.create_table('timers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entity_kind', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=160), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('fires_on', sa.Date(), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity_kind', 'entity_id', 'name', name='uq_timers_entity_name')
    )
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index('ix_timers_due', ['fires_on', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_due')

    op.drop_table('timers')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_state_due')
        batch_op.drop_index('ix_tasks_entity')
        batch_op.drop_index('ix_tasks_assignee')

    op.drop_table('tasks')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_line_manager'))

    op.drop_table('staff')
    op.drop_table('processed_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_task_id'))
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    op.drop_table('meta')
    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.drop_index('ix_entities_subject')
        batch_op.drop_index('ix_entities_party')

    op.drop_table('entities')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entity')

    op.drop_table('audit')
