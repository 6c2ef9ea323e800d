"""The deliveries port: what dispatching the outbox needs from a store and from each receiver.

Dispatch (:mod:`oversight.workflows.delivery.dispatch`) and sending
(:mod:`oversight.workflows.delivery.sending`) hold a :class:`DeliveryStore`; the composition root
builds the SQL one over the store's engine (its units of work hand out the delivery ledger,
``uow.deliveries``, and the receivers' circuits, ``uow.deliveries.circuits``) and one
:class:`Deliverer` per configured receiver (:mod:`oversight.adapters.delivery`). The values that
cross the port (:class:`Outcome`, :class:`Circuit`) and the errors a send raises are defined here,
so both sides share them:

    OversightError
    └── DeliveryFailed       one send did not reach the receiver; the dispatcher tries again
        └── PayloadRefused   a message field failed the allow-list's check: never sent as is
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from oversight.states.errors import OversightError
from oversight.states.event_time import as_utc

RELEASED = "released"
"""An outcome that gives a claimed delivery back unsent, as it was (held, or not tried)."""


class DeliveryFailed(OversightError):
    """A send failed. The text says why in a line, with no message content and no secret."""


class PayloadRefused(DeliveryFailed):
    """A message's allow-listed field holds something it must not (named, never quoted)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt at one delivery came to."""

    message_id: str
    receiver: str
    status: str
    """``delivered``, ``pending`` (failed, tried again at ``next_attempt_at``), ``dead``, or
    ``released`` (not sent in this run: left as it was, for a later run)."""
    error: str | None = None
    next_attempt_at: datetime | None = None
    attempted: bool = True
    """False for a delivery dead-lettered without a send (held, or its receiver was down)."""


@dataclass(frozen=True, slots=True)
class Circuit:
    """A receiver's circuit as a dispatch run found it or leaves it: its failures in a row and,
    once there are too many, a pause (see :mod:`oversight.workflows.delivery.sending`)."""

    receiver: str
    failures: int = 0
    """Sends failed in a row, across runs."""
    opened: int = 0
    """Times it has opened since it last closed: the pause doubles with each."""
    open_until: datetime | None = None
    last_error: str | None = None

    def paused_at(self, now: datetime) -> bool:
        """Whether the receiver is paused at ``now`` (nothing is sent to it)."""
        until = self.open_until
        return until is not None and as_utc(until) > now


def pause(opened: int, base: timedelta, cap: timedelta) -> timedelta:
    """How long a circuit opened for the ``opened``-th time in a row stays open."""
    return min(cap, base * 2 ** min(opened - 1, 40))


# ----- the receivers --------------------------------------------------------------------------

class Deliverer(Protocol):
    """Sends one CloudEvents message; raises on failure so the dispatcher retries it later.

    A deliverer may be called twice with the same message (at-least-once delivery): the message
    ``id`` is the idempotency key a receiver de-duplicates on.
    """

    name: str

    def deliver(self, message: dict[str, Any]) -> None: ...


@runtime_checkable
class BatchDeliverer(Protocol):
    """Sends messages all together or not at all (a file): one call per dispatch run."""

    name: str

    def deliver_many(self, messages: list[dict[str, Any]]) -> None: ...


@runtime_checkable
class Checkable(Protocol):
    """Tries the receiver without sending a task: one line on what works, or raises."""

    def check(self) -> str: ...


# ----- the store's side ---------------------------------------------------------------------

class ReceiverCircuits(Protocol):
    """Each receiver's circuit, in the unit of work's transaction."""

    def get(self, receiver: str) -> Circuit: ...

    def put(self, circuit: Circuit, now: datetime) -> None: ...

    def close(self, receivers: list[str]) -> None:
        """Forget these receivers' failures: the next run sends to them at once."""
        ...

    def paused(self, now: datetime) -> list[Circuit]:
        """Every receiver paused at ``now``, by name."""
        ...


class Deliveries(Protocol):
    """The delivery ledger: each outbox message's delivery to each receiver (rows as dicts:
    ``message_id``, ``receiver``, ``seq``, ``task_id``, ``attempts``, ``due_since``,
    ``message``, ``follows`` …), in the unit of work's transaction."""

    @property
    def circuits(self) -> ReceiverCircuits: ...

    def unrouted(self, limit: int) -> list[dict[str, Any]]:
        """Messages not yet fanned out to receivers, in creation order."""
        ...

    def route(self, routed: Sequence[tuple[dict[str, Any], Sequence[str]]],
              now: datetime) -> int:
        """One pending delivery per receiver each message's route names."""
        ...

    def receivers_due(self, now: datetime) -> list[str]: ...

    def claim(self, receiver: str, *, owner: str, now: datetime, at: datetime,
              expires: datetime, limit: int, after: int = 0) -> list[dict[str, Any]]:
        """A lease on up to ``limit`` due deliveries after seq ``after``, in order."""
        ...

    def renew(self, owner: str, expires: datetime) -> None: ...

    def undelivered(self, receiver: str, task_ids: Iterable[str], up_to: int
                    ) -> dict[str, list[tuple[int, str]]]:
        """(seq, message id) of each task's undelivered messages up to seq ``up_to``."""
        ...

    def expire(self, receiver: str, *, cutoff: datetime, at: datetime, reason: str) -> int:
        """Dead-letter a paused receiver's deliveries due before ``cutoff``; how many."""
        ...

    def untried(self, receiver: str) -> int: ...

    def record(self, outcomes: Sequence[Outcome], now: datetime,
               owner: str | None = None) -> None:
        """Write outcomes (with ``owner``: only over deliveries it still holds)."""
        ...


    # ----- what operators and the health check read ----------------------------------------

    def listing(self, statuses: Sequence[str], receiver: str | None = None,
                message_id: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Deliveries in these statuses, in creation order."""
        ...

    def requeue(self, now: datetime, *, message_id: str | None = None,
                receiver: str | None = None, statuses: Sequence[str] = ("dead",)) -> int:
        """Put deliveries back to pending, due now, with a fresh deadline; how many."""
        ...

    def of_task(self, task_id: str) -> list[dict[str, Any]]:
        """A task's messages in creation order, each with its deliveries."""
        ...

    def trouble(self, now: datetime) -> dict[str, Any]:
        """Dead letters (``dead``: how many) and receivers paused at ``now`` (``paused``)."""
        ...

    def counts(self) -> dict[str, dict[str, int]]:
        """Per receiver, deliveries by status."""
        ...

    def matching(self, prefix: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` message ids that start with ``prefix``."""
        ...


class DeliveryUnit(Protocol):
    """One transaction over the delivery ledger; rolled back unless committed."""

    @property
    def deliveries(self) -> Deliveries: ...

    def __enter__(self) -> DeliveryUnit: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...


class DeliveryStore(Protocol):
    """Where dispatch's units of work come from, and the allow-list a message must pass before
    it may leave the store (built by the composition root)."""

    def __call__(self) -> DeliveryUnit: ...

    def check_payload(self, message: dict[str, Any]) -> object:
        """Raise :class:`PayloadRefused` if an allow-listed field of ``message`` is out of
        shape (an adapter would refuse it: it goes dead now, not after 48 hours of retries)."""
        ...


__all__ = ["RELEASED", "BatchDeliverer", "Checkable", "Circuit", "Deliverer", "Deliveries",
           "DeliveryFailed", "DeliveryStore", "DeliveryUnit", "Outcome", "PayloadRefused",
           "ReceiverCircuits", "pause"]
