"""Prefect flows: ``sweep`` fires due timers, ``dispatch`` delivers the outbox.

Task granularity is a batch (hundreds of timers or messages), never one entity: a Prefect task
call costs milliseconds, so per-entity tasks would dominate the run time.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from oversight.states.event_time import london_today
from oversight.workflows.bootstrap import App, clock, delivery_store, open_app, store_ready
from oversight.workflows.recording.service import Outcome
from oversight.workflows.recording.sweeping import BatchCounts, batch_counts, sweep_batches
from oversight.workflows.settings import Settings


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except Exception:  # called outside a run (e.g. `.fn()` in a test)
        return logging.getLogger("oversight")


_APPS: dict[str, App] = {}


def app_for(database_url: str) -> App:
    """The application over ``database_url``, opened once per process: the schema check
    (Alembic) and the policy's validation are not repeated for every batch."""
    app = _APPS.get(database_url)
    if app is None:
        app = _APPS[database_url] = open_app(Settings(database_url=database_url))
    return app


@task(retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def fire_due_batch(database_url: str, as_of: date, now: datetime, limit: int,
                   skip: list[int]) -> BatchCounts:
    """Claim and fire one batch of due timers in one transaction; a retry claims afresh."""
    return batch_counts(app_for(database_url).service.fire_due(as_of, now=now, limit=limit,
                                                               skip=skip))


@task(retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def fire_batch(database_url: str, timer_ids: list[int], now: datetime) -> dict[str, int]:
    """Fire one batch of due timers, each in its own transaction; retrying a batch is safe."""
    app = app_for(database_url)
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
    """Fire everything due on or before ``as_of``, a claimed batch (a Prefect task) at a time,
    until nothing is: the one sweep loop (:func:`~oversight.workflows.recording.sweeping.
    sweep_batches`), each failed timer an error line in the run's log (it stays due)."""
    return sweep_batches(lambda skip: fire_due_batch(database_url, as_of, now, batch_size, skip),
                         lambda error: _logger().error("%s", error))


@flow(name="sweep", log_prints=True)
def sweep(as_of: date | None = None, batch_size: int = 500) -> dict[str, int]:
    """Fire every durable timer due on or before `as_of` (default: today in Europe/London).

    Deployed to run daily at 06:00 before the working day starts, and every hour. Running it
    twice for the same day changes nothing the second time; several runs at once (on several
    workers) share the due timers, each fired once. The store is the one the environment
    names (OVERSIGHT_DATABASE_URL, settings): never a parameter, so never a password in a run.
    """
    settings = Settings()
    now = clock().now()
    as_of = as_of or london_today(now)
    totals = sweep_day(settings.url, as_of, now, batch_size)
    _logger().info("sweep as of %s: %s", as_of.isoformat(), totals)
    return totals


def delivery_settings(database_url: str, home: str | None) -> Settings:
    """The settings a dispatch over ``database_url`` delivers with."""
    if home is not None:
        # A store with its own home is a simulation's: its messages go to its own outbox file
        # alone, never to the receivers configured for real tasks.
        settings = Settings(database_url=database_url, home=Path(home))
        # Its one receiver appends to a JSON lines file a page at a time: pages of 10,000 keep
        # a large authority's year (177,000 messages) from being read into memory whole.
        delivery = settings.delivery.model_copy(update={"file_batch_size": 10_000})
        return settings.model_copy(update={"receivers": {}, "routes": {}, "delivery": delivery})
    return Settings(database_url=database_url)


@task(retries=3, retry_delay_seconds=[2, 5, 15], cache_policy=NO_CACHE)
def route_batch(database_url: str, limit: int, now: datetime, home: str | None = None) -> int:
    """Fan new task messages out to the receivers their routes name; a retry routes afresh."""
    from oversight.workflows.delivery.dispatch import route_messages

    settings = delivery_settings(database_url, home)
    return route_messages(delivery_store(settings.url), settings.routing(), now, limit)


@task(retries=3, retry_delay_seconds=[2, 5, 15], cache_policy=NO_CACHE)
def deliver_batch(database_url: str, receiver: str, limit: int, now: datetime,
                  home: str | None = None, after: int = 0) -> dict[str, Any]:
    """Send one page of a receiver's due messages in creation order, then record each outcome.

    A failed send does not fail the task: it is recorded and tried again in a later run, with
    backoff, until its deadline. These retries cover a store briefly out of reach; a retried
    page may send a message twice, which its id (the idempotency key) absorbs.
    """
    from oversight.adapters.delivery.receivers import build_deliverer
    from oversight.workflows.delivery.dispatch import Backoff, deliver_page, log_dead_letters
    from oversight.workflows.reads.receivers import close_all

    settings = delivery_settings(database_url, home)
    configs = settings.receiver_settings()
    deliverers = {receiver: build_deliverer(receiver, configs[receiver], settings, run_at=now)
                  } if receiver in configs else {}
    try:
        # Leases are taken and checked on the wall clock: runs on other workers read it too.
        page = deliver_page(delivery_store(settings.url), receiver, deliverers.get(receiver),
                            Backoff.from_policy(settings.delivery), now, limit, after,
                            clock=clock().now)
    finally:
        close_all(deliverers)
    if page.down:
        _logger().warning("receiver %s paused until %s: %s", receiver,
                          page.paused_until.isoformat() if page.paused_until else "?", page.down)
    found = page.to_json()
    log_dead_letters(_logger(), found)  # `oversight deliveries retry` sends them again
    return found


def dispatch_run(database_url: str, now: datetime, batch_size: int = 1000,
                 home: str | None = None) -> dict[str, Any]:
    """One dispatch run as Prefect tasks: route the new messages, then each receiver's pages."""
    from oversight.workflows.delivery.dispatch import BATCH_ADAPTERS, receivers_due, run, untried

    settings = delivery_settings(database_url, home)
    store_ready(settings)  # the store answers and is current, or StoreNotReady says what to do
    configs = settings.receiver_settings()

    def page_size(receiver: str) -> int:
        config = configs.get(receiver)
        batch = config is not None and config.adapter in BATCH_ADAPTERS
        return settings.delivery.file_batch_size if batch else batch_size

    return run(route=lambda: route_batch(database_url, batch_size, now, home),
               receivers=lambda: receivers_due(delivery_store(settings.url), now),
               page=lambda receiver, limit, after: deliver_batch(
                   database_url, receiver, limit, now, home, after),
               page_size=page_size, route_batch=batch_size,
               waiting=lambda receiver: untried(delivery_store(settings.url), receiver))


def dispatch_all(database_url: str, now: datetime, batch_size: int = 1000,
                 home: str | None = None) -> int:
    """Deliver everything due; how many deliveries (message × receiver) went out."""
    return dispatch_run(database_url, now, batch_size, home)["delivered"]


@flow(name="dispatch", log_prints=True)
def dispatch(batch_size: int = 1000) -> dict[str, Any]:
    """Deliver undelivered task messages (CloudEvents) to the configured receivers.

    Deployed to run every minute. Each delivery is claimed (leased) before it is sent, so
    overlapping runs send each message once; each carries an idempotency key (its id); each
    task's messages go in creation order; a failed delivery is retried in later runs with
    exponential backoff and jitter until its deadline, then dead-lettered (`oversight
    deliveries`); a receiver failing many times in a row is paused and resumes by itself.
    The store is the one the environment names: never a parameter.
    """
    settings = Settings()
    totals = dispatch_run(settings.url, clock().now(), batch_size)
    for name, line in sorted(totals["receivers"].items()):
        _logger().info("%s: %s delivered, %s to retry, %s dead, %s held, %s not yet tried",
                       name, line["delivered"], line["failed"], line["dead"], line["held"],
                       line["untried"])
    return totals
