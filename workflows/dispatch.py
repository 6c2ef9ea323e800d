"""Delivering the outbox: at least once, in creation order, retried across runs until a deadline.

A dispatch run (the ``dispatch`` flow every minute, or :func:`dispatch` without Prefect):

1. **Routes** new outbox messages: one pending delivery per receiver their route names.
2. **Sends** each receiver's due deliveries a page at a time, in creation order (``seq``):

   - a message goes only once every earlier message of the same task has reached that
     receiver (an ``opened`` is never overtaken by its ``closed``); until then it is *held*;
   - the first failure stops that receiver for the run: a receiver that is down costs one
     timeout a run, not one per message. The failed delivery is tried again after an
     exponential backoff with jitter (:class:`Backoff`), in a later run; the rest stay due;
   - a delivery still failing, held, or facing a failing receiver once its deadline has
     passed (48 hours after it first fell due, by default) goes to the dead letters:
     ``oversight deliveries`` shows them, ``oversight deliveries retry`` sends them again;
   - a message an adapter refuses (an allow-listed field out of shape) is dead at once.
3. **Records** outcomes after the sends, every ``RECORD_EVERY`` sends. A crash in between
   sends those messages again next run, with the same id, which receivers de-duplicate on:
   a repeat, never a loss.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping

from sqlalchemy import Engine

from oversight.adapters.delivery.payload import outbound
from oversight.adapters.delivery.ports import BatchDeliverer, Deliverer, DeliveryFailed, PayloadRefused
from oversight.adapters.store.deliveries import Outcome
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.workflows.delivery_settings import DeliveryPolicy, Routing

BATCH_ADAPTERS = ("files", "jsonl")
"""Adapters that take a run's messages in one call (a file), not one message at a time."""
RECORD_EVERY = 50
"""Sends between two commits of their outcomes: what a crash can make a receiver see twice."""


@dataclass(frozen=True)
class Backoff:
    """When a failed delivery is tried next: ``base · 2^(attempts-1)`` capped at ``cap``, of
    which a random half is taken off (jitter, so receivers coming back are not stampeded),
    never later than the deadline; none once the deadline has passed."""

    base: timedelta
    cap: timedelta
    deadline: timedelta
    rng: random.Random = field(default_factory=random.Random, compare=False)

    @classmethod
    def from_policy(cls, policy: DeliveryPolicy, rng: random.Random | None = None) -> "Backoff":
        return cls(timedelta(seconds=policy.backoff_base_seconds),
                   timedelta(seconds=policy.backoff_cap_seconds),
                   timedelta(hours=policy.deadline_hours), rng or random.Random())

    def deadline_of(self, due_since: datetime) -> datetime:
        return utc(due_since) + self.deadline

    def next_attempt(self, attempts: int, now: datetime, due_since: datetime) -> datetime | None:
        """After the ``attempts``-th failure at ``now``: the next try, or None (dead)."""
        deadline = self.deadline_of(due_since)
        if now >= deadline:
            return None
        step = min(self.cap, self.base * 2 ** min(attempts - 1, 40))
        wait = step / 2 + step / 2 * self.rng.random()
        return min(now + wait, deadline)


@dataclass
class Page:
    """What one page of one receiver's deliveries came to."""

    receiver: str
    seen: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    held: int = 0
    last_seq: int = 0
    down: str | None = None
    """The failure that stopped the receiver for this run."""

    def to_json(self) -> dict[str, Any]:
        return {"receiver": self.receiver, "seen": self.seen, "delivered": self.delivered,
                "failed": self.failed, "dead": self.dead, "held": self.held,
                "last_seq": self.last_seq, "down": self.down}


