"""Prefect flows: ``sweep`` fires due timers, ``dispatch`` delivers the outbox.

Task granularity is a batch (hundreds of timers or messages), never one entity: a Prefect task
call costs milliseconds, so per-entity tasks would dominate the run time.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from workflows.bootstrap import open_app
from workflows.service import Outcome
from workflows.settings import Settings

LONDON = ZoneInfo("Europe/London")


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except Exception:  # called outside a run (e.g. `.fn()` in a test)
        return logging.getLogger("oversight")


@task(retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def fire_batch(database_url: str, timer_ids: list[int], now: datetime) -> dict[str, int]:
    """Fire one batch of due timers, each in its own transaction; retrying a batch is safe."""
    app = open_app(Settings(database_url=database_url))
    outcome, failed = Outcome(), 0
    for timer_id in timer_ids:
        try:
            outcome.add(app.service.fire(timer_id, now=now))
        except Exception as error:  # one bad entity must not stop the sweep; it stays due
            failed += 1
            _logger().error("timer %s failed: %s", timer_id, type(error).__name__)
    return {"fired": outcome.fired, "stale": outcome.stale, "failed": failed,
            "tasks_opened": outcome.tasks_opened, "tasks_breached": outcome.tasks_breached}


def sweep_day(database_url: str, as_of: date, now: datetime, batch_size: int) -> dict[str, int]:
    """Fire everything due on or before ``as_of``, batch by batch, until nothing is due.

    Timers fired in a batch may arm new ones that are already due (a backfill): another pass
    picks them up. Timers that failed stay where they are and are not retried in this sweep.
    """
    app = open_app(Settings(database_url=database_url))
    totals = {"fired": 0, "stale": 0, "failed": 0, "tasks_opened": 0, "tasks_breached": 0,
              "batches": 0}
    cursor = None
    fired_this_pass = 0
    while True:
        page = app.service.due_timer_ids(as_of, limit=batch_size, after=cursor)
        if not page:
            if cursor is None or fired_this_pass == 0:
                break
            cursor, fired_this_pass = None, 0  # start a new pass for newly armed due timers
            continue
        counts = fire_batch(database_url, [timer_id for _, timer_id in page], now)
        totals["batches"] += 1
        for key, value in counts.items():
            totals[key] += value
        fired_this_pass += counts["fired"]
        cursor = page[-1]
    return totals


@flow(name="sweep", log_prints=True)
def sweep(as_of: date | None = None, batch_size: int = 500, database_url: str | None = None
          ) -> dict[str, int]:
    """Fire every durable timer due on or before `as_of` (default: today in Europe/London).

    Deployed to run daily at 06:00 before the working day starts, and every hour. Running it
    twice for the same day changes nothing the second time.
    """
    settings = Settings(database_url=database_url) if database_url else Settings()
    now = datetime.now(timezone.utc)
    as_of = as_of or now.astimezone(LONDON).date()
    totals = sweep_day(settings.url, as_of, now, batch_size)
    _logger().info("sweep as of %s: %s", as_of.isoformat(), totals)
    return totals


@task(retries=3, retry_delay_seconds=[2, 5, 15], cache_policy=NO_CACHE)
def deliver_batch(database_url: str, limit: int, now: datetime, home: str | None = None
                  ) -> dict[str, int]:
    """Deliver one batch of pending outbox messages through every configured adapter."""
    from adapters.store.unit_of_work import SqlUnitOfWork

    settings = Settings(database_url=database_url)
    if home is not None:  # a store with its own home (a simulation): its own outbox files
        settings = Settings(database_url=database_url, home=Path(home))
    app = open_app(settings)
    with SqlUnitOfWork(app.engine) as uow:
        pending = uow.pending_messages(now, limit)
    if not pending:
        return {"delivered": 0}
    messages = [row["message"] for row in pending]
    for deliverer in app.deliverers():
        deliverer.deliver_many(messages)
    # Marked after the send: a crash in between repeats the message; its id absorbs the repeat.
    with SqlUnitOfWork(app.engine) as uow:
        uow.mark_delivered([row["id"] for row in pending], now)
        uow.commit()
    return {"delivered": len(pending)}


def dispatch_all(database_url: str, now: datetime, batch_size: int = 1000,
                 home: str | None = None) -> int:
    delivered = 0
    while True:
        count = deliver_batch(database_url, batch_size, now, home)["delivered"]
        delivered += count
        if count < batch_size:
            return delivered


@flow(name="dispatch", log_prints=True)
def dispatch(batch_size: int = 1000, database_url: str | None = None) -> dict[str, int]:
    """Deliver undelivered task messages (CloudEvents) to the configured receivers.

    Deployed to run every minute. Each message carries an idempotency key (its id).
    """
    settings = Settings(database_url=database_url) if database_url else Settings()
    delivered = dispatch_all(settings.url, datetime.now(timezone.utc), batch_size)
    _logger().info("dispatched %s messages", delivered)
    return {"delivered": delivered}
