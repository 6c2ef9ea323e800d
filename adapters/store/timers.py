"""Durable timers in the store: :class:`SqlTimers`, the timers repository of the store port.

Firing order is (fires_on, id) everywhere: pages, claims and listings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, select, tuple_

from oversight.adapters.store import tables as t
from oversight.workflows.ports.store import DueTimer

_DUE = (t.timers.c.id, t.timers.c.entity_kind, t.timers.c.entity_id, t.timers.c.name,
        t.timers.c.fires_on)
"""The columns of a :class:`DueTimer`, in its order."""
_ORDER = (t.timers.c.fires_on, t.timers.c.id)
_OF_ENTITY = (select(t.timers).where(t.timers.c.entity_kind == bindparam("k"),
                                     t.timers.c.entity_id == bindparam("i")).order_by(*_ORDER))
"""An entity's timers in firing order, built once: the catch-up reads them before nearly every
event, and building the statement cost as much as running it."""
_DUE_OF = _OF_ENTITY.where(t.timers.c.fires_on <= bindparam("on"))
_NAMES = tuple(column.name for column in t.timers.c)
DUE_HELD = 2_000
"""At most this many due timers are held for a group (:class:`TimersDueBy`); beyond it each
event reads its entity's own (a store whose sweeps have not run for a long while)."""
_DUE_BETWEEN = (select(t.timers).where(t.timers.c.fires_on > bindparam("after"),
                                       t.timers.c.fires_on <= bindparam("on"))
                .order_by(*_ORDER).limit(DUE_HELD + 1))


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(zip(_NAMES, row, strict=True)) for row in result]


class SqlTimers:
    """The ``timers`` table, in one unit of work's transaction."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def get(self, timer_id: int) -> DueTimer | None:
        row = self.connection.execute(select(*_DUE).where(t.timers.c.id == timer_id)).first()
        return DueTimer(*row) if row else None

    def due(self, as_of: date, limit: int, after: tuple[date, int] | None = None
            ) -> list[DueTimer]:
        """Timers due on or before ``as_of`` in firing order, a page at a time (keyset)."""
        query = select(*_DUE).where(t.timers.c.fires_on <= as_of)
        if after is not None:
            query = query.where(tuple_(*_ORDER) > tuple_(*after))
        query = query.order_by(*_ORDER).limit(limit)
        return [DueTimer(*row) for row in self.connection.execute(query)]

    def claim_due(self, as_of: date, limit: int, skip: Sequence[int] = ()) -> list[DueTimer]:
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
            tuple_(earlier.c.fires_on, earlier.c.id) < tuple_(*_ORDER))
        query = (select(*_DUE).where(t.timers.c.fires_on <= as_of, ~exists(before))
                 .order_by(*_ORDER).limit(limit))
        if skip:
            query = query.where(t.timers.c.id.not_in(list(skip)))
        if self.connection.dialect.name == "postgresql":
            # A sweeper hung (not killed) mid-batch loses its claims after this long idle.
            self.connection.exec_driver_sql(
                "SET LOCAL idle_in_transaction_session_timeout = '5min'")
            query = query.with_for_update(skip_locked=True, of=t.timers)
        return [DueTimer(*row) for row in self.connection.execute(query)]

    def delete(self, timer_ids: Sequence[int]) -> None:
        if timer_ids:
            self.connection.execute(delete(t.timers).where(t.timers.c.id.in_(list(timer_ids))))

    def upcoming(self, limit: int) -> list[dict[str, Any]]:
        query = select(t.timers).order_by(*_ORDER).limit(limit)
        return [dict(row) for row in self.connection.execute(query).mappings()]

    def of_entity(self, kind: str, entity_id: str) -> list[dict[str, Any]]:
        return _rows(self.connection.execute(_OF_ENTITY, {"k": kind, "i": entity_id}))

    def due_of(self, kind: str, entity_id: str, on: date) -> list[dict[str, Any]]:
        return _rows(self.connection.execute(_DUE_OF, {"k": kind, "i": entity_id, "on": on}))


class TimersDueBy:
    """Every stored timer due by a day, read once for a group of events and answered per entity.

    Nearly every event of a group reads its entity's timers due by its day (the catch-up); the
    sweep leaves few due, so one read of all of them serves the group instead of one read an
    event. A later day reads only the timers due after the last one asked (firing order kept:
    they come after every row already held). Valid while the stored timers stay as read: the
    held writes drop it at every flush (:class:`~.write_sets.PendingWrites`), and it serves only
    SQLite, whose one writer holds the store from the group's first statement to its commit (on
    PostgreSQL a concurrent writer may change an entity's timers before this transaction locks
    the entity, so each event reads its own, after the lock).
    """

    def __init__(self, connection: Connection):
        self.connection = connection
        self.by: date | None = None
        self.held = 0
        self.overflowed = False
        self._of: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def of_entity(self, kind: str, entity_id: str, on: date) -> list[dict[str, Any]] | None:
        """The entity's stored timers due on or before ``on`` in firing order; None when more
        than :data:`DUE_HELD` are due (the caller reads the entity's own)."""
        if self.overflowed:
            return None
        if self.by is None or on > self.by:
            rows = _rows(self.connection.execute(_DUE_BETWEEN, {
                "after": self.by or date.min, "on": on}))
            self.held += len(rows)
            if self.held > DUE_HELD:
                self.overflowed, self._of = True, {}
                return None
            for row in rows:
                self._of.setdefault((row["entity_kind"], row["entity_id"]), []).append(row)
            self.by = on
        return [row for row in self._of.get((kind, entity_id), ()) if row["fires_on"] <= on]
