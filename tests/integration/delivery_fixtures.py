"""Fixtures and helpers of the delivery tests (imported by each ``test_delivery_*`` module).

A dispatch run here is :func:`oversight.workflows.delivery.dispatch.dispatch`: the code the
``dispatch`` flow's tasks run, called without Prefect, with the run's ``now`` given so a test
can move time on between runs instead of sleeping.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from oversight.adapters.delivery.receivers import build_deliverers
from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from oversight.workflows.delivery.dispatch import Backoff, dispatch
from oversight.workflows.reads.receivers import close_all
from oversight.workflows.settings import Settings
from tests.integration import team
from tests.integration.delivery_servers import MailServer, WebhookReceiver
from tests.integration.helpers import sweep

SECRET = "whsec_" + base64.b64encode(b"a-long-random-webhook-secret-32b").decode()
"""The endpoint's secret in the Standard Webhooks form."""
OTHER_SECRET = "whsec_" + base64.b64encode(b"another-endpoint-secret-32-bytes").decode()
T0 = team.NOW + timedelta(minutes=1)
"""The first dispatch: a minute after the steps that wrote the messages."""


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A signature-checking webhook receiver on loopback."""
    server = WebhookReceiver(secret=SECRET)
    yield server
    server.stop()


@pytest.fixture
def mail_server(tmp_path: Path) -> Iterator[MailServer]:
    server = MailServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def busy(seeded: App) -> App:
    """The seeded store after a sweep into May: opened, closed, breached and escalated tasks."""
    sweep(seeded, as_of=date(2026, 5, 31))
    return seeded


def configured(app: App, **settings: Any) -> Settings:
    """The app's store and home with these delivery settings (receivers, routes, delivery)."""
    return Settings(home=app.settings.home, database_url=app.settings.url, **settings)


def webhook(receiver: WebhookReceiver, **extra: Any) -> dict[str, Any]:
    return {"adapter": "webhook", "url": receiver.url, "secret": SECRET, **extra}


def run_dispatch(app: App, settings: Settings, now: datetime, *, batch_size: int = 500,
                 seed: int = 5) -> dict[str, Any]:
    """One dispatch run at ``now`` with the adapters the settings configure."""
    deliverers = build_deliverers(settings, run_at=now)
    try:
        return dispatch(app.deliveries, deliverers=deliverers, routing=settings.routing(),
                        backoff=Backoff.from_policy(settings.delivery, random.Random(seed)),
                        now=now, batch_size=batch_size,
                        file_batch_size=settings.delivery.file_batch_size)
    finally:
        close_all(deliverers)


def outbox(app: App) -> list[dict[str, Any]]:
    """Every outbox row in creation order."""
    with app.engine.connect() as connection:
        return [dict(row) for row in connection.execute(
            select(t.outbox).order_by(t.outbox.c.seq)).mappings()]


def deliveries(app: App) -> list[dict[str, Any]]:
    with app.engine.connect() as connection:
        return [dict(row) for row in connection.execute(
            select(t.deliveries).order_by(t.deliveries.c.seq, t.deliveries.c.receiver)).mappings()]


def in_task_order(events: list[dict[str, Any]], rows: list[dict[str, Any]]) -> bool:
    """Whether each task's events arrived in the order the store created them."""
    position = {row["id"]: row["seq"] for row in rows}
    last: dict[str, int] = {}
    for event in events:
        task, seq = event["subject"], position[event["id"]]
        if seq < last.get(task, 0):
            return False
        last[task] = seq
    return True


def settings_file(folder: Path, **settings: Any) -> Path:
    """A YAML settings file, as an operator writes one (secrets may go in it or the env)."""
    import yaml

    path = folder / "settings.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return path


def surrey_citation(rule: dict[str, Any]) -> str:
    """How a person should read the rule of a Surrey message, written out here rather than by
    the product's formatter: Surrey's own section, or the national text the policy adopts
    (the ASYE framework's reviews are adopted by Surrey §5.2)."""
    if not rule.get("source"):
        return f"surrey §{rule['section']}"
    adopted = (f"adopted by surrey §{rule['adopted_by']}" if rule.get("adopted_by")
               else "applied by surrey")
    return f"{rule['source']} {rule['section']} ({adopted})"
