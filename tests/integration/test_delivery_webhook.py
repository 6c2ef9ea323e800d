"""Webhook delivery to a real HTTP receiver on loopback: signed, once each, in order."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.delivery_fixtures import (
    SECRET,
    T0,
    configured,
    deliveries,
    in_task_order,
    outbox,
    run_dispatch,
    webhook,
)
from tests.integration.delivery_servers import WebhookReceiver
from oversight.workflows.bootstrap import App


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
    assert [event for event in receiver.events()] == [row["message"] for row in rows]
    assert {row["status"] for row in outbox(busy)} == {"delivered"}
    assert {(d["status"], d["attempts"]) for d in deliveries(busy)} == {("delivered", 1)}

    again = run_dispatch(busy, settings, T0 + timedelta(minutes=1))
    assert (again["routed"], again["delivered"]) == (0, 0)
    assert receiver.requests == len(rows)


def test_a_tasks_opened_message_always_reaches_the_receiver_before_its_closed_one(
        busy: App, receiver: WebhookReceiver) -> None:
    """The opened message of a task that was opened and closed in one step's batch is refused
    once: while it waits for its retry the closed one is held, the other tasks' go on."""
    settings = configured(busy, receivers={"mosaic": webhook(receiver)})
    rows = outbox(busy)
    closed = next(row for row in rows if row["type"].endswith(".closed"))
    opened = next(row for row in rows if row["task_id"] == closed["task_id"]
                  and row["type"].endswith(".opened"))
    receiver.fail_ids = {opened["id"]}

    first = run_dispatch(busy, settings, T0)  # stops at the refusal: one timeout per run at most
    assert first["failed"] == 1 and first["delivered"] == rows.index(opened)
    second = run_dispatch(busy, settings, T0 + timedelta(seconds=1))  # before its retry is due
    assert second["held"] >= 1
    arrived = {event["id"] for event in receiver.events()}
    assert opened["id"] not in arrived and closed["id"] not in arrived
    assert len(arrived) > len(rows) // 2
    third = run_dispatch(busy, settings, T0 + timedelta(hours=1))

    assert first["delivered"] + second["delivered"] + third["delivered"] == len(rows)
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
    other = WebhookReceiver(secret=b"not-" + SECRET.encode())
    try:
        settings = configured(busy, receivers={"mosaic": webhook(other)})
        totals = run_dispatch(busy, settings, T0)
        assert totals["delivered"] == 0 and totals["failed"] == 1
        assert other.refused == ["signature does not match"]
        [failing] = [d for d in deliveries(busy) if d["last_error"]]
        assert failing["last_error"] == f"127.0.0.1:{other.port}: HTTP 401 Unauthorized"
    finally:
        other.stop()
