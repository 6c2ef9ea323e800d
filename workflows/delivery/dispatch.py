"""Delivering the outbox: once per receiver, in creation order per task, retried until a deadline.

A dispatch run (the ``dispatch`` flow every minute, or :func:`dispatch` without Prefect):

1. **Routes** new outbox messages: one pending delivery per receiver their route names.
2. **Claims** each receiver's due deliveries a page at a time, in creation order (``seq``): a
   lease with an owner and an expiry, taken through the deliveries port
   (:mod:`oversight.workflows.ports.deliveries`), so any number of overlapping runs and workers
   send each message once, and a crashed run's in-flight messages go again, under the same id,
   once its leases run out.
3. **Sends** the page (:mod:`oversight.workflows.delivery.sending`): held behind an earlier pending
   message of the same task, never behind a dead one; a failure holds back only its own task;
   a receiver failing many times in a row is paused (its circuit opens) and tried again by a
   later run by itself. A delivery failing past its deadline (48 hours after it first fell
   due, by default) is a dead letter, loud: an ERROR in the run's log, ``oversight
   deliveries``, and a degraded ``/v1/health``.
4. **Records** outcomes over its own leases only, every ``RECORD_EVERY`` sends.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from oversight.workflows.delivery.attempts import Backoff, Page
from oversight.workflows.delivery.sending import RECORD_EVERY, Sender, describe
from oversight.workflows.delivery.settings import Routing
from oversight.workflows.ports.deliveries import (
    BatchDeliverer,
    Deliverer,
    DeliveryStore,
    DeliveryUnit,
    Outcome,
)

__all__ = ["RECORD_EVERY", "Backoff", "Page", "describe", "dispatch", "deliver_page",
           "run"]

BATCH_ADAPTERS = ("files", "jsonl")
"""Adapters that take a run's messages in one call (a file), not one message at a time."""
LOG = logging.getLogger("oversight.dispatch")


def run_clock(now: datetime) -> Callable[[], datetime]:
    """The run's instant moved on by the time the run has taken (leases on a virtual clock)."""
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)


def route_messages(store: DeliveryStore, routing: Routing, now: datetime, limit: int) -> int:
    """Fan up to ``limit`` new messages out to their receivers; how many messages."""
    with store() as uow:
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


def receivers_due(store: DeliveryStore, now: datetime) -> list[str]:
    with store() as uow:
        return uow.deliveries.receivers_due(now)


def untried(store: DeliveryStore, receiver: str) -> int:
    with store() as uow:
        return uow.deliveries.untried(receiver)


def deliver_page(store: DeliveryStore, receiver: str, deliverer: Deliverer | None,
                 backoff: Backoff, now: datetime, limit: int, after: int = 0,
                 clock: Callable[[], datetime] | None = None) -> Page:
    """Claim one page of ``receiver``'s due deliveries after ``seq`` ``after``, send it, and
    record the outcomes. ``clock`` reads the time leases are taken and checked at."""
    clock = clock or run_clock(now)
    owner = uuid.uuid4().hex
    page = Page(receiver, last_seq=after)
    with store() as uow:
        circuit = uow.deliveries.circuits.get(receiver)
        if circuit.paused_at(clock()):
            page.down, page.paused_until = circuit.last_error or "paused", circuit.open_until
            page.dead += _expire(uow, receiver, backoff, now, clock(), circuit.last_error)
            uow.commit()
            return page
        rows = uow.deliveries.claim(receiver, owner=owner, now=now, at=clock(),
                                    expires=clock() + backoff.lease, limit=limit, after=after)
        chains = uow.deliveries.undelivered(
            receiver, {row["task_id"] for row in rows}, rows[-1]["seq"]) if rows else {}
        uow.commit()
    page.seen, page.last_seq = len(rows), rows[-1]["seq"] if rows else after
    if not rows:
        return page

    def record(outcomes: list[Outcome]) -> None:
        """After the sends: a crash before this commit sends them again, leases run out."""
        with store() as uow:
            uow.deliveries.record(outcomes, now, owner)
            uow.deliveries.renew(owner, clock() + backoff.lease)
            uow.commit()

    after_page = Sender(receiver, deliverer, backoff, now, chains, page, record, circuit,
                        clock, backoff.lease / 3, check=store.check_payload).send(rows)
    with store() as uow:
        uow.deliveries.circuits.put(after_page, clock())
        if page.down is not None:
            page.paused_until = after_page.open_until
            page.dead += _expire(uow, receiver, backoff, now, clock(), page.down)
        uow.commit()
    return page