def utc(moment: datetime) -> datetime:
    """SQLite hands instants back without their zone: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def route_messages(engine: Engine, routing: Routing, now: datetime, limit: int) -> int:
    """Fan up to ``limit`` new messages out to their receivers; how many messages."""
    with SqlUnitOfWork(engine) as uow:
        rows = uow.deliveries.unrouted(limit)
        routed = []
        for row in rows:
            message = row["message"]
            authority = str(message.get("source", "")).rsplit("/", 1)[-1]
            change = str(message.get("type", "")).rsplit(".", 1)[-1]
            task_type = str((message.get("data") or {}).get("task_type", ""))
            routed.append((row, routing.receivers_for(authority, task_type, change)))
        uow.deliveries.route(routed, now)
        uow.commit()
    return len(rows)


def receivers_due(engine: Engine, now: datetime) -> list[str]:
    with SqlUnitOfWork(engine) as uow:
        return uow.deliveries.receivers_due(now)


def deliver_page(engine: Engine, receiver: str, deliverer: Deliverer | None, backoff: Backoff,
                 now: datetime, limit: int, after: int = 0) -> Page:
    """Send one page of ``receiver``'s due deliveries after ``seq`` ``after``, then record."""
    with SqlUnitOfWork(engine) as uow:
        rows = uow.deliveries.due(receiver, now, limit, after)
        chains = uow.deliveries.undelivered(
            receiver, {row["task_id"] for row in rows}, rows[-1]["seq"]) if rows else {}
    page = Page(receiver, seen=len(rows), last_seq=rows[-1]["seq"] if rows else after)
    if not rows:
        return page

    def record(outcomes: list[Outcome]) -> None:
        """After the sends: a crash before this commit sends them again next run."""
        with SqlUnitOfWork(engine) as uow:
            uow.deliveries.record(outcomes, now)
            uow.commit()

    _Sender(receiver, deliverer, backoff, now, chains, page, record).send(rows)
    return page


class _Sender:
    """Sends one page in order, holding what must wait and stopping at the first failure."""

    def __init__(self, receiver: str, deliverer: Deliverer | None, backoff: Backoff,
                 now: datetime, chains: dict[str, list[tuple[int, str]]], page: Page,
                 record: Callable[[list[Outcome]], None]):
        self.receiver, self.deliverer, self.backoff, self.now = receiver, deliverer, backoff, now
        self.chains, self.page, self.record = chains, page, record
        self.outcomes: list[Outcome] = []

    def send(self, rows: list[dict[str, Any]]) -> None:
        """Send the rows, recording outcomes every ``RECORD_EVERY`` sends and at the end."""
        self._send(rows)
        if self.outcomes:
            self.record(self.outcomes)

    def _send(self, rows: list[dict[str, Any]]) -> None:
        ready: list[dict[str, Any]] = []
        for row in rows:
            if self.page.down is not None and not isinstance(self.deliverer, BatchDeliverer):
                self._unsent(row, f"not sent: the receiver failed earlier in this run "
                                  f"({self.page.down})")
                continue
            ahead = self._ahead(row)
            if ahead is not None:
                self.page.held += 1
                self._unsent(row, f"held behind message {ahead} of the same task, not yet "
                                  f"delivered to {self.receiver}")
                continue
            try:
                outbound(row["message"])  # the adapter would refuse it: dead now, not in 48 h
            except PayloadRefused as error:
                self._dead(row, str(error), attempted=True)
                continue
            if self.deliverer is None:
                self._failed(row, f"receiver {self.receiver!r} is not configured any more")
            elif isinstance(self.deliverer, BatchDeliverer):
                ready.append(row)
                self._done(row)  # later messages of its task may join the same batch
            else:
                self._one(row)
                if len(self.outcomes) >= RECORD_EVERY:
                    self.record(self.outcomes)
                    self.outcomes = []
        if ready:
            self._batch(ready)

    def _one(self, row: dict[str, Any]) -> None:
        assert self.deliverer is not None
        try:
            self.deliverer.deliver(row["message"])
        except Exception as error:  # any failure of a send is retried; it never stops the run
            self._failed(row, describe(error))
            return
        self._delivered(row)
        self._done(row)

    def _batch(self, rows: list[dict[str, Any]]) -> None:
        assert isinstance(self.deliverer, BatchDeliverer)
        try:
            self.deliverer.deliver_many([row["message"] for row in rows])
        except Exception as error:
            reason = describe(error)
            for row in rows:
                self._failed(row, reason)
            return
        for row in rows:
            self._delivered(row)

    def _ahead(self, row: dict[str, Any]) -> str | None:
        """The earlier undelivered message of the row's task, if one is still in the way."""
        chain = self.chains.get(row["task_id"], [])
        return chain[0][1] if chain and chain[0][0] < row["seq"] else None

    def _done(self, row: dict[str, Any]) -> None:
        chain = self.chains.get(row["task_id"], [])
        self.chains[row["task_id"]] = [link for link in chain if link[0] != row["seq"]]

    def _delivered(self, row: dict[str, Any]) -> None:
        self.page.delivered += 1
        self.outcomes.append(Outcome(row["message_id"], self.receiver, "delivered"))

    def _failed(self, row: dict[str, Any], reason: str) -> None:
        self.page.down = self.page.down or reason
        retry = self.backoff.next_attempt(row["attempts"] + 1, self.now, row["due_since"])
        if retry is None:
            self._dead(row, reason, attempted=True)
            return
        self.page.failed += 1
        self.outcomes.append(Outcome(row["message_id"], self.receiver, "pending", reason, retry))

    def _unsent(self, row: dict[str, Any], reason: str) -> None:
        """Not tried in this run: left due, unless its deadline has passed."""
        if self.now >= self.backoff.deadline_of(row["due_since"]):
            self._dead(row, reason, attempted=False)

    def _dead(self, row: dict[str, Any], reason: str, *, attempted: bool) -> None:
        self.page.dead += 1
        self.outcomes.append(Outcome(row["message_id"], self.receiver, "dead", reason,
                                     attempted=attempted))


