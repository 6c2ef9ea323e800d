"""Webhook delivery to a real HTTP receiver on loopback: signed per Standard Webhooks 1.0
(every request verified with the ``standardwebhooks`` package), once each, in order."""

from __future__ import annotations

from datetime import timedelta

from oversight.workflows.bootstrap import App
from tests.integration.delivery_fixtures import (
    OTHER_SECRET,
    T0,
    configured,
    deliveries,
    in_task_order,
    outbox,
    run_dispatch,
    webhook,
)
from tests.integration.delivery_servers import WebhookReceiver


def test_every_task_message_reaches_the_webhook_once_signed_and_in_creation_order(
        busy: App, receiver: WebhookReceiver) -> None:
    """Each message arrives once with a valid signature and its id as the idempotency key,
    in the order the store created them; a second run sends nothing."""
    settings = configured(busy, receivers={"mosaic": webhook(receiver)})
    rows = outbox(busy)
    assert len(rows) > 100 and {row["type"].rsplit(".", 1)[-1] for row in rows} >= {
        "opened", "closed", "breached", "escalated"}

    totals = run_dispatch(busy, settings, T0)

    assert (totals["routed"], totals["delivered"], totals["failed"], totals["dead"]) == \
        (len(rows), len(rows), 0, 0)
    assert receiver.refused == []
    assert all(arrival.signed for arrival in receiver.accepted)
    assert set(receiver.keys().values()) == {1}
    assert [event["id"] for event in receiver.events()] == [row["id"] for row in rows]
    # Each event is the stored one with its place in the order: its sequence and the seq of
    # the task's previous message (none for a task's first).
    previous: dict[str, int] = {}
    expected = []
    for row in rows:
        event = {**row["message"], "sequence": str(row["seq"])}
        if row["task_id"] in previous:
            event["data"] = {**event["data"], "follows": str(previous[row["task_id"]])}
        previous[row["task_id"]] = row["seq"]
        expected.append(event)
    assert receiver.events() == expected
    assert {row["status"] for row in outbox(busy)} == {"delivered"}
    assert {(d["status"], d["attempts"]) for d in deliveries(busy)} == {("delivered", 1)}

    again = run_dispatch(busy, settings, T0 + timedelta(minutes=1))
    assert (again["routed"], again["delivered"]) == (0, 0)
    assert receiver.requests == len(rows)


def test_a_tasks_opened_message_always_reaches_the_receiver_before_its_closed_one(
        busy: App, receiver: WebhookReceiver) -> None:
    """The opened message of a task that was opened and closed in one step's batch is refused
    once: the run goes on with the other tasks, holding only that task's closed message;
    the next run past the retry sends both, opened first."""
    settings = configured(busy, receivers={"mosaic": webhook(receiver)})
    rows = outbox(busy)
    closed = next(row for row in rows if row["type"].endswith(".closed"))
    opened = next(row for row in rows if row["task_id"] == closed["task_id"]
                  and row["type"].endswith(".opened"))
    later = [row for row in rows if row["task_id"] == closed["task_id"]
             and row["seq"] > opened["seq"]]

    receiver.fail_ids = {opened["id"]}
    assert later and closed in later

    first = run_dispatch(busy, settings, T0)  # a failure holds back only its own task
    assert (first["delivered"], first["failed"], first["held"]) == (
        len(rows) - 1 - len(later), 1, len(later))
    arrived = {event["id"] for event in receiver.events()}
    assert arrived == {row["id"] for row in rows} - {opened["id"]} - {row["id"] for row in later}
    second = run_dispatch(busy, settings, T0 + timedelta(seconds=1))  # before its retry is due
    assert (second["delivered"], second["held"]) == (0, len(later))
    third = run_dispatch(busy, settings, T0 + timedelta(hours=1))
    assert (third["delivered"], third["held"], third["failed"]) == (1 + len(later), 0, 0)

    events = receiver.events()
    assert {event["id"] for event in events} == {row["id"] for row in rows}
    assert in_task_order(events, rows)
    order = [event["id"] for event in events]
    assert order.index(opened["id"]) < order.index(closed["id"])
    assert set(receiver.keys().values()) == {1}


def test_a_receiver_that_is_not_signed_for_gets_no_signature_headers(busy: App) -> None:
    """With ``signed: false`` the request carries the idempotency key but no signature."""
    plain = WebhookReceiver(secret=None)
    try:
        settings = configured(busy, receivers={"local": {"adapter": "webhook", "url": plain.url,
                                                         "signed": False}})
        totals = run_dispatch(busy, settings, T0)
        assert totals["delivered"] == len(outbox(busy)) and plain.refused == []
    finally:
        plain.stop()


def test_the_secret_is_the_one_the_receiver_checks_against(busy: App) -> None:
    """A receiver holding another secret refuses every message: none is marked delivered."""
    other = WebhookReceiver(secret=OTHER_SECRET)
    try:
        settings = configured(busy, receivers={"mosaic": webhook(other)})
        totals = run_dispatch(busy, settings, T0)
        # Five refusals in a row pause the receiver (its circuit opens) for the run.
        assert (totals["delivered"], totals["failed"]) == (0, 5)
        assert other.refused == ["No matching signature found"] * 5
        failing = [d for d in deliveries(busy) if d["last_error"] and d["attempts"]]
        assert {d["last_error"] for d in failing} == {
            f"127.0.0.1:{other.port}: HTTP 401 Unauthorized"}
        assert totals["receivers"]["mosaic"]["paused_until"] is not None
    finally:
        other.stop()
