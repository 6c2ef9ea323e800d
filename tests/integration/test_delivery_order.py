"""Creation order: ``seq`` numbers the outbox as it is written, and delivery follows it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text

from oversight.adapters.store.database import alembic_config, make_engine, upgrade
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.workflows.bootstrap import App
from tests.integration import team
from tests.integration.databases import PostgresStores, SqliteStores
from tests.integration.delivery_fixtures import (
    T0,
    configured,
    outbox,
    run_dispatch,
    webhook,
)
from tests.integration.delivery_servers import WebhookReceiver


def test_each_tasks_messages_are_numbered_in_the_order_the_steps_wrote_them(busy: App) -> None:
    """Every message of a step shares its instant and has a random id; ``seq`` still puts each
    task's opened message before its closed, breached or escalated one, where the old order
    (instant, then id) did not."""
    rows = outbox(busy)
    assert [row["seq"] for row in rows] == list(range(1, len(rows) + 1)) or \
        busy.engine.dialect.name == "postgresql"  # an identity may skip numbers; never reorder
    assert len({row["created_at"] for row in rows}) == 1
    first_change: dict[str, str] = {}
    for row in rows:
        first_change.setdefault(row["task_id"], row["type"].rsplit(".", 1)[-1])
    assert set(first_change.values()) == {"opened"}

    by_instant_then_id = sorted(rows, key=lambda row: (row["created_at"], row["id"]))
    old_first: dict[str, str] = {}
    for row in by_instant_then_id:
        old_first.setdefault(row["task_id"], row["type"].rsplit(".", 1)[-1])
    assert set(old_first.values()) != {"opened"}  # the fault the sequence fixes

    with SqlUnitOfWork(busy.engine) as uow:
        pending = uow.outbox.pending(team.NOW, limit=10_000)
    assert [message["id"] for message in pending] == [row["id"] for row in rows]


def test_a_store_made_before_deliveries_were_tracked_numbers_its_messages_on_upgrade(
        stores: SqliteStores | PostgresStores) -> None:
    """Upgrading from revision 0001: existing messages are numbered by instant then id, those
    already delivered stay delivered, the undelivered ones are routed by the next dispatch."""
    engine = make_engine(stores.url("old"))
    command.upgrade(alembic_config(engine), "0001")
    now = datetime(2026, 3, 2, 6, tzinfo=UTC)
    old = [("b", now, "delivered"), ("a", now, "pending"), ("c", now - timedelta(hours=1),
                                                                "delivered")]
    with engine.begin() as connection:
        for ident, created, status in old:
            message = {"specversion": "1.0", "id": ident, "source": "/oversight/surrey",
                       "type": "uk.oversight.task.opened", "subject": f"t-{ident}"}
            connection.execute(text(
                "INSERT INTO outbox (id, task_id, type, message, created_at, status, attempts, "
                "next_attempt_at, delivered_at) VALUES (:id, :task, :type, :message, :created, "
                ":status, 0, :created, :delivered)"),
                {"id": ident, "task": f"t-{ident}", "type": message["type"],
                 "message": json.dumps(message), "created": created, "status": status,
                 "delivered": created if status == "delivered" else None})
    upgrade(engine)
    with engine.connect() as connection:
        found = connection.execute(text(
            "SELECT id, seq, status, routed_at IS NOT NULL FROM outbox ORDER BY seq")).all()
    assert [tuple(row) for row in found] == [("c", 1, "delivered", True),
                                             ("a", 2, "pending", False),
                                             ("b", 3, "delivered", True)]
    with SqlUnitOfWork(engine) as uow:
        assert [row["id"] for row in uow.deliveries.unrouted(10)] == ["a"]
        uow.outbox.add([{"id": "d", "task_id": "t-d", "type": "uk.oversight.task.opened",
                         "message": {}, "created_at": now, "status": "pending", "attempts": 0,
                         "next_attempt_at": now}])
        uow.commit()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT seq FROM outbox WHERE id = 'd'")).scalar() == 4
    engine.dispose()


def test_deliveries_follow_the_sequence_whatever_the_pages(
        busy: App, receiver: WebhookReceiver) -> None:
    """Pages of seven: the receiver's deliveries still go out in ``seq`` order."""
    settings = configured(busy, receivers={"mosaic": webhook(receiver)})
    totals = run_dispatch(busy, settings, T0, batch_size=7)
    rows = outbox(busy)
    assert totals["delivered"] == len(rows)
    assert [event["id"] for event in receiver.events()] == [row["id"] for row in rows]
