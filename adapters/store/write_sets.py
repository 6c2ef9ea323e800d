"""Writes in sets: what a unit of work's steps write, held until it commits (issue 22).

A group of events (a simulated day, the API's group commit) used to send each event's rows as
they came: an entity update, a timer delete and insert, task writes, audit, event log and outbox
rows, a dozen statements an event. :class:`PendingWrites` holds them instead, netted per row
(an entity's last version, a timer's last arming, a task's last state), and :meth:`flush` writes
them with one prebuilt statement per kind of row (``executemany``), so the statements of a group
no longer grow with its events.

What stays true: the rows are those the same steps leave written one by one (timer and audit
ids are still given in the order the steps armed and wrote them); an entity's version is checked
against the one first loaded (:class:`ConcurrentUpdate` at the flush); reads see the group's own
writes, because the entities read back inside a group are answered from :attr:`entities` and
every other read flushes first (:mod:`oversight.adapters.store.unit_of_work`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from oversight.adapters.store import chain
from oversight.adapters.store import tables as t
from oversight.adapters.store.records import SqlOutbox
from oversight.adapters.store.steps import (
    ENTITY_FIELDS,
    audit_rows,
    basis_json,
    entity_update,
    opened_rows,
    timer_row,
    update_entities,
)
from oversight.adapters.store.timers import TimersDueBy
from oversight.states.errors import ConcurrentUpdate
from oversight.workflows.ports.store import SavedStep, StoredEntity, TaskRow, task_id

CHUNK = 500
"""Keys per ``IN`` list."""
HELD_IDS = 2 ** 62
"""Ids from here up name held armings (no stored timer has one so large)."""
TimerKey = tuple[str, str, str]
"""(entity kind, entity id, timer name): a timer name is armed once per entity."""

_DISARM = delete(t.timers).where(
    t.timers.c.entity_kind == bindparam("k"), t.timers.c.entity_id == bindparam("i"),
    t.timers.c.name == bindparam("n"))
_FIRED = delete(t.timers).where(t.timers.c.id == bindparam("tid"))
_TASK = update(t.tasks).where(t.tasks.c.id == bindparam("tid")).values(
    due=bindparam("due"), state=bindparam("st"), breached_on=bindparam("breached"),
    closed_on=bindparam("closed"), basis=bindparam("basis"))
"""A task's changeable columns, set to the last values the group gave them."""
_TASKS = select(t.tasks).where(t.tasks.c.id.in_(bindparam("ids", expanding=True)))
_TASK_BY_ID = select(t.tasks).where(t.tasks.c.id == bindparam("one"))


