"""An in-memory store behind the store port: :class:`FakeStore` and its :class:`FakeUnitOfWork`.

Dict-backed repositories and a ``committed`` flag, as in cosmicpython's ``FakeUnitOfWork``. A
unit of work works on its own copy of the committed rows and publishes the copy on
``commit()``; leaving without commit drops it, as a rolled-back transaction. Savepoints copy the
working rows. Rows have the columns the SQL store gives them, so read models and messages see
the same shapes; tests/integration/test_service_contract.py runs the same use cases on both.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from oversight.adapters.store.steps import basis_json, rule_json
from oversight.states.directory import StaffMember
from oversight.states.errors import ConcurrentUpdate
from oversight.states.values import Basis, RuleRef
from oversight.workflows.ports.event_log import FakeEventLog, LoggedEvent
from oversight.workflows.ports.store import (
    Collision,
    DueTimer,
    SavedStep,
    StaffRecord,
    StoredEntity,
    task_id,
)


@dataclass
class Rows:
    """Every row of a store."""

    entities: dict[tuple[str, str], StoredEntity] = field(default_factory=dict)
    timers: dict[int, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    staff: dict[str, StaffMember] = field(default_factory=dict)
    hr: dict[str, tuple[bool, bool, str | None]] = field(default_factory=dict)
    """Each member's HR flags as an import gave them: part_time, agency, team (the staff
    table's defaults, False, False, None, for one never imported)."""
    meta: dict[str, str] = field(default_factory=dict)
    processed: dict[str, dict[str, Any]] = field(default_factory=dict)
    event_log: list[LoggedEvent] = field(default_factory=list)
    access_log: list[dict[str, Any]] = field(default_factory=list)
    calendar_events: dict[str, tuple[date, int]] = field(default_factory=dict)
    next_timer: int = 1


def _hr(rows: Rows, person: str) -> tuple[bool, bool, str | None]:
    return rows.hr.get(person, (False, False, None))


def _order(timer: dict[str, Any]) -> tuple[date, int]:
    return timer["fires_on"], timer["id"]


def _due(row: dict[str, Any]) -> DueTimer:
    return DueTimer(row["id"], row["entity_kind"], row["entity_id"], row["name"],
                    row["fires_on"])


class FakeEntities:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    def get(self, kind: str, entity_id: str) -> StoredEntity | None:
        return self._uow.rows.entities.get((kind, entity_id))

    def get_many(self, keys: Sequence[tuple[str, str]]
                 ) -> dict[tuple[str, str], StoredEntity]:
        return {key: self._uow.rows.entities[key] for key in keys
                if key in self._uow.rows.entities}

    def find(self, kind: str, *, subject: str | None = None,
             party: str | None = None) -> list[StoredEntity]:
        return sorted((e for e in self._uow.rows.entities.values() if e.kind == kind
                       and subject in (None, e.subject) and party in (None, e.party)),
                      key=lambda e: (e.started_on, e.id))

    def counts(self) -> list[tuple[str, str, int]]:
        found: dict[tuple[str, str], int] = {}
        for e in self._uow.rows.entities.values():
            found[(e.kind, e.state)] = found.get((e.kind, e.state), 0) + 1
        return [(kind, state, n) for (kind, state), n in sorted(found.items())]

    def listing(self, kinds: Sequence[str], *, subjects: Iterable[str] | None = None,
                party: str | None = None, person: str | None = None) -> list[StoredEntity]:
        about = None if subjects is None else set(subjects)
        return sorted((e for e in self._uow.rows.entities.values() if e.kind in kinds
                       and (about is None or e.subject in about) and party in (None, e.party)
                       and person in (None, e.subject, e.party)),
                      key=lambda e: (e.started_on, e.id))

    def last_updated(self) -> date | None:
        return max((e.updated_on for e in self._uow.rows.entities.values()), default=None)


