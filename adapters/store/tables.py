"""The store's tables (SQLAlchemy Core). Alembic migrations create and upgrade them.

Portable SQL only: the same tables and queries run on SQLite (the embedded default) and
PostgreSQL. Dates are ``DATE``; instants are UTC ``DateTime(timezone=True)``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from oversight.adapters.store.access_tables import (
    access_log,
    api_tokens,
    chain_heads,
    dashboard_sessions,
    erasures,
)
from oversight.adapters.store.schema import metadata

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
    # A fired (deleted) timer's id is never reused: a retried fire(id) must find nothing (0008).
    sqlite_autoincrement=True,
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_kind", String(32), nullable=False),
    Column("entity_id", String(160), nullable=False),
    Column("source", String(32), nullable=False),
    Column("dest", String(32), nullable=False),
    Column("trigger", String(255), nullable=False),
    Column("cause", String(200), nullable=False),
    Column("on", Date, nullable=False),
    Column("rule", JSON, nullable=True),
    # Who did it: the authenticated principal ("sw1", "system:tok_… for sw1", "os:alice").
    Column("actor", String(200), nullable=True),
    Column("event_id", String(128), nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    # The hash chain (issue 14, adapters/store/chain.py): position, digest of the row, link.
    Column("seq", BigInteger, nullable=True),
    Column("digest", String(64), nullable=True),
    Column("chain", String(64), nullable=True),
    Column("erased_at", DateTime(timezone=True), nullable=True),
    # Issue 20: an erasure's keyed seal over what it left (chain.erasure_seal).
    Column("erased_digest", String(96), nullable=True),
    Index("ix_audit_entity", "entity_kind", "entity_id", "id"),
    Index("ix_audit_seq", "seq"),
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
    # Met, recorded late (issue 12): the moment the record that met it arrived; ``closed_on``
    # keeps the day it was met. And why a withdrawn task no longer stands (a re-derivation, a
    # retraction, the assignee's leaving).
    Column("recorded_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_because", String(200), nullable=True),
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
    # Creation order, which is delivery order: the messages of one step share ``created_at``
    # and their ids are random. PostgreSQL numbers rows itself (an identity column, safe for
    # concurrent writers); on SQLite, the single writer takes the next number.
    Column("seq", BigInteger, Identity(), nullable=False),
    # When the dispatcher fanned the message out to the receivers its route names.
    Column("routed_at", DateTime(timezone=True), nullable=True),
    Index("ix_outbox_pending", "status", "next_attempt_at"),
    Index("ix_outbox_seq", "seq", unique=True),
    Index("ix_outbox_unrouted", "routed_at", "seq"),
)

deliveries = Table(
    "deliveries", metadata,
    # One message to one receiver: the outbox row above sums up all of its deliveries.
    Column("message_id", String(64), ForeignKey("outbox.id"), primary_key=True),
    Column("receiver", String(64), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("task_id", String(320), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    # Since when it has been due (routed, or put back by `oversight deliveries retry`): the
    # retry deadline counts from here.
    Column("due_since", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    # The dispatch claim that holds it, until when (issue 13): an overlapping run skips it; a
    # crashed run's lease runs out and the delivery is claimed again, with the same id.
    Column("lease_owner", String(32), nullable=True),
    Column("lease_expires_at", DateTime(timezone=True), nullable=True),
    # A receiver's due deliveries in order, and the earlier messages of the same task.
    Index("ix_deliveries_due", "receiver", "status", "seq"),
    Index("ix_deliveries_task", "receiver", "task_id", "seq"),
)

receiver_circuits = Table(
    "receiver_circuits", metadata,
    # A receiver's failures in a row; once too many, paused until ``open_until`` (issue 13).
    Column("receiver", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("opened", Integer, nullable=False),
    Column("open_until", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

event_log = Table(
    # Every event applied to an entity (issue 12): the date it happened, when it was recorded,
    # its body, and whether it was retracted. A late or retracted record re-derives the entity
    # from these rows (workflows/recording/rederive.py). ``record_id`` is the event's id (its
    # ``event_id``, or one given when it was recorded): one event applied to several entities
    # has one row per entity, all with the same record id.
    "event_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(128), nullable=False),
    Column("entity_kind", String(32), nullable=False),
    Column("entity_id", String(160), nullable=False),
    Column("type", String(64), nullable=False),
    Column("on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=True),
    Column("body", JSON, nullable=False),
    Column("retracted_at", DateTime(timezone=True), nullable=True),
    Column("retracted_by", String(200), nullable=True),
    Column("retract_reason", Text, nullable=True),
    Index("ix_event_log_entity", "entity_kind", "entity_id", "on", "id"),
    Index("ix_event_log_record", "record_id"),
)

calendar_feeds = Table(
    "calendar_feeds", metadata,
    # A person's calendar feed (issue 13): the SHA-256 of its read-only secret, which is in the
    # feed's URL and shown once; revoked, the URL answers 404.
    Column("id", String(32), primary_key=True),
    Column("person", String(64), nullable=False, index=True),
    Column("hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("hash", name="uq_calendar_feeds_hash"),
)

calendar_events = Table(
    "calendar_events", metadata,
    # Each session a calendar has been given (issue 20): its UID names the obligation (the
    # lifecycle's n-th session), never a date; the date last published and how many times it
    # moved, which is the event's SEQUENCE (RFC 5545 §3.8.7.4).
    Column("uid", String(200), primary_key=True),
    Column("on", Date, nullable=False),
    Column("sequence", Integer, nullable=False),
)

processed_events = Table(
    "processed_events", metadata,
    Column("event_id", String(128), primary_key=True),
    Column("type", String(64), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

# ----- inbound: API tokens and the access log (issue 6) ----------------------------------------

# The access tables live in access_tables.py; every table is read from here (``tables as t``).
__all__ = ["access_log", "api_tokens", "audit", "calendar_events", "calendar_feeds", "chain_heads",
           "dashboard_sessions", "deliveries", "entities", "erasures", "event_log", "meta",
           "metadata", "outbox", "processed_events", "receiver_circuits", "staff", "tasks",
           "timers"]