def log_dead_letters(log: logging.Logger | logging.LoggerAdapter, page: dict[str, Any],
                     *, each: int = 10) -> None:
    """The page's dead letters as ERRORs: the first ``each`` one a line, then how many more
    (a receiver down past the deadline can make thousands at once)."""
    dead, receiver = page["dead_letters"], page["receiver"]
    for message_id, reason in dead[:each]:
        log.error("dead letter: message %s to %s: %s", message_id, receiver, reason)
    if len(dead) > each:
        log.error("dead letters: %s more to %s (`oversight deliveries --status dead` lists "
                  "them)", len(dead) - each, receiver)
    if page["dead"] > len(dead):
        log.error("dead letters: %s to %s, not sent before their deadline while it was "
                  "paused", page["dead"] - len(dead), receiver)


def _expire(uow: DeliveryUnit, receiver: str, backoff: Backoff, now: datetime,
            at: datetime, reason: str | None) -> int:
    """A paused receiver's deliveries past their deadline: dead letters, without a send."""
    return uow.deliveries.expire(receiver, cutoff=now - backoff.deadline, at=at,
                                 reason=f"not sent: {receiver} is paused ({reason})")


PageStep = Callable[[str, int, int], dict[str, Any]]
COUNTS = ("delivered", "failed", "dead", "held", "skipped")


def run(*, route: Callable[[], int], receivers: Callable[[], list[str]], page: PageStep,
        page_size: Callable[[str], int], route_batch: int,
        waiting: Callable[[str], int] | None = None) -> dict[str, Any]:
    """One dispatch run from its steps (plain calls here, Prefect tasks in the flow).

    Per receiver: delivered, failed (to retry), dead, held, skipped (claimed while paused)
    and, after the run, ``untried``: its pending deliveries never tried yet."""
    totals: dict[str, Any] = {"routed": 0, **{key: 0 for key in COUNTS}, "untried": 0,
                              "receivers": {}}
    while True:
        routed = route()
        totals["routed"] += routed
        if routed < route_batch:
            break
    for receiver in receivers():
        size, after = page_size(receiver), 0
        line = totals["receivers"].setdefault(
            receiver, {**{key: 0 for key in COUNTS}, "untried": 0, "error": None,
                       "paused_until": None})
        while True:
            result = page(receiver, size, after)
            for key in COUNTS:
                line[key] += result[key]
                totals[key] += result[key]
            line["error"] = result["down"] or result["error"] or line["error"]
            line["paused_until"] = result["paused_until"] or line["paused_until"]
            if result["down"] or result["seen"] < size:
                break
            after = result["last_seq"]
        if waiting is not None:
            line["untried"] = waiting(receiver)
            totals["untried"] += line["untried"]
    return totals


def dispatch(store: DeliveryStore, *, deliverers: Mapping[str, Deliverer], routing: Routing,
             backoff: Backoff, now: datetime, batch_size: int = 500,
             file_batch_size: int = 100_000) -> dict[str, Any]:
    """A whole dispatch run without Prefect (tests, the bench, ``deliveries retry``)."""
    clock = run_clock(now)

    def size(receiver: str) -> int:
        return file_batch_size if isinstance(deliverers.get(receiver), BatchDeliverer) \
            else batch_size

    return run(route=lambda: route_messages(store, routing, now, batch_size),
               receivers=lambda: receivers_due(store, now),
               page=lambda receiver, limit, after: _logged(deliver_page(
                   store, receiver, deliverers.get(receiver), backoff, now, limit,
                   after, clock).to_json()),
               page_size=size, route_batch=batch_size,
               waiting=lambda receiver: untried(store, receiver))


def _logged(page: dict[str, Any]) -> dict[str, Any]:
    log_dead_letters(LOG, page)
    return page
