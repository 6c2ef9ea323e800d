"""The delivery ledger: each outbox message's delivery to each receiver, stored with it.

A message is *routed* once, into one ``deliveries`` row per receiver its route names. Each row
is ``pending`` until a send succeeds (``delivered``) or keeps failing past the deadline
(``dead``); ``oversight deliveries retry`` puts dead rows back to ``pending``. The outbox row
sums its deliveries up: delivered when every one is, dead when one is dead and none pending.

A dispatch run **claims** a page of a receiver's due deliveries before sending it: a lease with
an owner and an expiry, taken by one conditional ``UPDATE`` (its rows chosen ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL; on SQLite the transaction holds the single writer lock). Any number of
overlapping runs take disjoint pages; a run's outcomes are written only over its own leases; a
crashed run's leases run out and its in-flight deliveries are claimed again, with the same id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, case, exists, func, insert, or_, select, update
from sqlalchemy.sql.expression import ColumnElement

from oversight.adapters.store import tables as t
from oversight.workflows.ports.deliveries import RELEASED, Outcome

if TYPE_CHECKING:
    from oversight.adapters.store.circuits import ReceiverCircuits

UNDELIVERED = ("pending", "dead")


class DeliveryLedger:
    """Reads and writes ``deliveries`` (and the outbox's summary) in the caller's transaction."""

    def __init__(self, connection: Connection):
        self.connection = connection

    # ----- routing -----------------------------------------------------------------------------

    def unrouted(self, limit: int) -> list[dict[str, Any]]:
        """Messages not yet fanned out to receivers, in creation order."""
        o = t.outbox
        query = (select(o.c.id, o.c.seq, o.c.task_id, o.c.message).where(o.c.routed_at.is_(None))
                 .order_by(o.c.seq).limit(limit)
                 # Overlapping runs route disjoint messages (PostgreSQL; SQLite: the writer lock).
                 .with_for_update(skip_locked=True))
        return [dict(row) for row in self.connection.execute(query).mappings()]

    def route(self, routed: Sequence[tuple[dict[str, Any], Sequence[str]]], now: datetime) -> int:
        """One pending delivery per (message, receiver); a message routed nowhere is done."""
        rows = [{"message_id": message["id"], "receiver": receiver, "seq": message["seq"],
                 "task_id": message["task_id"], "status": "pending", "attempts": 0,
                 "due_since": now, "next_attempt_at": now}
                for message, receivers in routed for receiver in receivers]
        if rows:
            self.connection.execute(insert(t.deliveries), rows)
        ids = [message["id"] for message, receivers in routed if receivers]
        nowhere = [message["id"] for message, receivers in routed if not receivers]
        if ids:
            self.connection.execute(update(t.outbox).where(t.outbox.c.id.in_(ids))
                                    .values(routed_at=now))
        if nowhere:
            self.connection.execute(update(t.outbox).where(t.outbox.c.id.in_(nowhere)).values(
                routed_at=now, status="delivered", delivered_at=now, next_attempt_at=None))
        return len(rows)

    # ----- sending -----------------------------------------------------------------------------

    def receivers_due(self, now: datetime) -> list[str]:
        d = t.deliveries
        query = (select(d.c.receiver).where(d.c.status == "pending", d.c.next_attempt_at <= now)
                 .group_by(d.c.receiver).order_by(d.c.receiver))
        return list(self.connection.execute(query).scalars())

    def claim(self, receiver: str, *, owner: str, now: datetime, at: datetime,
              expires: datetime, limit: int, after: int = 0) -> list[dict[str, Any]]:
        """Lease up to ``limit`` of ``receiver``'s deliveries due at ``now`` after ``seq``
        ``after`` whose lease is free at ``at``; the claimed ones in order, with their message
        and ``follows``: the seq of the task's previous message to this receiver (or None)."""
        d = t.deliveries
        free = or_(d.c.lease_expires_at.is_(None), d.c.lease_expires_at <= at)
        chosen = (select(d.c.message_id)
                  .where(d.c.receiver == receiver, d.c.status == "pending", d.c.seq > after,
                         d.c.next_attempt_at <= now, free)
                  .order_by(d.c.seq).limit(limit)
                  .with_for_update(skip_locked=True))
        # Chosen first, then leased: as one statement, PostgreSQL may run a LIMIT subquery
        # more than once. The rows stay locked (SKIP LOCKED for the others) until the commit,
        # and the UPDATE checks the lease again on the row itself.
        ids = list(self.connection.execute(chosen).scalars())
        if ids:
            self.connection.execute(update(d).where(
                d.c.receiver == receiver, d.c.message_id.in_(ids), d.c.status == "pending",
                free).values(lease_owner=owner, lease_expires_at=expires))
        return self.leased(receiver, owner)

    def leased(self, receiver: str, owner: str) -> list[dict[str, Any]]:
        """The deliveries ``owner`` holds for ``receiver``, in order, with their messages."""
        d, o = t.deliveries, t.outbox
        before = d.alias("before")
        follows = (select(func.max(before.c.seq))
                   .where(before.c.receiver == d.c.receiver, before.c.task_id == d.c.task_id,
                          before.c.seq < d.c.seq).scalar_subquery())
        query = (select(d.c.message_id, d.c.receiver, d.c.seq, d.c.task_id, d.c.attempts,
                        d.c.due_since, o.c.message, follows.label("follows"))
                 .join(o, o.c.id == d.c.message_id)
                 .where(d.c.receiver == receiver, d.c.lease_owner == owner)
                 .order_by(d.c.seq))
        return [dict(row) for row in self.connection.execute(query).mappings()]

    def renew(self, owner: str, expires: datetime) -> None:
        """Push out the expiry of every lease ``owner`` still holds (a long page)."""
        d = t.deliveries
        self.connection.execute(update(d).where(d.c.lease_owner == owner)
                                .values(lease_expires_at=expires))

    def undelivered(self, receiver: str, task_ids: Iterable[str], up_to: int
                    ) -> dict[str, list[tuple[int, str]]]:
        """Per task, the (seq, message id) of the receiver's pending messages up to ``up_to``,
        in order: a message goes only once every earlier one of its task has gone or is dead
        (a dead letter holds nothing back; the next message says which seq it follows)."""
        d = t.deliveries
        ids = sorted(set(task_ids))
        found: dict[str, list[tuple[int, str]]] = {}
        for start in range(0, len(ids), 500):  # bound the IN list
            query = (select(d.c.task_id, d.c.seq, d.c.message_id)
                     .where(d.c.receiver == receiver, d.c.task_id.in_(ids[start:start + 500]),
                            d.c.status == "pending", d.c.seq <= up_to)
                     .order_by(d.c.seq))
            for task_id, seq, message_id in self.connection.execute(query):
                found.setdefault(task_id, []).append((seq, message_id))
        return found

    def expire(self, receiver: str, *, cutoff: datetime, at: datetime, reason: str) -> int:
        """Dead-letter, unsent, the receiver's pending deliveries due since before ``cutoff``
        whose lease is free (its circuit is open: they will not be tried before their
        deadline); how many."""
        d = t.deliveries
        where = and_(d.c.receiver == receiver, d.c.status == "pending", d.c.due_since <= cutoff,
                     or_(d.c.lease_expires_at.is_(None), d.c.lease_expires_at <= at))
        ids = sorted(set(self.connection.execute(select(d.c.message_id).where(where)).scalars()))
        if not ids:
            return 0
        self.connection.execute(update(d).where(where).values(
            status="dead", last_error=reason[:500], next_attempt_at=None, lease_owner=None,
            lease_expires_at=None))
        self.summarise(ids, at)
        return len(ids)

    def untried(self, receiver: str) -> int:
        """The receiver's pending deliveries never tried yet."""
        d = t.deliveries
        return int(self.connection.execute(select(func.count()).where(
            d.c.receiver == receiver, d.c.status == "pending", d.c.attempts == 0)).scalar_one())

    @property
    def circuits(self) -> ReceiverCircuits:
        from oversight.adapters.store.circuits import ReceiverCircuits

        return ReceiverCircuits(self.connection)

    def record(self, outcomes: Sequence[Outcome], now: datetime, owner: str | None = None
               ) -> None:
        """Write each attempt's outcome and free its lease, then bring the messages' outbox
        summaries up to date. With ``owner``, only over deliveries that owner still holds: a
        run whose lease ran out never overwrites what a later run has done since."""
        d = t.deliveries
        mine = [d.c.lease_owner == owner] if owner is not None else []
        unleased = {"lease_owner": None, "lease_expires_at": None}
        delivered: dict[str, list[str]] = {}
        released: dict[str, list[str]] = {}
        for outcome in outcomes:
            if outcome.status in ("delivered", RELEASED):  # the common cases: one statement each
                (delivered if outcome.status == "delivered" else released).setdefault(
                    outcome.receiver, []).append(outcome.message_id)
                continue
            self.connection.execute(update(d).where(
                d.c.message_id == outcome.message_id, d.c.receiver == outcome.receiver,
                *mine).values(
                status=outcome.status, last_error=(outcome.error or "")[:500],
                attempts=d.c.attempts + 1 if outcome.attempted else d.c.attempts,
                next_attempt_at=outcome.next_attempt_at, **unleased))
        for group, values in ((delivered, {"status": "delivered", "attempts": d.c.attempts + 1,
                                           "delivered_at": now, "next_attempt_at": None,
                                           "last_error": None, **unleased}),
                              (released, unleased)):
            for receiver, ids in group.items():
                for start in range(0, len(ids), 500):
                    self.connection.execute(update(d).where(
                        d.c.receiver == receiver, d.c.message_id.in_(ids[start:start + 500]),
                        *mine).values(**values))
        self.summarise(sorted({outcome.message_id for outcome in outcomes
                               if outcome.status != RELEASED}), now)

    def summarise(self, message_ids: Sequence[str], now: datetime) -> None:
        """The outbox row of each message from its deliveries: status, attempts, next attempt."""
        d, o = t.deliveries, t.outbox
        mine = d.c.message_id == o.c.id
        pending = exists(select(d.c.seq).where(mine, d.c.status == "pending"))
        dead = exists(select(d.c.seq).where(mine, d.c.status == "dead"))
        for start in range(0, len(message_ids), 500):
            self.connection.execute(update(o).where(o.c.id.in_(message_ids[start:start + 500]))
                                    .values(
                status=case((pending, "pending"), (dead, "dead"), else_="delivered"),
                attempts=select(func.coalesce(func.max(d.c.attempts), 0)).where(mine)
                .scalar_subquery(),
                next_attempt_at=select(func.min(d.c.next_attempt_at))
                .where(mine, d.c.status == "pending").scalar_subquery(),
                last_error=select(func.max(d.c.last_error))
                .where(mine, d.c.status != "delivered").scalar_subquery(),
                delivered_at=case((pending | dead, None),
                                  else_=func.coalesce(o.c.delivered_at, now)),
            ))

    # ----- reading and retrying ----------------------------------------------------------------

    def listing(self, statuses: Sequence[str], receiver: str | None = None,
                message_id: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Deliveries in the given states, oldest first, with their message's type and task."""
        d, o = t.deliveries, t.outbox
        query = (select(d.c.message_id, d.c.receiver, d.c.task_id, o.c.type, d.c.status,
                        d.c.attempts, d.c.due_since, d.c.next_attempt_at, d.c.delivered_at,
                        d.c.last_error, d.c.seq)
                 .join(o, o.c.id == d.c.message_id).where(d.c.status.in_(list(statuses))))
        if receiver is not None:
            query = query.where(d.c.receiver == receiver)
        if message_id is not None:
            query = query.where(d.c.message_id == message_id)
        query = query.order_by(d.c.seq, d.c.receiver).limit(limit)
        return [dict(row) for row in self.connection.execute(query).mappings()]

    def requeue(self, now: datetime, *, message_id: str | None = None,
                receiver: str | None = None, statuses: Sequence[str] = ("dead",)) -> int:
        """Put deliveries back to pending, due now, with a fresh deadline; how many."""
        d = t.deliveries
        where: list[ColumnElement[bool]] = [d.c.status.in_(list(statuses))]
        if message_id is not None:
            where.append(d.c.message_id == message_id)
        if receiver is not None:
            where.append(d.c.receiver == receiver)
        ids = sorted(set(self.connection.execute(select(d.c.message_id).where(*where)).scalars()))
        if not ids:
            return 0
        # An operator sending them again says the receiver is back: close its circuit.
        receivers = sorted(set(self.connection.execute(
            select(d.c.receiver).where(*where).group_by(d.c.receiver)).scalars()))
        self.circuits.close(receivers)
        done = self.connection.execute(update(d).where(*where).values(
            status="pending", attempts=0, due_since=now, next_attempt_at=now, lease_owner=None,
            lease_expires_at=None))
        self.summarise(ids, now)
        return done.rowcount

    def of_task(self, task_id: str) -> list[dict[str, Any]]:
        """A task's messages in creation order, each with its deliveries (receiver, status,
        attempts, delivered at, last error): what the task page shows."""
        d, o = t.deliveries, t.outbox
        query = (select(o.c.id, o.c.seq, o.c.type, o.c.created_at, o.c.status, d.c.receiver,
                        d.c.status.label("delivery_status"), d.c.attempts, d.c.delivered_at,
                        d.c.last_error)
                 .outerjoin(d, d.c.message_id == o.c.id).where(o.c.task_id == task_id)
                 .order_by(o.c.seq, d.c.receiver))
        found: dict[str, dict[str, Any]] = {}
        for row in self.connection.execute(query).mappings():
            message = found.setdefault(row["id"], {
                "id": row["id"], "seq": row["seq"], "change": row["type"].rsplit(".", 1)[-1],
                "created_at": row["created_at"], "status": row["status"], "deliveries": []})
            if row["receiver"] is not None:
                message["deliveries"].append({
                    "receiver": row["receiver"], "status": row["delivery_status"],
                    "attempts": row["attempts"], "delivered_at": row["delivered_at"],
                    "last_error": row["last_error"]})
        return list(found.values())

    def trouble(self, now: datetime) -> dict[str, Any]:
        """What makes delivery degraded: dead letters, and receivers paused at ``now``."""
        d = t.deliveries
        dead = self.connection.execute(select(func.count()).where(d.c.status == "dead"))
        return {"dead": int(dead.scalar_one()),
                "paused": [circuit.receiver for circuit in self.circuits.paused(now)]}

    def matching(self, prefix: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` message ids among the deliveries that start with ``prefix``."""
        d = t.deliveries
        return sorted(set(self.connection.execute(select(d.c.message_id).where(
            d.c.message_id.startswith(prefix, autoescape=True)).limit(limit)).scalars()))

    def counts(self) -> dict[str, dict[str, int]]:
        """Per receiver, deliveries by status."""
        d = t.deliveries
        rows = self.connection.execute(select(d.c.receiver, d.c.status, func.count())
                                       .group_by(d.c.receiver, d.c.status))
        found: dict[str, dict[str, int]] = {}
        for receiver, status, count in rows:
            found.setdefault(receiver, {})[status] = count
        return found


__all__ = ["RELEASED", "UNDELIVERED", "DeliveryLedger", "Outcome"]
