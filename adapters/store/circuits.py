"""Each receiver's circuit: its failures in a row and, once there are too many, a pause.

A receiver that fails ``threshold`` sends in a row is paused (the circuit *opens*) for a while
that doubles each time it opens again, up to a cap; once the pause is over the next run tries
one send (*half-open*): a success closes the circuit, a failure opens it again at once. So a
receiver that is down costs a few timeouts, not one per message, and comes back by itself.
Overlapping runs may write the same row: the last writer wins, which is all a heuristic needs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from oversight.adapters.store import tables as t
from oversight.workflows.ports.deliveries import Circuit, pause


class ReceiverCircuits:
    """Reads and writes ``receiver_circuits`` in the caller's transaction."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def get(self, receiver: str) -> Circuit:
        c = t.receiver_circuits
        row = self.connection.execute(select(c).where(c.c.receiver == receiver)).mappings().first()
        if row is None:
            return Circuit(receiver)
        return Circuit(receiver, row["failures"], row["opened"], row["open_until"],
                       row["last_error"])

    def put(self, circuit: Circuit, now: datetime) -> None:
        c = t.receiver_circuits
        values = {"failures": circuit.failures, "opened": circuit.opened,
                  "open_until": circuit.open_until, "last_error": circuit.last_error,
                  "updated_at": now}
        # An upsert: two runs writing a receiver's first circuit row do not collide.
        if self.connection.dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql

            self.connection.execute(postgresql.insert(c).values(
                receiver=circuit.receiver, **values).on_conflict_do_update(
                index_elements=[c.c.receiver], set_=values))
        else:
            from sqlalchemy.dialects import sqlite

            self.connection.execute(sqlite.insert(c).values(
                receiver=circuit.receiver, **values).on_conflict_do_update(
                index_elements=[c.c.receiver], set_=values))

    def close(self, receivers: list[str]) -> None:
        """Forget these receivers' failures: the next run sends to them at once."""
        c = t.receiver_circuits
        if receivers:
            self.connection.execute(c.delete().where(c.c.receiver.in_(receivers)))

    def paused(self, now: datetime) -> list[Circuit]:
        """Every receiver paused at ``now``, by name."""
        c = t.receiver_circuits
        rows = self.connection.execute(select(c.c.receiver).where(c.c.open_until > now)
                                       .order_by(c.c.receiver)).scalars()
        return [self.get(name) for name in rows]


__all__ = ["Circuit", "ReceiverCircuits", "pause"]