class FakeTimers:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    def _sorted(self) -> list[dict[str, Any]]:
        return sorted(self._uow.rows.timers.values(), key=_order)

    def get(self, timer_id: int) -> DueTimer | None:
        row = self._uow.rows.timers.get(timer_id)
        return _due(row) if row else None

    def due(self, as_of: date, limit: int, after: tuple[date, int] | None = None
            ) -> list[DueTimer]:
        return [_due(r) for r in self._sorted()
                if r["fires_on"] <= as_of and (after is None or _order(r) > after)][:limit]

    def claim_due(self, as_of: date, limit: int, skip: Sequence[int] = ()) -> list[DueTimer]:
        first: dict[tuple[str, str], dict[str, Any]] = {}
        for row in self._sorted():
            first.setdefault((row["entity_kind"], row["entity_id"]), row)
        return [_due(r) for r in sorted(first.values(), key=_order)
                if r["fires_on"] <= as_of and r["id"] not in skip][:limit]

    def delete(self, timer_ids: Sequence[int]) -> None:
        for timer_id in timer_ids:
            self._uow.rows.timers.pop(timer_id, None)

    def upcoming(self, limit: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self._sorted()[:limit]]

    def of_entity(self, kind: str, entity_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._sorted()
                if (r["entity_kind"], r["entity_id"]) == (kind, entity_id)]

    def due_of(self, kind: str, entity_id: str, on: date) -> list[dict[str, Any]]:
        return [r for r in self.of_entity(kind, entity_id) if r["fires_on"] <= on]