class PendingWrites:
    """One unit of work's writes not yet sent, and the rows they leave."""

    def __init__(self, connection: Connection, outbox: SqlOutbox):
        self._connection, self._outbox = connection, outbox
        self.due_by: TimersDueBy | None = None
        """The stored timers due by a day, read once for the group (SQLite); dropped at every
        flush, which is also what precedes any write that goes straight to the database."""
        self.found: dict[tuple[str, str | None, str | None], list[StoredEntity]] = {}
        """The stored entities of each ``find`` (kind, subject, party) since the last flush
        (SQLite), dropped with :attr:`due_by`."""
        self._clear()

    def _clear(self) -> None:
        self.entities: dict[tuple[str, str], StoredEntity] = {}
        """Each entity the group wrote, as its last step left it (what a read would find)."""
        self.people: dict[tuple[str, str], set[tuple[str, str]]] = {}
        """(kind, subject or party) → the held entities that have had them (a superset: a
        ``find`` checks each against what it asks)."""
        self._loaded: dict[tuple[str, str], int | None] = {}
        """The version each was loaded at (None: created by the group)."""
        self._fired: set[int] = set()
        """Stored timers deleted by id (fired by a catch-up)."""
        self._held_ids: dict[int, TimerKey] = {}
        """The ids :meth:`timers_of` gave held armings."""
        self._timers: dict[TimerKey, dict[str, Any] | None] = {}
        """Each timer the group disarmed or armed: its last row (None: disarmed), in the order
        of the last arming, which is the order one-by-one writes would have numbered them."""
        self._names_of: dict[tuple[str, str], dict[str, None]] = {}
        """Each entity's names in :attr:`_timers`, in the same order: :meth:`timers_of` reads
        an entity's own, not every timer the group touched (once an event, a group's square)."""
        self._tasks: dict[str, TaskRow] = {}
        """Each task the group opened or changed, as it now stands."""
        self._opened: list[str] = []
        self._audit: list[dict[str, Any]] = []
        self._log: list[dict[str, Any]] = []
        self._messages: list[dict[str, Any]] = []
        self.claims: list[dict[str, Any]] = []
        """Event ids claimed by the group (``processed_events`` rows)."""

    def __bool__(self) -> bool:
        return bool(self.entities or self._timers or self._tasks or self._audit or self._log
                    or self._messages or self.claims or self._fired)

    # ----- taking writes -------------------------------------------------------------------------

    def save(self, saved: Sequence[SavedStep], *,
             recorded_at: datetime) -> dict[str, TaskRow]:
        """Hold the writes of ``saved``, as :func:`~oversight.adapters.store.steps.write_steps`
        would send them; the row of each task they opened or changed, as it stands after."""
        opened = opened_rows(saved)
        if any(row["id"] in self._tasks for row in opened):
            self.flush()  # raised again in one group: let the database judge
        for s in saved:
            self._entity(s)
            kind, ident = s.step.entity.kind, s.step.entity.id
            names = self._names_of.setdefault((kind, ident), {})
            for name in set(s.step.disarm) | {timer.name for timer in s.step.arm}:
                self._timers.pop((kind, ident, name), None)
                self._timers[(kind, ident, name)] = None
                names.pop(name, None)
                names[name] = None
            for timer in s.step.arm:
                self._timers.pop((kind, ident, timer.name), None)
                self._timers[(kind, ident, timer.name)] = timer_row(kind, ident, timer)
                names.pop(timer.name, None)
                names[timer.name] = None
        written: dict[str, TaskRow] = {}
        for row in opened:
            self._opened.append(row["id"])
            self._tasks[row["id"]] = written[row["id"]] = {
                **row, "recorded_at": None, "withdrawn_because": None}
        changes = [(task_id(s.step.entity.kind, s.step.entity.id, c.key), c)
                   for s in saved for c in s.step.changed]
        self._read_tasks([ident for ident, _ in changes])
        for ident, change in changes:
            stands = self._tasks.get(ident)
            if stands is None:
                continue  # no such task: as an UPDATE of no row changes nothing
            if change.change == "rescheduled":
                # The new date's arithmetic goes with it, so `why` shows how it was reached.
                moved = {**stands, "due": change.due, "basis": basis_json(change.basis)
                         if change.basis is not None else stands["basis"]}
            elif change.change in ("breached", "escalated"):
                moved = {**stands, "breached_on": change.on, "state": change.change}
            else:
                moved = {**stands, "closed_on": change.on, "state": change.change}
            self._tasks[ident] = written[ident] = moved
        self._audit += audit_rows(saved, recorded_at)
        return written

    def _entity(self, s: SavedStep) -> None:
        key = (s.entity.kind, s.entity.id)
        held = self.entities.get(key)
        if s.created:
            self._loaded.setdefault(key, None)
        elif held is None:
            self._loaded[key] = s.entity.version - 1
        elif held.version != s.entity.version - 1:
            raise ConcurrentUpdate(f"{key[0]}:{key[1]} changed since it was loaded")
        self.entities[key] = s.entity
        for person in (s.entity.subject, s.entity.party):
            if person is not None:
                self.people.setdefault((key[0], person), set()).add(key)

    def _read_tasks(self, ids: list[str]) -> None:
        """The rows of the tasks about to change that the group has not touched yet, read
        together (those it has are held as they now stand)."""
        wanted = sorted({ident for ident in ids if ident not in self._tasks})
        for start in range(0, len(wanted), CHUNK):
            some = wanted[start:start + CHUNK]
            # One task (most saves): no IN list to expand into the statement for each call.
            result = self._connection.execute(_TASK_BY_ID, {"one": some[0]}) if len(
                some) == 1 else self._connection.execute(_TASKS, {"ids": some})
            names = tuple(result.keys())
            for row in result:
                found = dict(zip(names, row, strict=True))
                self._tasks[found["id"]] = found

    def timers_of(self, kind: str, entity_id: str, stored: list[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
        """``stored`` (the entity's timer rows in the database) as the held writes leave them,
        in firing order. A held arming has no id yet: it gets one above every stored id, in
        arming order (as its insert will), by which :meth:`disarm_held` knows it again."""
        rows = [row for row in stored if (kind, entity_id, row["name"]) not in self._timers
                and row["id"] not in self._fired]
        for name in self._names_of.get((kind, entity_id), ()):
            key = (kind, entity_id, name)
            row = self._timers[key]
            if row is not None:
                ident = HELD_IDS + len(self._held_ids)
                self._held_ids[ident] = key
                rows.append({"id": ident, **row})
        return sorted(rows, key=lambda row: (row["fires_on"], row["id"]))

    def disarm_held(self, timer_ids: Sequence[int]) -> list[int]:
        """Disarm the held armings among ``timer_ids`` and hold the deletes of stored ones;
        what is left to delete now (nothing)."""
        for ident in timer_ids:
            key = self._held_ids.get(ident)
            if key is not None:
                self._timers[key] = None
            else:  # a stored timer: deleted by id at the flush, unseen by reads until then
                self._fired.add(ident)
        return []

    def append_log(self, row: dict[str, Any]) -> None:
        self._log.append(row)

    def add_messages(self, rows: list[dict[str, Any]]) -> None:
        self._messages += rows

    # ----- sending them --------------------------------------------------------------------------

    def flush(self) -> None:
        """Send every held write, one statement per kind of row, then hold nothing."""
        self.due_by, self.found = None, {}  # even if nothing is held: straight writes come next
        if not self:
            return
        connection = self._connection
        if self.claims:  # a plain INSERT: an id another writer took meanwhile is a collision
            connection.execute(insert(t.processed_events), self.claims)
        created = [{name: getattr(e, name) for name in ENTITY_FIELDS}
                   for key, e in self.entities.items() if self._loaded[key] is None]
        if created:
            connection.execute(insert(t.entities), created)
        moved = [entity_update(e, loaded) for key, e in self.entities.items()
                 if (loaded := self._loaded[key]) is not None]
        if moved:
            update_entities(connection, moved)
        if self._fired:
            connection.execute(_FIRED, [{"tid": ident} for ident in sorted(self._fired)])
        if self._timers:
            connection.execute(_DISARM, [{"k": k, "i": i, "n": n} for k, i, n in self._timers])
            armed = [row for row in self._timers.values() if row is not None]
            if armed:
                connection.execute(insert(t.timers), armed)
        self._flush_tasks(connection)
        if self._audit:  # the ids named so that the commit seals these lines and no other
            chain.written(connection, "audit", connection.execute(
                insert(t.audit).returning(t.audit.c.id), self._audit).scalars())
        if self._log:
            connection.execute(insert(t.event_log), self._log)
        messages = self._messages
        self._clear()  # before the outbox's own writes
        if messages:
            SqlOutbox.add(self._outbox, messages)  # numbered now, in the order held

    def _flush_tasks(self, connection: Connection) -> None:
        opened = set(self._opened)
        if opened:
            # A task withdrawn by a re-derivation or a retraction may be raised again under its
            # identifier: the new obligation takes the row (as write_steps does).
            ids = sorted(opened)
            for start in range(0, len(ids), CHUNK):
                connection.execute(delete(t.tasks).where(
                    t.tasks.c.id.in_(ids[start:start + CHUNK]), t.tasks.c.state == "withdrawn"))
            connection.execute(insert(t.tasks), [self._tasks[ident] for ident in self._opened])
        changed = [{"tid": ident, "due": row["due"], "st": row["state"],
                    "breached": row["breached_on"], "closed": row["closed_on"],
                    "basis": row["basis"]}
                   for ident, row in self._tasks.items() if ident not in opened]
        if changed:
            connection.execute(_TASK, changed)


__all__ = ["PendingWrites"]
