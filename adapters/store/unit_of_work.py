"""The unit of work: one transaction holding the repository of entities, timers, tasks, audit
and outbox. Everything one step changes commits together, or nothing does."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    tuple_,
    update,
)

from oversight.adapters.store import chain
from oversight.adapters.store import tables as t
from oversight.states.directory import StaffMember
from oversight.states.errors import ConcurrentUpdate
from oversight.states.values import Basis, RuleRef, Step

if TYPE_CHECKING:
    from oversight.adapters.store.deliveries import DeliveryLedger


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
        chain.seal_all(self.connection)  # audit rows join the hash chain (issue 14)
        self._transaction.commit()

    # ----- entities ----------------------------------------------------------------------------

    def get(self, kind: str, entity_id: str) -> StoredEntity | None:
        row = self.connection.execute(self._locked(
            select(t.entities).where(t.entities.c.kind == kind, t.entities.c.id == entity_id))
        ).mappings().first()
        return StoredEntity(**row) if row else None

    def _locked(self, query):  # type: ignore[no-untyped-def]
        """On PostgreSQL, entities a unit of work loads stay locked (``FOR UPDATE``) until it
        ends: a concurrent writer of the same entity waits for the commit, then loads the new
        version, instead of failing its version check (SQLite has one writer at a time)."""
        if self.connection.dialect.name == "postgresql":
            return query.with_for_update()
        return query

    def find(self, kind: str, *, subject: str | None = None, party: str | None = None) -> list[StoredEntity]:
        query = select(t.entities).where(t.entities.c.kind == kind)
        if subject is not None:
            query = query.where(t.entities.c.subject == subject)
        if party is not None:
            query = query.where(t.entities.c.party == party)
        rows = self.connection.execute(
            self._locked(query.order_by(t.entities.c.started_on, t.entities.c.id)))
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

    def claim_due_timers(self, as_of: date, limit: int, skip: Sequence[int] = ()) -> list[DueTimer]:
        """Lock and return up to ``limit`` due timers, each the earliest of its entity.

        A timer is claimable when no other timer of its entity comes before it in firing order
        (fires_on, id): an entity's timers then fire one after another in that order however
        many sweepers run and wherever batches split. PostgreSQL locks the claimed rows
        ``FOR UPDATE SKIP LOCKED``, so concurrent sweepers take disjoint batches and a killed
        sweeper's locks go with its connection; on SQLite the transaction already holds the
        single writer lock (BEGIN IMMEDIATE). ``skip``: timers this sweep saw fail.
        """
        earlier = t.timers.alias("earlier")
        before = select(earlier.c.id).where(
            earlier.c.entity_kind == t.timers.c.entity_kind,
            earlier.c.entity_id == t.timers.c.entity_id,
            tuple_(earlier.c.fires_on, earlier.c.id) < tuple_(t.timers.c.fires_on, t.timers.c.id))
        query = (select(t.timers.c.id, t.timers.c.entity_kind, t.timers.c.entity_id,
                        t.timers.c.name, t.timers.c.fires_on)
                 .where(t.timers.c.fires_on <= as_of, ~exists(before))
                 .order_by(t.timers.c.fires_on, t.timers.c.id).limit(limit))
        if skip:
            query = query.where(t.timers.c.id.not_in(list(skip)))
        if self.connection.dialect.name == "postgresql":
            # A sweeper hung (not killed) mid-batch loses its claims after this long idle.
            self.connection.exec_driver_sql("SET LOCAL idle_in_transaction_session_timeout = '5min'")
            query = query.with_for_update(skip_locked=True, of=t.timers)
        return [DueTimer(*row) for row in self.connection.execute(query)]

    def savepoint(self):  # type: ignore[no-untyped-def]
        """A nested transaction (SAVEPOINT): roll back one step and keep the rest of the batch."""
        return self.connection.begin_nested()

    # ----- many steps at once (a sweep's batch) -------------------------------------------------

    def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], StoredEntity]:
        """Entities by (kind, id) in one query, locked on PostgreSQL as :meth:`get` locks."""
        found: dict[tuple[str, str], StoredEntity] = {}
        for start in range(0, len(keys), 500):
            rows = self.connection.execute(self._locked(select(t.entities).where(
                tuple_(t.entities.c.kind, t.entities.c.id).in_(list(keys[start:start + 500])))))
            for row in rows.mappings():
                found[(row["kind"], row["id"])] = StoredEntity(**row)
        return found

    def delete_timers(self, timer_ids: Sequence[int]) -> None:
        if timer_ids:
            self.connection.execute(delete(t.timers).where(t.timers.c.id.in_(list(timer_ids))))

    def save_steps(self, saved: Sequence[tuple[Step, StoredEntity]], *, recorded_at: datetime
                   ) -> None:
        """What :meth:`save_step` writes, for steps of distinct existing entities, one statement
        per kind of row (executemany) instead of several per step. The caller commits."""
        if not saved:
            return
        entities = [{"k": e.kind, "i": e.id, "v": e.version - 1, "state": e.state,
                     "version": e.version, "data": e.data, "updated_on": e.updated_on,
                     "policy_version": e.policy_version} for _, e in saved]
        done = self.connection.execute(
            update(t.entities).where(t.entities.c.kind == bindparam("k"),
                                     t.entities.c.id == bindparam("i"),
                                     t.entities.c.version == bindparam("v")), entities)
        if 0 <= done.rowcount != len(entities):
            raise ConcurrentUpdate("an entity of the batch changed since it was loaded")
        disarm = [{"k": step.entity.kind, "i": step.entity.id, "n": name} for step, _ in saved
                  for name in sorted(set(step.disarm) | {timer.name for timer in step.arm})]
        if disarm:
            self.connection.execute(delete(t.timers).where(
                t.timers.c.entity_kind == bindparam("k"), t.timers.c.entity_id == bindparam("i"),
                t.timers.c.name == bindparam("n")), disarm)
        arm = [{"entity_kind": step.entity.kind, "entity_id": step.entity.id, "name": timer.name,
                "fires_on": timer.fires_on, "rule": rule_json(timer.rule),
                "basis": basis_json(timer.basis)} for step, _ in saved for timer in step.arm]
        if arm:
            self.connection.execute(insert(t.timers), arm)
        opened = [{"id": task_id(k, i, task.key), "entity_kind": k, "entity_id": i,
                   "key": task.key, "type": task.type, "assignee": task.assignee,
                   "assignee_role": task.assignee_role, "subject": task.subject,
                   "raised_on": task.raised_on, "due": task.due, "state": "open",
                   "closed_on": None, "breached_on": None,
                   "authority": task.rule.authority, "section": task.rule.section,
                   "rule": rule_json(task.rule), "basis": basis_json(task.basis),
                   "escalates": task_id(k, i, task.escalates) if task.escalates else None,
                   "level": task.level}
                  for step, _ in saved for k, i in [(step.entity.kind, step.entity.id)]
                  for task in step.opened]
        if opened:
            self.connection.execute(insert(t.tasks), opened)
        changes: dict[str, list[dict[str, Any]]] = {"due": [], "breached_on": [], "closed_on": []}
        for step, _ in saved:
            for change in step.changed:
                ident = task_id(step.entity.kind, step.entity.id, change.key)
                if change.change == "rescheduled":
                    changes["due"].append({"tid": ident, "value": change.due})
                elif change.change in ("breached", "escalated"):
                    changes["breached_on"].append({"tid": ident, "st": change.change,
                                                   "value": change.on})
                else:
                    changes["closed_on"].append({"tid": ident, "st": change.change,
                                                 "value": change.on})
        changed = [row["tid"] for rows in changes.values() for row in rows]
        if len(changed) != len(set(changed)):  # one task changed twice: order matters
            raise ValueError("a task changes twice in one step: save the steps one by one")
        for column, rows in changes.items():
            if rows:
                values: dict[str, Any] = {column: bindparam("value")}
                if column != "due":
                    values["state"] = bindparam("st")
                self.connection.execute(update(t.tasks).where(
                    t.tasks.c.id == bindparam("tid")).values(**values), rows)
        audit = [{"entity_kind": step.entity.kind, "entity_id": step.entity.id,
                  "source": r.source, "dest": r.dest, "trigger": r.trigger, "cause": r.cause,
                  "on": r.on, "rule": rule_json(r.rule), "actor": r.actor, "event_id": None,
                  "recorded_at": recorded_at} for step, _ in saved for r in step.transitions]
        if audit:
            self.connection.execute(insert(t.audit), audit)

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

    def open_tasks_of(self, authority: str) -> list[dict[str, Any]]:
        """Every open task raised under ``authority``'s policy (for ``oversight replan``)."""
        rows = self.connection.execute(select(t.tasks).where(
            t.tasks.c.state == "open", t.tasks.c.authority == authority).order_by(t.tasks.c.id))
        return [dict(row) for row in rows.mappings()]

    def retime_task(self, kind: str, entity_id: str, key: str, *, due: date, rule: RuleRef,
                    basis: Basis) -> None:
        """A task's new due date, rule and arithmetic, and its ``task:<key>`` timer if armed
        (a paused ASYE's is not: its resumption arms it)."""
        self.connection.execute(update(t.tasks).where(
            t.tasks.c.id == task_id(kind, entity_id, key)).values(
            due=due, section=rule.section, rule=rule_json(rule), basis=basis_json(basis)))
        self.connection.execute(update(t.timers).where(
            t.timers.c.entity_kind == kind, t.timers.c.entity_id == entity_id,
            t.timers.c.name == f"task:{key}").values(
            fires_on=date.fromordinal(due.toordinal() + 1), rule=rule_json(rule),
            basis=basis_json(basis)))

    def add_outbox(self, messages: Iterable[dict[str, Any]]) -> None:
        """Append messages in the order given; ``seq`` records that order for delivery."""
        rows = list(messages)
        if not rows:
            return
        if self.connection.dialect.name != "postgresql":  # PostgreSQL's identity numbers them
            last = self.connection.execute(select(func.max(t.outbox.c.seq))).scalar() or 0
            rows = [{**row, "seq": last + number} for number, row in enumerate(rows, 1)]
        self.connection.execute(insert(t.outbox), rows)

    def pending_messages(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Undelivered messages whose next attempt is due, in creation order."""
        query = (select(t.outbox.c.id, t.outbox.c.message, t.outbox.c.attempts)
                 .where(t.outbox.c.status == "pending", t.outbox.c.next_attempt_at <= now)
                 .order_by(t.outbox.c.seq).limit(limit))
        return [dict(row) for row in self.connection.execute(query).mappings()]

    @property
    def deliveries(self) -> "DeliveryLedger":
        """Each message's delivery to each receiver, in this unit of work."""
        from oversight.adapters.store.deliveries import DeliveryLedger

        return DeliveryLedger(self.connection)

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