def describe(error: BaseException) -> str:
    """One line for ``last_error``: an adapter's own words, or the exception's type and text."""
    if isinstance(error, DeliveryFailed):
        return str(error)[:500]
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:500].rstrip(": ")


PageStep = Callable[[str, int, int], dict[str, Any]]


def run(*, route: Callable[[], int], receivers: Callable[[], list[str]], page: PageStep,
        page_size: Callable[[str], int], route_batch: int) -> dict[str, Any]:
    """One dispatch run from its steps (plain calls here, Prefect tasks in the flow)."""
    totals: dict[str, Any] = {"routed": 0, "delivered": 0, "failed": 0, "dead": 0, "held": 0,
                              "receivers": {}}
    while True:
        routed = route()
        totals["routed"] += routed
        if routed < route_batch:
            break
    for receiver in receivers():
        size, after = page_size(receiver), 0
        line = totals["receivers"].setdefault(
            receiver, {"delivered": 0, "failed": 0, "dead": 0, "held": 0, "error": None})
        while True:
            result = page(receiver, size, after)
            for key in ("delivered", "failed", "dead", "held"):
                line[key] += result[key]
                totals[key] += result[key]
            line["error"] = result["down"] or line["error"]
            if result["down"] or result["seen"] < size:
                break
            after = result["last_seq"]
    return totals


def dispatch(engine: Engine, *, deliverers: Mapping[str, Deliverer], routing: Routing,
             backoff: Backoff, now: datetime, batch_size: int = 500,
             file_batch_size: int = 100_000) -> dict[str, Any]:
    """A whole dispatch run without Prefect (tests, the bench, ``deliveries retry``)."""
    def size(receiver: str) -> int:
        return file_batch_size if isinstance(deliverers.get(receiver), BatchDeliverer) \
            else batch_size

    return run(route=lambda: route_messages(engine, routing, now, batch_size),
               receivers=lambda: receivers_due(engine, now),
               page=lambda receiver, limit, after: deliver_page(
                   engine, receiver, deliverers.get(receiver), backoff, now, limit,
                   after).to_json(),
               page_size=size, route_batch=batch_size)
