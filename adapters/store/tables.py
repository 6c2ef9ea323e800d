"""The store's tables (SQLAlchemy Core). Alembic migrations create and upgrade them.

Portable SQL only: the same tables and queries run on SQLite (the embedded default) and
PostgreSQL. Dates are ``DATE``; instants are UTC ``DateTime(timezone=True)``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

staff = Table(
    "staff", metadata,
    Column("id", String(64), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("started", Date, nullable=False),
    Column("line_manager", String(64), nullable=True, index=True),
    Column("qualified", Date, nullable=True),
    Column("part_time", Boolean, nullable=False, default=False),
    Column("agency", Boolean, nullable=False, default=False),
    Column("team", String(64), nullable=True),
)

entities = Table(
    "entities", metadata,
    Column("kind", String(32), primary_key=True),
    Column("id", String(160), primary_key=True),
    Column("authority", String(64), nullable=False),
    Column("policy_version", String(32), nullable=False),
    Column("state", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    # The child or worker the lifecycle is about, and the other person in it (the supervisor of
    # a relationship or an ASYE, the worker of an assessment): how events find their entities.
    Column("subject", String(64), nullable=False),
    Column("party", String(64), nullable=True),
    Column("started_on", Date, nullable=False),
    Column("updated_on", Date, nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_entities_subject", "kind", "subject"),
    Index("ix_entities_party", "kind", "party"),
)

timers = Table(
    "timers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_kind", String(32), nullable=False),
    Column("entity_id", String(160), nullable=False),
    Column("name", String(160), nullable=False),
    Column("fires_on", Date, nullable=False),
    Column("rule", JSON, nullable=False),
    Column("basis", JSON, nullable=True),
    UniqueConstraint("entity_kind", "entity_id", "name", name="uq_timers_entity_name"),
    # The sweep's only query: due timers in firing order. Its cost follows the due count.
    Index("ix_timers_due", "fires_on", "id"),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_kind", String(32), nullable=False),
    Column("entity_id", String(160), nullable=False),
    Column("source", String(32), nullable=False),
    Column("dest", String(32), nullable=False),
    Column("trigger", String(64), nullable=False),
    Column("cause", String(200), nullable=False),
    Column("on", Date, nullable=False),
    Column("rule", JSON, nullable=True),
    Column("actor", String(64), nullable=True),
    Column("event_id", String(128), nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_audit_entity", "entity_kind", "entity_id", "id"),
)

tasks = Table(
    "tasks", metadata,
    Column("id", String(320), primary_key=True),
    Column("entity_kind", String(32), nullable=False),
    Column("entity_id", String(160), nullable=False),
    Column("key", String(160), nullable=False),
    Column("type", String(64), nullable=False),
    Column("assignee", String(64), nullable=False),
    Column("assignee_role", String(32), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("raised_on", Date, nullable=False),
    Column("due", Date, nullable=False),
    Column("state", String(16), nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("breached_on", Date, nullable=True),
    Column("authority", String(64), nullable=False),
    Column("section", String(64), nullable=False),
    Column("rule", JSON, nullable=False),
    Column("basis", JSON, nullable=False),
    Column("escalates", String(320), nullable=True),
    Column("level", Integer, nullable=False, default=0),
    Index("ix_tasks_state_due", "state", "due"),
    Index("ix_tasks_assignee", "assignee", "state"),
    Index("ix_tasks_entity", "entity_kind", "entity_id"),
)

outbox = Table(
    "outbox", metadata,
    # The CloudEvents id: also the idempotency key a receiver de-duplicates on.
    Column("id", String(64), primary_key=True),
    Column("task_id", String(320), nullable=False, index=True),
    Column("type", String(100), nullable=False),
    Column("message", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Index("ix_outbox_pending", "status", "next_attempt_at"),
)

processed_events = Table(
    "processed_events", metadata,
    Column("event_id", String(128), primary_key=True),
    Column("type", String(64), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)
