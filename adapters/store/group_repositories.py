"""The repositories of a unit of work that holds its writes (:mod:`.write_sets`).

Reads must see the unit of work's own writes. Entities, the one thing read back inside a group
of events (each event's routes find the entities it concerns, often one an earlier event of
the group moved), are answered from the writes held over the database's rows; any other read,
and any write the set does not take (a retraction, a task's new date), first sends what is held
(:class:`FlushFirst`), so it runs on the rows as one-by-one writes would have left them. Staff
and the applied-event claims are neither held nor touched by held writes: they go straight on.

Inside a savepoint nothing is held (:attr:`Holding.depth`): the savepoint's writes go straight
to the database, so rolling it back undoes exactly them, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from oversight.adapters.store.entities import SqlEntities
from oversight.adapters.store.event_log import SqlEventLog, log_row
from oversight.adapters.store.records import SqlEvents, SqlOutbox
from oversight.adapters.store.timers import SqlTimers, TimersDueBy
from oversight.adapters.store.write_sets import PendingWrites
from oversight.workflows.ports.event_log import LoggedEvent
from oversight.workflows.ports.store import DueTimer, StoredEntity


class Holding:
    """Whether writes are held now, and what is held."""

    def __init__(self, connection: Connection, outbox: SqlOutbox, *, held: bool = True):
        self.pending = PendingWrites(connection, outbox)
        self.depth = 0 if held else 1
        """Savepoints open: while any is, writes go straight to the database (a unit of work
        told to hold nothing counts as one level down throughout)."""

    @property
    def on(self) -> bool:
        return self.depth == 0

    def flush(self) -> None:
        self.pending.flush()


class FlushFirst:
    """A repository whose every call first sends the held writes."""

    def __init__(self, repository: object, holding: Holding):
        self._repository, self._holding = repository, holding

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._repository, name)
        if not callable(found):
            return found
        holding = self._holding

        def flushed(*args: Any, **kwargs: Any) -> Any:
            holding.flush()
            return found(*args, **kwargs)
        return flushed


class HeldEntities(SqlEntities):
    """Entities read through the group's own writes: what it wrote wins over the stored row."""

    def __init__(self, connection: Connection, holding: Holding):
        super().__init__(connection)
        self._holding = holding

    @property
    def _held(self) -> dict[tuple[str, str], StoredEntity]:
        return self._holding.pending.entities  # a new dict after each flush

    def get(self, kind: str, entity_id: str) -> StoredEntity | None:
        held = self._held.get((kind, entity_id))
        return held if held is not None else super().get(kind, entity_id)

    def get_many(self, keys: Sequence[tuple[str, str]]
                 ) -> dict[tuple[str, str], StoredEntity]:
        held = {key: self._held[key] for key in keys if key in self._held}
        found = super().get_many([key for key in keys if key not in held]) if len(held) < len(
            keys) else {}
        return {**found, **held}

    def find(self, kind: str, *, subject: str | None = None,
             party: str | None = None) -> list[StoredEntity]:
        pending = self._holding.pending
        found = {(e.kind, e.id): e for e in self._stored_find(kind, subject, party)}
        if not pending.entities:
            return list(found.values())

        def asked(entity: StoredEntity) -> bool:
            return (subject is None or entity.subject == subject) and (
                party is None or entity.party == party)
        person = subject if subject is not None else party
        candidates = [key for key in pending.entities if key[0] == kind] if person is None \
            else pending.people.get((kind, person), set())
        for key in [*found, *candidates]:
            held = pending.entities.get(key)
            if held is None:
                continue
            if asked(held):
                found[key] = held
            else:  # moved off this subject or party by the group
                found.pop(key, None)
        return sorted(found.values(), key=lambda e: (e.started_on, e.id))

    def _stored_find(self, kind: str, subject: str | None, party: str | None
                     ) -> list[StoredEntity]:
        """The stored rows :meth:`find` asks for. On SQLite, an answer is kept until the next
        flush (a group's routes ask the same, a worker's relationships, again and again): the one
        writer holds the store, so the rows stay as read; on PostgreSQL each is read (and
        locked) again, as a concurrent writer may have added one."""
        if not self._holding.on or self.connection.dialect.name != "sqlite":
            return super().find(kind, subject=subject, party=party)
        found = self._holding.pending.found
        key = (kind, subject, party)
        if key not in found:
            found[key] = super().find(kind, subject=subject, party=party)
        return found[key]

    def counts(self) -> list[tuple[str, str, int]]:
        self._holding.flush()
        return super().counts()

    def listing(self, kinds: Sequence[str], *, subjects: Iterable[str] | None = None,
                party: str | None = None, person: str | None = None) -> list[StoredEntity]:
        self._holding.flush()
        return super().listing(kinds, subjects=subjects, party=party, person=person)

    def last_updated(self) -> date | None:
        self._holding.flush()
        return super().last_updated()


