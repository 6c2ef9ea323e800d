"""The store port: what the application needs from a store, and the values that cross it.

The service, routing and read models hold a :class:`UnitOfWorkFactory`; the composition root
(:mod:`oversight.workflows.bootstrap`) builds the SQLAlchemy one, the tests an in-memory one.
A unit of work is one transaction: ``with store() as uow: ...; uow.commit()``; leaving the block
without ``commit()`` rolls everything back. It hands out one repository per kind of row:

    uow.entities   lifecycles: state, version, people, data
    uow.timers     durable timers, in firing order (fires_on, id)
    uow.tasks      obligations raised by rules, as rows (:data:`TaskRow`)
    uow.history    the audit trail, one line per transition
    uow.outbox     messages for the receivers, in the order they were added
    uow.staff      members of staff, as the domain's :class:`StaffMember`
    uow.meta       the store's settings (which authority's policy it runs)
    uow.events     event ids already applied (so a repeated event changes nothing)
    uow.event_log  every event applied to each entity, for re-derivation
    (workflows/ports/event_log.py) uow.access_log who read which record, in the transaction that
    reads it

Everything one step changes is written by :meth:`UnitOfWork.save_steps`, the one save path.
The repositories' protocols are in :mod:`oversight.workflows.ports.repositories` (and importable
from here); a new kind of row is a new repository there and in both implementations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from oversight.workflows.ports.event_log import EventLog
from oversight.workflows.ports.repositories import (
    AccessLog,
    CalendarEvents,
    Entities,
    Events,
    History,
    Meta,
    Outbox,
    Staff,
    Tasks,
    Timers,
)
from oversight.workflows.ports.rows import (  # the values, named here too: the port's face
    Collision,
    DueTimer,
    SavedStep,
    StaffRecord,
    StoredEntity,
    TaskRow,
    task_id,
)


class Savepoint(Protocol):
    """A nested transaction: keep or undo what was written since it began."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class UnitOfWork(Protocol):
    """One transaction over the store's repositories; rolled back unless committed."""

    # Read-only members: an implementation may hold a narrower class (``SqlEntities``).
    @property
    def entities(self) -> Entities: ...
    @property
    def timers(self) -> Timers: ...
    @property
    def tasks(self) -> Tasks: ...
    @property
    def history(self) -> History: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def staff(self) -> Staff: ...
    @property
    def meta(self) -> Meta: ...
    @property
    def events(self) -> Events: ...
    @property
    def event_log(self) -> EventLog: ...
    @property
    def access_log(self) -> AccessLog: ...
    @property
    def calendar_events(self) -> CalendarEvents: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...

    def savepoint(self) -> Savepoint:
        """Begin a nested transaction: one step of a batch can be undone, the rest kept."""
        ...

    def save_steps(self, saved: Sequence[SavedStep], *, recorded_at: datetime
                   ) -> dict[str, TaskRow]:
        """Write what each step changed (entity, timers, tasks, audit), in order: entity rows
        are checked against their loaded version (:class:`ConcurrentUpdate` if one moved, at
        the latest when the unit of work commits: a store may hold the writes until then).
        Returns the row of each task the steps opened or changed, as ``tasks.get_many`` would
        read it after the writes (the messages are built from them)."""
        ...

    def row_counts(self) -> dict[str, int]:
        """Rows of entities, timers, audit, tasks, outbox and processed_events, by table."""
        ...


class UnitOfWorkFactory(Protocol):
    """Where units of work come from (one store); built by the composition root."""

    def __call__(self) -> UnitOfWork: ...

    def collision(self, error: BaseException) -> Collision | None:
        """Whether ``error`` means another writer got in the way (so trying again is right),
        and how; None for any other error."""
        ...


class BulkWriter(Protocol):
    """Rows appended straight to a store's tables (a synthetic population), then committed."""

    def write(self, table: str, rows: Iterable[tuple[Any, ...]]) -> int:
        """Append ``rows`` (values in the table's bulk column order); how many."""
        ...

    def close(self) -> None:
        """Commit and refresh the database's statistics."""
        ...


__all__ = ["AccessLog", "BulkWriter", "Collision", "DueTimer", "Entities", "Events", "History",
           "Meta", "Outbox", "SavedStep", "Savepoint", "Staff", "StaffRecord", "StoredEntity",
           "TaskRow", "Tasks", "Timers", "UnitOfWork", "UnitOfWorkFactory", "task_id"]
