"""The SQLAlchemy unit of work: one transaction holding the store's repositories.

:class:`SqlStore` is the store port's :class:`~oversight.workflows.ports.store.UnitOfWorkFactory`
over one engine; each :class:`SqlUnitOfWork` it makes is one connection and one transaction.
Everything one step changes commits together, or nothing does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import NestedTransaction
from sqlalchemy.exc import IntegrityError

from oversight.adapters.store import chain
from oversight.adapters.store import tables as t
from oversight.adapters.store.access_log import SqlAccessLog
from oversight.adapters.store.calendar_events import SqlCalendarEvents
from oversight.adapters.store.entities import SqlEntities
from oversight.adapters.store.event_log import SqlEventLog
from oversight.adapters.store.group_repositories import (
    HeldEntities,
    HeldEventLog,
    HeldEvents,
    HeldOutbox,
    HeldTimers,
    Holding,
    flushing,
)
from oversight.adapters.store.records import SqlEvents, SqlMeta, SqlOutbox, SqlStaff
from oversight.adapters.store.steps import write_steps
from oversight.adapters.store.tasks import SqlHistory, SqlTasks
from oversight.adapters.store.timers import SqlTimers
from oversight.states.errors import ConcurrentUpdate
from oversight.workflows.ports.store import Collision, SavedStep, TaskRow

if TYPE_CHECKING:
    from oversight.adapters.store.deliveries import DeliveryLedger

CONFLICTS = ("40001", "40P01")
"""PostgreSQL's serialization_failure and deadlock_detected: the transaction may be retried."""

COUNTED = (t.entities, t.timers, t.audit, t.tasks, t.outbox, t.processed_events)
"""The tables :meth:`SqlUnitOfWork.row_counts` counts."""


class SqlRepositories:
    """Every repository of the store port on one connection, in its transaction: what a unit of
    work hands out, and what an adapter holding a connection already reads through."""

    connection: Connection
    entities: SqlEntities
    timers: SqlTimers
    tasks: SqlTasks
    history: SqlHistory
    outbox: SqlOutbox
    staff: SqlStaff
    meta: SqlMeta
    events: SqlEvents
    event_log: SqlEventLog
    access_log: SqlAccessLog
    calendar_events: SqlCalendarEvents

    def __init__(self, connection: Connection):
        self._bind(connection)

    def _bind(self, connection: Connection) -> None:
        self.connection = connection
        self.entities, self.timers = SqlEntities(connection), SqlTimers(connection)
        self.tasks, self.history = SqlTasks(connection), SqlHistory(connection)
        self.outbox, self.staff = SqlOutbox(connection), SqlStaff(connection)
        self.meta, self.events = SqlMeta(connection), SqlEvents(connection)
        self.event_log, self.access_log = SqlEventLog(connection), SqlAccessLog(connection)
        self.calendar_events = SqlCalendarEvents(connection)


class SqlUnitOfWork(SqlRepositories):
    """``with SqlUnitOfWork(engine) as uow: ...; uow.commit()``; leaving without commit rolls
    back. The repositories exist between ``__enter__`` and ``__exit__``."""

    def __init__(self, engine: Engine, *, hold: bool = True):  # __enter__ binds a connection
        self.engine = engine
        self.hold = hold
        """False: every write is sent as it is made, statement by statement (the reference the
        sets are checked against)."""

    def __enter__(self) -> SqlUnitOfWork:
        connection = self.engine.connect()
        self._transaction = connection.begin()
        self._bind(connection)
        self._hold(connection)
        return self

    def _hold(self, connection: Connection) -> None:
        """Hold the steps' writes until commit (:mod:`.write_sets`): entities read through
        them, every other repository's call sends them first (:mod:`.group_repositories`)."""
        outbox = HeldOutbox(connection)
        self.holding = outbox.holding = Holding(connection, outbox, held=self.hold)
        self.outbox = outbox
        self.entities = HeldEntities(connection, self.holding)
        self.event_log = HeldEventLog(connection, self.holding)
        self.events = HeldEvents(connection, self.holding)
        wrap = flushing(self.holding)
        self.timers = HeldTimers(connection, self.holding)
        self.tasks = cast(SqlTasks, wrap(self.tasks))
        self.history, self.meta = cast(SqlHistory, wrap(self.history)), cast(SqlMeta, wrap(
            self.meta))
        self.access_log = cast(SqlAccessLog, wrap(self.access_log))
        self.calendar_events = cast(SqlCalendarEvents, wrap(self.calendar_events))

    def flush(self) -> None:
        """Send the held writes now (a caller about to read the connection directly)."""
        self.holding.flush()

    def __exit__(self, *exc: object) -> None:
        if self._transaction.is_active:
            self._transaction.rollback()
        self.connection.close()

    def commit(self) -> None:
        self.holding.flush()
        chain.seal_all(self.connection)  # audit rows join the hash chain (issue 14)
        self._transaction.commit()

    def savepoint(self) -> OutboxSavepoint:
        """A nested transaction (SAVEPOINT): roll back one step and keep the rest of a batch."""
        self.holding.flush()  # what the savepoint undoes is then in the database alone
        return OutboxSavepoint(self.connection.begin_nested(), self.outbox, self.holding)

    def save_steps(self, saved: Sequence[SavedStep], *, recorded_at: datetime
                   ) -> dict[str, TaskRow]:
        if self.holding.on:
            return self.holding.pending.save(saved, recorded_at=recorded_at)
        return write_steps(self.connection, saved, recorded_at=recorded_at)

    def row_counts(self) -> dict[str, int]:
        self.holding.flush()
        return {table.name: self.connection.execute(
            select(func.count()).select_from(table)).scalar_one() for table in COUNTED}

    @property
    def deliveries(self) -> DeliveryLedger:
        """Each message's delivery to each receiver, in this unit of work."""
        from oversight.adapters.store.deliveries import DeliveryLedger

        self.holding.flush()
        return DeliveryLedger(self.connection)


class OutboxSavepoint:
    """A SAVEPOINT that also sets the outbox's next ``seq`` back when it is rolled back: the
    numbers the undone messages took are the next messages' again, as if never written."""

    def __init__(self, nested: NestedTransaction, outbox: SqlOutbox,
                 holding: Holding | None = None):
        self._nested, self._outbox, self._next_seq = nested, outbox, outbox.next_seq
        self._holding = holding
        if holding is not None:  # its writes go straight to the database until it ends
            holding.depth += 1

    def commit(self) -> None:
        self._end()
        self._nested.commit()

    def rollback(self) -> None:
        self._end()
        self._nested.rollback()
        self._outbox.resume_at(self._next_seq)

    def _end(self) -> None:
        if self._holding is not None:
            self._holding.depth -= 1
            self._holding = None


class SqlStore:
    """Units of work on one engine: ``store = SqlStore(engine)``, then ``with store() as uow``."""

    def __init__(self, engine: Engine, *, hold: bool = True):
        self.engine = engine
        self.hold = hold

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, hold=self.hold)

    def collision(self, error: BaseException) -> Collision | None:
        """``locked`` for PostgreSQL's deadlock and serialisation failures; ``changed`` for a
        version check that failed or a row another writer inserted first."""
        if getattr(getattr(error, "orig", None), "sqlstate", None) in CONFLICTS:
            return "locked"
        if isinstance(error, (ConcurrentUpdate, IntegrityError)):
            return "changed"
        return None


__all__ = ["CONFLICTS", "OutboxSavepoint", "SqlRepositories", "SqlStore", "SqlUnitOfWork"]
