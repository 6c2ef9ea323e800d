"""The sweep: fire everything due on or before a day, a claimed batch at a time, until nothing is.

One loop, whoever runs it: the ``sweep`` flow (each batch a Prefect task), ``oversight sweep``
without a Prefect server, a simulated day, the store's own backfill. Each batch is claimed
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the writer lock on SQLite), so any number of
sweepers may run it at once on one store and none fires a timer twice. Timers that fired arm
new ones, perhaps already due (a backfill): later batches claim them. Timers that failed stay
due and are skipped for the rest of this sweep (claimed again they would fail again, and the
loop would not end).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oversight.workflows.recording.firing import FiredBatch
    from oversight.workflows.recording.service import OversightService

BatchCounts = dict[str, Any]
"""One batch as counts (plain values, so a Prefect task can return it): ``claimed``,
``fired``, ``failed``, ``failed_ids``, ``tasks_opened``, ``tasks_breached`` and ``errors``."""

FireBatch = Callable[[list[int]], BatchCounts]
"""Claim and fire one batch, skipping the timer ids given."""


def batch_counts(batch: FiredBatch) -> BatchCounts:
    """One fired batch as :data:`BatchCounts`."""
    return {"claimed": batch.claimed, "fired": batch.outcome.fired, "failed": len(batch.failed),
            "failed_ids": list(batch.failed), "tasks_opened": batch.outcome.tasks_opened,
            "tasks_breached": batch.outcome.tasks_breached, "errors": list(batch.errors)}


def sweep_batches(fire: FireBatch, say: Callable[[str], None]) -> dict[str, int]:
    """Fire batch after batch until one claims nothing; each failed timer is one line through
    ``say`` (it stays due). The totals: fired, stale, failed, tasks opened and breached,
    batches."""
    totals = {"fired": 0, "stale": 0, "failed": 0, "tasks_opened": 0, "tasks_breached": 0,
              "batches": 0}
    skip: list[int] = []
    while True:
        counts = fire(skip)
        for error in counts["errors"]:  # one bad entity must not stop the sweep
            say(error)
        if counts["claimed"] == 0:
            return totals
        totals["batches"] += 1
        for key in ("fired", "failed", "tasks_opened", "tasks_breached"):
            totals[key] += counts[key]
        skip += counts["failed_ids"]


def sweep_due(service: OversightService, as_of: date, *, now: datetime, batch_size: int,
              say: Callable[[str], None]) -> dict[str, int]:
    """:func:`sweep_batches` in this process, each batch one transaction of ``service``."""
    return sweep_batches(lambda skip: batch_counts(
        service.fire_due(as_of, now=now, limit=batch_size, skip=skip)), say)


__all__ = ["BatchCounts", "FireBatch", "batch_counts", "sweep_batches", "sweep_due"]
