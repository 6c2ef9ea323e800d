"""A delivery's arithmetic and tally: when a failed send is tried again (:class:`Backoff`) and
what one page of a receiver's sends came to (:class:`Page`).

Dispatch (which runs the pages) and sending (which makes each send of a page) both use them;
they live here so that neither needs the other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from oversight.states.event_time import as_utc
from oversight.workflows.delivery.settings import DeliveryPolicy


@dataclass(frozen=True)
class Backoff:
    """When a failed delivery is tried next: ``base · 2^(attempts-1)`` capped at ``cap``, of
    which a random half is taken off (jitter, so receivers coming back are not stampeded),
    never later than the deadline; none once the deadline has passed. A receiver failing
    ``trip_after`` sends in a row is paused for ``base · 2^(n-1)`` (capped) the n-th time;
    a claim's lease lasts ``lease``."""

    base: timedelta
    cap: timedelta
    deadline: timedelta
    rng: random.Random = field(default_factory=random.Random, compare=False)
    trip_after: int = 5
    lease: timedelta = timedelta(minutes=5)

    @classmethod
    def from_policy(cls, policy: DeliveryPolicy, rng: random.Random | None = None) -> Backoff:
        return cls(timedelta(seconds=policy.backoff_base_seconds),
                   timedelta(seconds=policy.backoff_cap_seconds),
                   timedelta(hours=policy.deadline_hours), rng or random.Random(),
                   policy.circuit_failures, timedelta(seconds=policy.lease_seconds))

    def deadline_of(self, due_since: datetime) -> datetime:
        return as_utc(due_since) + self.deadline

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
    skipped: int = 0
    """Claimed but not tried: the receiver was paused by then."""
    last_seq: int = 0
    error: str | None = None
    """The last failure of a send in this page."""
    down: str | None = None
    """The failure that paused the receiver (opened its circuit)."""
    paused_until: datetime | None = None
    dead_letters: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"receiver": self.receiver, "seen": self.seen, "delivered": self.delivered,
                "failed": self.failed, "dead": self.dead, "held": self.held,
                "skipped": self.skipped, "last_seq": self.last_seq, "error": self.error,
                "down": self.down,
                "paused_until": self.paused_until.isoformat() if self.paused_until else None,
                "dead_letters": [list(pair) for pair in self.dead_letters]}


__all__ = ["Backoff", "Page"]
