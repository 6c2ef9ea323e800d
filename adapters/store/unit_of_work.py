"""The unit of work: one transaction holding the repository of entities, timers, tasks, audit
and outbox. Everything one step changes commits together, or nothing does."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import Connection, Engine, delete, func, insert, select, tuple_, update

from adapters.store import tables as t
from states.directory import StaffMember
from states.errors import ConcurrentUpdate
from states.values import Basis, RuleRef, Step


@dataclass(frozen=True, slots=True)
class StoredEntity:
    kind: str
    id: str
    authority: str
    policy_version: str
    state: str
    version: int
    subject: str
    party: str | None
    started_on: date
    updated_on: date
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DueTimer:
    id: int
    entity_kind: str
    entity_id: str
    name: str
    fires_on: date


def rule_json(rule: RuleRef | None) -> dict[str, str] | None:
    return dataclasses.asdict(rule) if rule else None


def basis_json(basis: Basis | None) -> dict[str, Any] | None:
    if basis is None:
        return None
    return {"start": basis.start.isoformat(), "interval": basis.interval,
            "result": basis.result.isoformat(), "shifted_days": basis.shifted_days,
            "skipped": [[d.isoformat(), name] for d, name in basis.skipped],
            "explain": basis.explain()}


def task_id(kind: str, entity_id: str, key: str) -> str:
    return f"{kind}:{entity_id}:{key}"


class SqlUnitOfWork:
    """``with SqlUnitOfWork(engine) as uow: ...; uow.commit()``; leaving without commit rolls back."""

    connection: Connection

    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self) -> "SqlUnitOfWork":
        self.connection = self.engine.connect()
        self._transaction = self.connection.begin()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._transaction.is_active:
            self._transaction.rollback()
        self.connection.close()

    def commit(self) -> None:
        self._transaction.commit()

    # ----- entities ----------------------------------------------------------------------------

    def get(self, kind: str, entity_id: str) -> StoredEntity | None:
        row = self.connection.execute(
            select(t.entities).where(t.entities.c.kind == kind, t.entities.c.id == entity_id)
        ).mappings().first()
        return StoredEntity(**row) if row else None

    def find(self, kind: str, *, subject: str | None = None, party: str | None = None) -> list[StoredEntity]:
        query = select(t.entities).where(t.entities.c.kind == kind)
        if subject is not None:
            query = query.where(t.entities.c.subject == subject)
        if party is not None:
            query = query.where(t.entities.c.party == party)
        rows = self.connection.execute(query.order_by(t.entities.c.started_on, t.entities.c.id))
        return [StoredEntity(**row) for row in rows.mappings()]

    def save_entity(self, entity: StoredEntity, *, created: bool) -> None:
        """Insert a new entity, or update one whose version is still ``entity.version - 1``."""
        if created:
            # Shallow: ``asdict`` would deep-copy the machine's data, which is only serialised.
            values = {f.name: getattr(entity, f.name) for f in dataclasses.fields(entity)}
            self.connection.execute(insert(t.entities).values(**values))
            return
        result = self.connection.execute(
            update(t.entities)
            .where(t.entities.c.kind == entity.kind, t.entities.c.id == entity.id,
                   t.entities.c.version == entity.version - 1)
            .values(state=entity.state, version=entity.version, data=entity.data,
                    updated_on=entity.updated_on, policy_version=entity.policy_version))
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"{entity.kind}:{entity.id} changed since it was loaded")

    def count_entities(self) -> list[tuple[str, str, int]]:
        query = (select(t.entities.c.kind, t.entities.c.state, func.count())
                 .group_by(t.entities.c.kind, t.entities.c.state)
                 .order_by(t.entities.c.kind, t.entities.c.state))
        return [tuple(row) for row in self.connection.execute(query)]  # type: ignore[misc]

    # ----- timers ------------------------------------------------------------------------------

    def due_timers(self, as_of: date, limit: int, after: tuple[date, int] | None = None) -> list[DueTimer]:
        """Timers due on or before ``as_of`` in firing order, a page at a time (keyset)."""
        query = select(t.timers.c.id, t.timers.c.entity_kind, t.timers.c.entity_id,
                       t.timers.c.name, t.timers.c.fires_on).where(t.timers.c.fires_on <= as_of)
        if after is not None:
            query = query.where(tuple_(t.timers.c.fires_on, t.timers.c.id) > tuple_(*after))
        query = query.order_by(t.timers.c.fires_on, t.timers.c.id).limit(limit)
        return [DueTimer(*row) for row in self.connection.execute(query)]

    def timer(self, timer_id: int) -> DueTimer | None:
        row = self.connection.execute(
            select(t.timers.c.id, t.timers.c.entity_kind, t.timers.c.entity_id, t.timers.c.name,
                   t.timers.c.fires_on).where(t.timers.c.id == timer_id)).first()
        return DueTimer(*row) if row else None

    def delete_timer(self, timer_id: int) -> None:
        self.connection.execute(delete(t.timers).where(t.timers.c.id == timer_id))

    def next_timers(self, limit: int) -> list[dict[str, Any]]:
        query = select(t.timers).order_by(t.timers.c.fires_on, t.timers.c.id).limit(limit)
        return [dict(row) for row in self.connection.execute(query).mappings()]

    # ----- a whole step ------------------------------------------------------------------------

    def save_step(self, step: Step, entity: StoredEntity, *, created: bool, event_id: str | None,
                  recorded_at: datetime) -> None:
        """State, timers, tasks and audit of one step; the caller commits."""
        kind, ident = step.entity.kind, step.entity.id
        self.save_entity(entity, created=created)
        names = set(step.disarm) | {timer.name for timer in step.arm}
        if names:
            self.connection.execute(delete(t.timers).where(
                t.timers.c.entity_kind == kind, t.timers.c.entity_id == ident,
                t.timers.c.name.in_(sorted(names))))
        if step.arm:
            self.connection.execute(insert(t.timers), [
                {"entity_kind": kind, "entity_id": ident, "name": timer.name,
                 "fires_on": timer.fires_on, "rule": rule_json(timer.rule),
                 "basis": basis_json(timer.basis)} for timer in step.arm])
        if step.opened:
            self.connection.execute(insert(t.tasks), [
                {"id": task_id(kind, ident, task.key), "entity_kind": kind, "entity_id": ident,
                 "key": task.key, "type": task.type, "assignee": task.assignee,
                 "assignee_role": task.assignee_role, "subject": task.subject,
                 "raised_on": task.raised_on, "due": task.due, "state": "open",
                 "authority": task.rule.authority, "section": task.rule.section,
                 "rule": rule_json(task.rule), "basis": basis_json(task.basis),
                 "escalates": task_id(kind, ident, task.escalates) if task.escalates else None,
                 "level": task.level} for task in step.opened])
        for change in step.changed:
            values: dict[str, Any]
            if change.change == "rescheduled":
                values = {"due": change.due}
            elif change.change in ("breached", "escalated"):
                values = {"state": change.change, "breached_on": change.on}
            else:
                values = {"state": change.change, "closed_on": change.on}
            self.connection.execute(update(t.tasks).where(
                t.tasks.c.id == task_id(kind, ident, change.key)).values(**values))
        if step.transitions:
            self.connection.execute(insert(t.audit), [
                {"entity_kind": kind, "entity_id": ident, "source": r.source, "dest": r.dest,
                 "trigger": r.trigger, "cause": r.cause, "on": r.on, "rule": rule_json(r.rule),
                 "actor": r.actor, "event_id": event_id, "recorded_at": recorded_at}
                for r in step.transitions])

    # ----- tasks, audit, outbox ----------------------------------------------------------------

    def tasks(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        rows = self.connection.execute(select(t.tasks).where(t.tasks.c.id.in_(list(ids))))
        return [dict(row) for row in rows.mappings()]

    def add_outbox(self, messages: Iterable[dict[str, Any]]) -> None:
        rows = list(messages)
        if rows:
            self.connection.execute(insert(t.outbox), rows)

    def pending_messages(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Undelivered messages whose next attempt is due, oldest first."""
        query = (select(t.outbox.c.id, t.outbox.c.message, t.outbox.c.attempts)
                 .where(t.outbox.c.status == "pending", t.outbox.c.next_attempt_at <= now)
                 .order_by(t.outbox.c.created_at, t.outbox.c.id).limit(limit))
        return [dict(row) for row in self.connection.execute(query).mappings()]

    def mark_delivered(self, ids: Sequence[str], now: datetime) -> None:
        if ids:
            self.connection.execute(update(t.outbox).where(t.outbox.c.id.in_(list(ids))).values(
                status="delivered", delivered_at=now, attempts=t.outbox.c.attempts + 1,
                last_error=None))

    def mark_failed(self, message_id: str, error: str, next_attempt_at: datetime | None) -> None:
        """Record a failed attempt; with no next attempt the message is dead-lettered."""
        self.connection.execute(update(t.outbox).where(t.outbox.c.id == message_id).values(
            attempts=t.outbox.c.attempts + 1, last_error=error[:500],
            status="pending" if next_attempt_at else "dead", next_attempt_at=next_attempt_at))

    def outbox_counts(self) -> dict[str, int]:
        rows = self.connection.execute(
            select(t.outbox.c.status, func.count()).group_by(t.outbox.c.status))
        return {status: count for status, count in rows}

    def claim_event(self, event_id: str, type_: str, now: datetime) -> bool:
        """Record that an event id is applied; False if it already was."""
        seen = self.connection.execute(select(t.processed_events.c.event_id).where(
            t.processed_events.c.event_id == event_id)).first()
        if seen:
            return False
        self.connection.execute(insert(t.processed_events).values(
            event_id=event_id, type=type_, applied_at=now))
        return True

    # ----- staff and settings ------------------------------------------------------------------

    def staff_member(self, person: str) -> StaffMember | None:
        row = self.connection.execute(select(
            t.staff.c.id, t.staff.c.role, t.staff.c.started, t.staff.c.line_manager,
            t.staff.c.qualified).where(t.staff.c.id == person)).first()
        return StaffMember(*row) if row else None

    def upsert_staff(self, members: Iterable[StaffMember]) -> int:
        count = 0
        for member in members:
            values = {"role": member.role, "started": member.started,
                      "line_manager": member.line_manager, "qualified": member.qualified}
            done = self.connection.execute(
                update(t.staff).where(t.staff.c.id == member.id).values(**values))
            if done.rowcount == 0:
                self.connection.execute(insert(t.staff).values(id=member.id, **values))
            count += 1
        return count

    def get_meta(self, key: str) -> str | None:
        return self.connection.execute(
            select(t.meta.c.value).where(t.meta.c.key == key)).scalar_one_or_none()

    def set_meta(self, key: str, value: str) -> None:
        done = self.connection.execute(update(t.meta).where(t.meta.c.key == key).values(value=value))
        if done.rowcount == 0:
            self.connection.execute(insert(t.meta).values(key=key, value=value))


class StoreDirectory:
    """The staff table as the domain's Directory, remembered for one unit of work."""

    def __init__(self, uow: SqlUnitOfWork):
        self._uow = uow
        self._seen: dict[str, StaffMember | None] = {}

    def member(self, person: str) -> StaffMember | None:
        if person not in self._seen:
            self._seen[person] = self._uow.staff_member(person)
        return self._seen[person]

    def line_manager_of(self, person: str) -> str | None:
        member = self.member(person)
        return member.line_manager if member else None


__all__ = ["SqlUnitOfWork", "StoredEntity", "DueTimer", "StoreDirectory", "task_id"]