class HeldTimers(SqlTimers):
    """Timers while writes are held. An entity's timers are read before each event dated after
    them (the catch-up fires what fell due first): the stored rows with the held writes laid
    over them (a held arming under an id of its own, :data:`~.write_sets.HELD_IDS`). A delete
    by id disarms a held arming or goes straight on (held writes name timers by entity and name,
    never by a stored id, and a held re-arming always deletes its name first). Every other call
    flushes first."""

    def __init__(self, connection: Connection, holding: Holding):
        super().__init__(connection)
        self._holding = holding

    def of_entity(self, kind: str, entity_id: str) -> list[dict[str, Any]]:
        stored = super().of_entity(kind, entity_id)
        if not self._holding.on:
            return stored
        return self._holding.pending.timers_of(kind, entity_id, stored)

    def due_of(self, kind: str, entity_id: str, on: date) -> list[dict[str, Any]]:
        """On SQLite, from one read of every timer due by ``on`` for the group
        (:class:`~.timers.TimersDueBy`), laid over with the held writes as :meth:`of_entity`."""
        holding = self._holding
        if not holding.on:
            return super().due_of(kind, entity_id, on)
        pending, stored = holding.pending, None
        if self.connection.dialect.name == "sqlite":
            if pending.due_by is None:
                pending.due_by = TimersDueBy(self.connection)
            stored = pending.due_by.of_entity(kind, entity_id, on)
        if stored is None:
            stored = super().due_of(kind, entity_id, on)
        return [row for row in pending.timers_of(kind, entity_id, stored)
                if row["fires_on"] <= on]

    def delete(self, timer_ids: Sequence[int]) -> None:
        if self._holding.on:
            super().delete(self._holding.pending.disarm_held(timer_ids))
        else:  # inside a savepoint: straight to the database, as every write there
            super().delete(timer_ids)

    def get(self, timer_id: int) -> DueTimer | None:
        self._holding.flush()
        return super().get(timer_id)

    def due(self, as_of: date, limit: int, after: tuple[date, int] | None = None
            ) -> list[DueTimer]:
        self._holding.flush()
        return super().due(as_of, limit, after)

    def claim_due(self, as_of: date, limit: int, skip: Sequence[int] = ()) -> list[DueTimer]:
        self._holding.flush()
        return super().claim_due(as_of, limit, skip)

    def upcoming(self, limit: int) -> list[dict[str, Any]]:
        self._holding.flush()
        return super().upcoming(limit)


class HeldEventLog(SqlEventLog):
    """The event log: appends held, every other call after the held writes are sent."""

    def __init__(self, connection: Connection, holding: Holding):
        super().__init__(connection)
        self._holding = holding

    def append(self, record_id: str, kind: str, entity_id: str, body: dict[str, Any], *,
               recorded_at: datetime) -> None:
        if self._holding.on:
            self._holding.pending.append_log(
                log_row(record_id, kind, entity_id, body, recorded_at=recorded_at))
        else:
            super().append(record_id, kind, entity_id, body, recorded_at=recorded_at)

    def of_entity(self, kind: str, entity_id: str, *, retracted: bool = False
                  ) -> list[LoggedEvent]:
        self._holding.flush()
        return super().of_entity(kind, entity_id, retracted=retracted)

    def of_record(self, record_id: str) -> list[LoggedEvent]:
        self._holding.flush()
        return super().of_record(record_id)

    def retract(self, record_id: str, *, by: str | None, reason: str, at: datetime) -> None:
        self._holding.flush()
        super().retract(record_id, by=by, reason=reason, at=at)

    def amend_tasks(self, values: dict[str, dict[str, Any]]) -> None:
        self._holding.flush()
        super().amend_tasks(values)


class HeldEvents(SqlEvents):
    """Claims of the ids a group named up front (:meth:`expect`): those applied before are read
    in one query, and each claim of a new one is held with the group's writes, so it answers
    without a statement. Any other id, or a claim inside a savepoint, is claimed as before."""

    def __init__(self, connection: Connection, holding: Holding):
        super().__init__(connection)
        self._holding = holding
        self._expected: set[str] = set()
        self._taken: set[str] = set()
        """Expected ids applied before or claimed by this group."""

    def expect(self, event_ids: Sequence[str]) -> None:
        if not self._holding.on or not event_ids:
            return
        self._expected.update(event_ids)
        self._taken |= self.applied_among(event_ids)

    def claim(self, event_id: str, type_: str, now: datetime) -> bool:
        if event_id not in self._expected or not self._holding.on:
            return super().claim(event_id, type_, now)
        if event_id in self._taken:
            return False
        self._taken.add(event_id)
        self._holding.pending.claims.append(
            {"event_id": event_id, "type": type_, "applied_at": now})
        return True


    def applied(self, event_id: str) -> bool:
        if event_id in self._taken:  # claimed by this group, perhaps not yet sent
            return True
        return super().applied(event_id)

    def live_from(self, prefix: str) -> list[str]:
        self._holding.flush()  # the held claims and event-log rows are what it reads
        return super().live_from(prefix)


class HeldOutbox(SqlOutbox):
    """The outbox: messages held with the group's other writes, numbered when sent."""

    def __init__(self, connection: Connection):
        super().__init__(connection)
        self.holding: Holding | None = None

    def add(self, messages: Iterable[dict[str, Any]]) -> None:
        holding = self.holding
        if holding is not None and holding.on:
            holding.pending.add_messages(list(messages))
        else:
            super().add(messages)

    def pending(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        self._flush()
        return super().pending(now, limit)

    def counts(self) -> dict[str, int]:
        self._flush()
        return super().counts()

    def _flush(self) -> None:
        if self.holding is not None:
            self.holding.flush()


def flushing(holding: Holding) -> Callable[[object], Any]:
    """Wrap a repository so that each of its calls sends the held writes first."""
    return lambda repository: FlushFirst(repository, holding)


__all__ = ["FlushFirst", "HeldEntities", "HeldEventLog", "HeldEvents", "HeldOutbox", "HeldTimers",
           "Holding", "flushing"]
