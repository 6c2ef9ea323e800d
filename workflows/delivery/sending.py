"""Sending one claimed page of a receiver's deliveries: in order per task, never starved.

- A message goes only once every earlier message of its task to that receiver has been
  delivered or dead-lettered (an ``opened`` is never overtaken by its ``closed``); until then
  it is *held*, and given back for a later run. A dead letter holds nothing back: the next
  message of the task carries the seq it follows (``data.follows``) and the task's state, so
  the receiver sees the gap.
- A failed send holds back only its own task's later messages: the receiver's other tasks go
  on. The failed delivery is tried again after an exponential backoff with jitter.
- A receiver failing ``trip_after`` sends in a row is paused (its circuit opens, see
  :class:`~oversight.workflows.ports.deliveries.Circuit`): the rest of the page is given back,
  unsent.
- A delivery failing once its deadline has passed is dead; a message an adapter refuses (an
  allow-listed field out of shape) is dead at once.
- Outcomes are recorded every ``RECORD_EVERY`` sends (and the page's remaining leases renewed):
  a crash in between sends those messages again once their leases run out, under the same id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from oversight.workflows.delivery.attempts import Backoff, Page
from oversight.workflows.ports.deliveries import (
    RELEASED,
    BatchDeliverer,
    Circuit,
    Deliverer,
    DeliveryFailed,
    Outcome,
    PayloadRefused,
    pause,
)

PayloadCheck = Callable[[dict[str, Any]], object]
"""Raises :class:`PayloadRefused` for a message an adapter would refuse (the store's allow-list,
:meth:`~oversight.workflows.ports.deliveries.DeliveryStore.check_payload`)."""

RECORD_EVERY = 50
"""Sends between two commits of their outcomes: what a crash can make a receiver see twice."""


def sequenced(row: dict[str, Any]) -> dict[str, Any]:
    """The stored message with its place in the order: ``sequence`` (CloudEvents' sequence
    extension) and ``data.follows``, the seq of the task's previous message to this receiver.
    Both are fixed at routing, so a repeat is the same message."""
    message = dict(row["message"])
    message["sequence"] = str(row["seq"])
    data = dict(message.get("data") or {})
    if row.get("follows") is not None:
        data["follows"] = str(row["follows"])
    message["data"] = data
    return message


class Sender:
    """Sends one page in order, holding what must wait, pausing a receiver that keeps failing."""

    def __init__(self, receiver: str, deliverer: Deliverer | None, backoff: Backoff,
                 now: datetime, chains: dict[str, list[tuple[int, str]]], page: Page,
                 record: Callable[[list[Outcome]], None], circuit: Circuit,
                 clock: Callable[[], datetime], renew_every: timedelta, *,
                 check: PayloadCheck | None = None):
        self.receiver, self.deliverer, self.backoff, self.now = receiver, deliverer, backoff, now
        self.chains, self.page, self.record, self.circuit = chains, page, record, circuit
        self.clock, self.renew_every, self.check = clock, renew_every, check
        self.outcomes: list[Outcome] = []
        self.flushed = clock()

    def send(self, rows: list[dict[str, Any]]) -> Circuit:
        """Send the rows, recording outcomes as it goes and at the end; the circuit after."""
        self._send(rows)
        self.flush()
        return self.circuit

    def flush(self) -> None:
        if self.outcomes:
            self.record(self.outcomes)
            self.outcomes = []
        self.flushed = self.clock()

    def _send(self, rows: list[dict[str, Any]]) -> None:
        ready: list[dict[str, Any]] = []
        for row in rows:
            if self.page.down is not None:
                self._unsent(row, f"not sent: {self.receiver} is paused after failing "
                                  f"{self.circuit.failures} times in a row ({self.page.down})")
                continue
            ahead = self._ahead(row)
            if ahead is not None:
                self.page.held += 1
                self.outcomes.append(Outcome(row["message_id"], self.receiver, RELEASED))
                continue
            try:
                if self.check is not None:  # the adapter would refuse it: dead now, not in 48 h
                    self.check(row["message"])
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
                if len(self.outcomes) >= RECORD_EVERY or \
                        self.clock() - self.flushed >= self.renew_every:
                    self.flush()
        if ready:
            self._batch(ready)

    def _one(self, row: dict[str, Any]) -> None:
        assert self.deliverer is not None
        try:
            self.deliverer.deliver(sequenced(row))
        except Exception as error:  # any failure of a send is retried; it never stops the run
            self._failed(row, describe(error))
            return
        self._delivered(row)
        self._done(row)

    def _batch(self, rows: list[dict[str, Any]]) -> None:
        assert isinstance(self.deliverer, BatchDeliverer)
        try:
            self.deliverer.deliver_many([sequenced(row) for row in rows])
        except Exception as error:
            reason = describe(error)
            for row in rows:
                self._failed(row, reason, count=row is rows[0])
            return
        for row in rows:
            self._delivered(row)

    def _ahead(self, row: dict[str, Any]) -> str | None:
        """The earlier pending message of the row's task, if one is still in the way."""
        chain = self.chains.get(row["task_id"], [])
        return chain[0][1] if chain and chain[0][0] < row["seq"] else None

    def _done(self, row: dict[str, Any]) -> None:
        chain = self.chains.get(row["task_id"], [])
        self.chains[row["task_id"]] = [link for link in chain if link[0] != row["seq"]]

    def _delivered(self, row: dict[str, Any]) -> None:
        self.page.delivered += 1
        self.circuit = Circuit(self.receiver)  # a success closes the circuit
        self.outcomes.append(Outcome(row["message_id"], self.receiver, "delivered"))

    def _failed(self, row: dict[str, Any], reason: str, *, count: bool = True) -> None:
        self.page.error = reason
        if count:
            self._trip(reason)
        retry = self.backoff.next_attempt(row["attempts"] + 1, self.now, row["due_since"])
        if retry is None:
            self._dead(row, reason, attempted=True)
            return
        self.page.failed += 1
        self.outcomes.append(Outcome(row["message_id"], self.receiver, "pending", reason, retry))

    def _trip(self, reason: str) -> None:
        """One more failure in a row; too many and the circuit opens (or a half-open one
        opens again at its first failure: the count is not reset by a pause)."""
        failures = self.circuit.failures + 1
        if failures < self.backoff.trip_after:
            self.circuit = Circuit(self.receiver, failures, self.circuit.opened, None, reason)
            return
        opened = self.circuit.opened + 1
        until = self.clock() + pause(opened, self.backoff.base, self.backoff.cap)
        self.circuit = Circuit(self.receiver, failures, opened, until, reason)
        self.page.down = reason

    def _unsent(self, row: dict[str, Any], reason: str) -> None:
        """Not tried in this run: given back, unless its deadline has passed."""
        self.page.skipped += 1
        if self.now >= self.backoff.deadline_of(row["due_since"]):
            self._dead(row, reason, attempted=False)
        else:
            self.outcomes.append(Outcome(row["message_id"], self.receiver, RELEASED))

    def _dead(self, row: dict[str, Any], reason: str, *, attempted: bool) -> None:
        self.page.dead += 1
        self.page.dead_letters.append((row["message_id"], reason))
        self._done(row)  # a dead letter holds back nothing: the task's next message goes
        self.outcomes.append(Outcome(row["message_id"], self.receiver, "dead", reason,
                                     attempted=attempted))


def describe(error: BaseException) -> str:
    """One line for ``last_error``: an adapter's own words, or the exception's type and text."""
    if isinstance(error, DeliveryFailed):
        return str(error)[:500]
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:500].rstrip(": ")