class FakeTasks:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    def _raised(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return [dict(r) for r in sorted(rows, key=lambda r: (r["raised_on"], r["due"], r["id"]))]

    def get_many(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        return [dict(self._uow.rows.tasks[i]) for i in ids if i in self._uow.rows.tasks]

    def each(self) -> Iterator[dict[str, Any]]:
        yield from self.listing()

    def listing(self, states: Iterable[str] | None = None) -> list[dict[str, Any]]:
        wanted = None if states is None else set(states)
        return self._raised(r for r in self._uow.rows.tasks.values()
                            if wanted is None or r["state"] in wanted)

    def of_entity(self, kind: str, entity_id: str) -> list[dict[str, Any]]:
        return self._raised(r for r in self._uow.rows.tasks.values()
                            if (r["entity_kind"], r["entity_id"]) == (kind, entity_id))

    def open_of(self, authority: str) -> list[dict[str, Any]]:
        return [dict(r) for _, r in sorted(self._uow.rows.tasks.items())
                if r["state"] == "open" and r["authority"] == authority]

    def due_between(self, start: date, end: date, *,
                    assignees: Iterable[str] | None = None) -> list[dict[str, Any]]:
        people = None if assignees is None else set(assignees)
        return [dict(r) for _, r in sorted(self._uow.rows.tasks.items())
                if start <= r["due"] <= end and (people is None or r["assignee"] in people)]

    def last_changed(self) -> date | None:
        return max((day for r in self._uow.rows.tasks.values()
                    for day in (r["closed_on"], r["breached_on"]) if day is not None),
                   default=None)

    def with_entity(self, task_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        task = self._uow.rows.tasks.get(task_id)
        entity = self._uow.rows.entities.get((task["entity_kind"], task["entity_id"])) \
            if task else None
        if task is None or entity is None:
            return None
        return dict(task), {"kind": entity.kind, "subject": entity.subject,
                            "party": entity.party, "data": entity.data}

    def search(self, *, assignee: str | None = None, subject: str | None = None,
               team: str | None = None, states: Iterable[str] | None = None,
               due_from: date | None = None, due_to: date | None = None
               ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        wanted = set(states) if states else None
        found = [pair for pair in map(self.with_entity, sorted(self._uow.rows.tasks))
                 if pair is not None]
        return sorted(((task, entity) for task, entity in found
                       if assignee in (None, task["assignee"])
                       and subject in (None, entity["subject"])
                       and (team is None or _hr(self._uow.rows, task["assignee"])[2] == team)
                       and (wanted is None or task["state"] in wanted)
                       and (due_from is None or task["due"] >= due_from)
                       and (due_to is None or task["due"] <= due_to)),
                      key=lambda pair: (pair[0]["due"], pair[0]["id"]))

    def retime(self, kind: str, entity_id: str, key: str, *, due: date, rule: RuleRef,
               basis: Basis) -> None:
        task = self._uow.rows.tasks.get(task_id(kind, entity_id, key))
        if task is not None:
            task.update(due=due, section=rule.section, rule=rule_json(rule),
                        basis=basis_json(basis))
        for timer in self._uow.rows.timers.values():
            if (timer["entity_kind"], timer["entity_id"], timer["name"]) == (
                    kind, entity_id, f"task:{key}"):
                timer.update(fires_on=date.fromordinal(due.toordinal() + 1),
                             rule=rule_json(rule), basis=basis_json(basis))


class FakeHistory:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    def each_line(self) -> Iterator[dict[str, Any]]:
        yield from self.lines()

    def lines(self, kind: str | None = None, entity_id: str | None = None
              ) -> list[dict[str, Any]]:
        return [dict(r) for r in self._uow.rows.audit
                if kind is None or (r["entity_kind"], r["entity_id"]) == (kind, entity_id)]


class FakeOutbox:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    def add(self, messages: Iterable[dict[str, Any]]) -> None:
        taken = {row["id"] for row in self._uow.rows.outbox}
        for message in messages:
            # As the SQL outbox: a message whose id is taken (the same change raised again
            # after a retraction withdrew it) gets the next id derived from that one.
            ident, number = message["id"], 0
            while ident in taken:
                number += 1
                ident = str(uuid.uuid5(uuid.UUID(message["id"]), f"again:{number}"))
            taken.add(ident)
            if ident != message["id"]:
                message = {**message, "id": ident, "message": {**message["message"], "id": ident}}
            self._uow.rows.outbox.append({**message, "seq": len(self._uow.rows.outbox) + 1})

    def pending(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        return [{"id": m["id"], "message": m["message"], "attempts": m["attempts"]}
                for m in self._uow.rows.outbox
                if m["status"] == "pending" and m["next_attempt_at"] <= now][:limit]

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for m in self._uow.rows.outbox:
            found[m["status"]] = found.get(m["status"], 0) + 1
        return found


class FakeStaff:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    def member(self, person: str) -> StaffMember | None:
        return self._uow.rows.staff.get(person)

    def members(self, people: Iterable[str]) -> dict[str, StaffMember]:
        return {p: self._uow.rows.staff[p] for p in people if p in self._uow.rows.staff}

    def upsert(self, members: Iterable[StaffMember]) -> int:
        count = 0
        for member in members:
            self._uow.rows.staff[member.id] = member
            count += 1
        return count


    def line_managers(self) -> dict[str, str | None]:
        return {m.id: m.line_manager for m in self._uow.rows.staff.values()}

    def upsert_records(self, records: Iterable[StaffRecord]) -> dict[str, int]:
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        rows = self._uow.rows
        for record in records:
            member = StaffMember(record.id, record.role, record.started, record.line_manager,
                                 record.qualified)
            flags = (record.part_time, record.agency, record.team)
            known = rows.staff.get(record.id)
            counts["added" if known is None else "unchanged"
                   if (known, _hr(rows, record.id)) == (member, flags) else "updated"] += 1
            rows.staff[record.id], rows.hr[record.id] = member, flags
        return counts

    def teams_of(self, people: Iterable[str]) -> set[str]:
        return {team for person in people if person in self._uow.rows.staff
                for team in [_hr(self._uow.rows, person)[2]] if team}


class FakeMeta:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    def get(self, key: str) -> str | None:
        return self._uow.rows.meta.get(key)

    def set(self, key: str, value: str) -> None:
        self._uow.rows.meta[key] = value


class FakeEvents:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    def claim(self, event_id: str, type_: str, now: datetime) -> bool:
        if event_id in self._uow.rows.processed:
            return False
        self._uow.rows.processed[event_id] = {"event_id": event_id, "type": type_,
                                              "applied_at": now}
        return True

    def applied(self, event_id: str) -> bool:
        return event_id in self._uow.rows.processed

    def live_from(self, prefix: str) -> list[str]:
        gone = {row.record_id for row in self._uow.rows.event_log if row.retracted_at}
        return sorted(i for i in self._uow.rows.processed if i.startswith(prefix) and
                      i not in gone)

    def expect(self, event_ids: Sequence[str]) -> None:
        """Nothing to read ahead: the fake's claims are dictionary look-ups."""


class FakeAccessLog:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    def record(self, *, role: str, resource: str, targets: Iterable[str], outcome: str,
               now: datetime, token_id: str | None = None, person: str | None = None,
               purpose: str | None = None, reader: str | None = None) -> int:
        first = len(self._uow.rows.access_log) + 1  # numbered as the table's identity
        lines = [{"id": number, "at": now, "token_id": token_id, "person": person, "role": role,
                  "resource": resource, "target": target[:200], "outcome": outcome,
                  "purpose": purpose[:200] if purpose else None,
                  "reader": reader[:200] if reader else None, "erased_at": None}
                 for number, target in enumerate(dict.fromkeys(targets), first)]
        self._uow.rows.access_log.extend(lines)
        return len(lines)

    def lines(self, *, target: str | None = None, person: str | None = None,
              limit: int = 1000) -> list[dict[str, Any]]:
        return [dict(line) for line in self._uow.rows.access_log  # copies, as rows read are
                if target in (None, line["target"]) and person in (None, line["person"])][:limit]


class FakeCalendarEvents:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow

    def published(self, dated: Mapping[str, date]) -> dict[str, int]:
        kept = self._uow.rows.calendar_events
        for obligation, on in dated.items():
            before = kept.get(obligation)
            if before is None:
                kept[obligation] = (on, 0)
            elif before[0] != on:
                kept[obligation] = (on, before[1] + 1)
        return self.known(dated)

    def known(self, obligations: Iterable[str]) -> dict[str, int]:
        kept = self._uow.rows.calendar_events
        return {name: kept[name][1] for name in obligations if name in kept}


class FakeRowsEventLog(FakeEventLog):
    """:class:`FakeEventLog` over a unit of work's rows, read and written through: a retraction
    (which replaces the log's list) stays in the unit of work, and a savepoint's rollback (which
    replaces the rows) is seen by the next call."""

    def __init__(self, uow: FakeUnitOfWork):  # no super(): its rows and tasks are the uow's
        self._uow = uow

    @property  # the log's list lives in the unit of work's rows
    def rows(self) -> list[LoggedEvent]:
        return self._uow.rows.event_log

    @rows.setter
    def rows(self, value: list[LoggedEvent]) -> None:
        self._uow.rows.event_log = value

    @property  # the tasks a re-derivation amends are the unit of work's
    def tasks(self) -> dict[str, dict[str, Any]]:
        return self._uow.rows.tasks

    @tasks.setter
    def tasks(self, value: dict[str, dict[str, Any]]) -> None:
        self._uow.rows.tasks = value


class FakeSavepoint:
    def __init__(self, uow: FakeUnitOfWork):
        self._uow = uow
        self._kept = copy.deepcopy(uow.rows)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        self._uow.rows = self._kept


class FakeUnitOfWork:
    """One transaction on a :class:`FakeStore`: its own copy of the rows until ``commit()``."""

    def __init__(self, store: FakeStore):
        self.store = store
        self.committed = False
        self.entities, self.timers = FakeEntities(self), FakeTimers(self)
        self.tasks, self.history = FakeTasks(self), FakeHistory(self)
        self.outbox, self.staff = FakeOutbox(self), FakeStaff(self)
        self.meta, self.events = FakeMeta(self), FakeEvents(self)
        self.access_log, self.calendar_events = FakeAccessLog(self), FakeCalendarEvents(self)

    def __enter__(self) -> FakeUnitOfWork:
        self.rows = copy.deepcopy(self.store.rows)
        self._began = {key: e.version for key, e in self.rows.entities.items()}
        return self

    def __exit__(self, *exc: object) -> None:
        del self.rows

    @property
    def event_log(self) -> FakeEventLog:
        """The event log's in-memory twin over this unit of work's rows."""
        return FakeRowsEventLog(self)

    def commit(self) -> None:
        self.store.rows = copy.deepcopy(self.rows)
        self.committed = True

    def savepoint(self) -> FakeSavepoint:
        return FakeSavepoint(self)

    def row_counts(self) -> dict[str, int]:
        return {"entities": len(self.rows.entities), "timers": len(self.rows.timers),
                "audit": len(self.rows.audit), "tasks": len(self.rows.tasks),
                "outbox": len(self.rows.outbox), "processed_events": len(self.rows.processed)}

    def save_steps(self, saved: Sequence[SavedStep], *, recorded_at: datetime
                   ) -> dict[str, dict[str, Any]]:
        for item in saved:
            self._save_entity(item.entity, item.created)
        for item in saved:
            self._save_rest(item, recorded_at)
        touched = [task_id(item.step.entity.kind, item.step.entity.id, key) for item in saved
                   for key in [task.key for task in item.step.opened]
                   + [change.key for change in item.step.changed]]
        return {ident: dict(self.rows.tasks[ident]) for ident in touched
                if ident in self.rows.tasks}

    def _save_entity(self, entity: StoredEntity, created: bool) -> None:
        key = (entity.kind, entity.id)
        if created:
            if key in self.rows.entities:
                raise ConcurrentUpdate(f"{entity.kind}:{entity.id} already exists")
        else:
            current = self.rows.entities.get(key)
            committed = self.store.rows.entities.get(key)
            moved_elsewhere = (key in self._began and committed is not None
                               and committed.version != self._began[key])
            if current is None or current.version != entity.version - 1 or moved_elsewhere:
                raise ConcurrentUpdate(f"{entity.kind}:{entity.id} changed since it was loaded")
            self._began.pop(key, None)  # this unit of work's version from now on
        self.rows.entities[key] = entity

    def _save_rest(self, item: SavedStep, recorded_at: datetime) -> None:
        step, (kind, ident) = item.step, (item.step.entity.kind, item.step.entity.id)
        names = set(step.disarm) | {timer.name for timer in step.arm}
        for number in [n for n, r in self.rows.timers.items()
                       if (r["entity_kind"], r["entity_id"]) == (kind, ident)
                       and r["name"] in names]:
            del self.rows.timers[number]
        for timer in step.arm:
            self.rows.timers[self.rows.next_timer] = {
                "id": self.rows.next_timer, "entity_kind": kind, "entity_id": ident,
                "name": timer.name, "fires_on": timer.fires_on, "rule": rule_json(timer.rule),
                "basis": basis_json(timer.basis)}
            self.rows.next_timer += 1
        for task in step.opened:
            self.rows.tasks[task_id(kind, ident, task.key)] = {
                "id": task_id(kind, ident, task.key), "entity_kind": kind, "entity_id": ident,
                "key": task.key, "type": task.type, "assignee": task.assignee,
                "assignee_role": task.assignee_role, "subject": task.subject,
                "raised_on": task.raised_on, "due": task.due, "state": "open",
                "closed_on": None, "breached_on": None, "authority": task.rule.authority,
                "section": task.rule.section, "rule": rule_json(task.rule),
                "basis": basis_json(task.basis),
                "escalates": task_id(kind, ident, task.escalates) if task.escalates else None,
                "level": task.level, "recorded_at": None, "withdrawn_because": None}
        for change in step.changed:
            row = self.rows.tasks.get(task_id(kind, ident, change.key))
            if row is None:
                continue  # as an UPDATE of no row
            if change.change == "rescheduled":
                row["due"] = change.due
                if change.basis is not None:
                    row["basis"] = basis_json(change.basis)
            elif change.change in ("breached", "escalated"):
                row.update(state=change.change, breached_on=change.on)
            else:
                row.update(state=change.change, closed_on=change.on)
        for r in step.transitions:
            self.rows.audit.append({
                "id": len(self.rows.audit) + 1, "entity_kind": kind, "entity_id": ident,
                "source": r.source, "dest": r.dest, "trigger": r.trigger, "cause": r.cause,
                "on": r.on, "rule": rule_json(r.rule), "actor": r.actor,
                "event_id": item.event_id, "recorded_at": recorded_at})


class FakeStore:
    """The store port's factory over rows in memory; ``last`` is the latest unit of work."""

    def __init__(self, staff: Iterable[StaffMember] = ()):
        self.rows = Rows(staff={member.id: member for member in staff})
        self.last: FakeUnitOfWork | None = None

    def __call__(self) -> FakeUnitOfWork:
        self.last = FakeUnitOfWork(self)
        return self.last

    def collision(self, error: BaseException) -> Collision | None:
        return "changed" if isinstance(error, ConcurrentUpdate) else None


__all__ = ["FakeStore", "FakeUnitOfWork"]
