"""Durable timers in the store: :class:`SqlTimers`, the timers repository of the store port.

Firing order is (fires_on, id) everywhere: pages, claims and listings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, exists, select, tuple_

from oversight.adapters.store import tables as t
from oversight.workflows.ports.store import DueTimer

_DUE = (t.timers.c.id, t.timers.c.entity_kind, t.timers.c.entity_id, t.timers.c.name,
        t.timers.c.fires_on)
"""The columns of a :class:`DueTimer`, in its order."""
_ORDER = (t.timers.c.fires_on, t.timers.c.id)


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
        query = select(t.timers).where(t.timers.c.entity_kind == kind,
                                       t.timers.c.entity_id == entity_id).order_by(*_ORDER)
        return [dict(row) for row in self.connection.execute(query).mappings()]
