"""What operators and probes ask of the deliveries: what has not gone out, how many went where,
sending dead letters again, and whether delivery is degraded. Each is one unit of work of the
deliveries port (:mod:`oversight.workflows.ports.deliveries`); ``now`` comes from the edge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oversight.workflows.ports.deliveries import Circuit, DeliveryStore


@dataclass(frozen=True)
class Overview:
    """The deliveries in some statuses, the counts by receiver and status, and who is paused."""

    rows: list[dict[str, Any]]
    counts: dict[str, dict[str, int]]
    paused: list[Circuit]


def overview(store: DeliveryStore, statuses: Sequence[str], *, receiver: str | None = None,
             limit: int = 1000, now: datetime) -> Overview:
    """What ``oversight deliveries`` shows, read in one transaction."""
    with store() as uow:
        return Overview(uow.deliveries.listing(statuses, receiver=receiver, limit=limit),
                        uow.deliveries.counts(), uow.deliveries.circuits.paused(now))


def counts(store: DeliveryStore) -> dict[str, dict[str, int]]:
    """Per receiver, deliveries by status."""
    with store() as uow:
        return uow.deliveries.counts()


def message_ids(store: DeliveryStore, prefix: str) -> list[str]:
    """The message ids (up to 3) that start with ``prefix``: one, or the ambiguity."""
    with store() as uow:
        return uow.deliveries.matching(prefix)


def requeue(store: DeliveryStore, now: datetime, *, message_id: str | None = None,
            receiver: str | None = None) -> int:
    """Send dead deliveries again (with a message id, one still waiting for its retry too):
    pending, due ``now``, a fresh deadline, their receivers' circuits closed; how many."""
    with store() as uow:
        count = uow.deliveries.requeue(now, message_id=message_id, receiver=receiver,
                                       statuses=("dead", "pending") if message_id else ("dead",))
        uow.commit()
    return count


def trouble(store: DeliveryStore, now: datetime) -> dict[str, Any]:
    """What makes delivery degraded: ``dead`` letters and receivers ``paused`` at ``now``;
    raises whatever the store raises when it does not answer."""
    with store() as uow:
        return uow.deliveries.trouble(now)


def of_task(store: DeliveryStore, task_id: str) -> list[dict[str, Any]]:
    """A task's messages, each with its deliveries (the task page)."""
    with store() as uow:
        return uow.deliveries.of_task(task_id)


__all__ = ["Overview", "counts", "message_ids", "of_task", "overview", "requeue", "trouble"]
