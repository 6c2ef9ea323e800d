"""Chat notifications through apprise, to its generic ``json://`` service on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from oversight.workflows.bootstrap import App
from tests.integration.delivery_fixtures import (
    T0,
    configured,
    deliveries,
    outbox,
    run_dispatch,
    surrey_citation,
)
from tests.integration.delivery_servers import JsonCollector, free_port


@pytest.fixture
def chat() -> Iterator[JsonCollector]:
    server = JsonCollector()
    yield server
    server.stop()


def test_each_escalation_is_posted_through_apprise_with_its_due_date_and_link(
        busy: App, chat: JsonCollector) -> None:
    """One notification per escalated task: the title says what and when, the body the rule,
    the link and the event id."""
    settings = configured(busy, receivers={"team_chat": {"adapter": "chat",
                                                         "url": chat.apprise_url}},
                          routes={"*": [{"changes": ["escalated"], "receivers": ["team_chat"]}]})
    escalated = [row for row in outbox(busy) if row["type"].endswith(".escalated")]
    totals = run_dispatch(busy, settings, T0)
    assert totals["delivered"] == len(escalated) == len(chat.posts) > 0
    for row, post in zip(escalated, chat.posts, strict=True):
        data = row["message"]["data"]
        assert post["title"] == (f"Task escalated: {data['task_type'].replace('_', ' ')}, "
                                 f"due {data['due']}")
        assert data["link"] in post["message"] and row["id"] in post["message"]
        assert surrey_citation(data["rule"]) in post["message"]


def test_a_chat_service_that_cannot_be_reached_is_retried_like_any_receiver(busy: App) -> None:
    """Apprise reports the failures; after five in a row the receiver is paused, the five
    deliveries wait for their next attempt with the reason, and a run an hour later tries
    once (the pause is over) and pauses it again."""
    settings = configured(busy, receivers={"team_chat": {
        "adapter": "chat", "url": f"json://127.0.0.1:{free_port()}/notify"}})
    totals = run_dispatch(busy, settings, T0)
    assert (totals["delivered"], totals["failed"]) == (0, 5)
    waiting = [d for d in deliveries(busy) if d["attempts"]]
    assert len(waiting) == 5
    assert all(d["last_error"].startswith("JSON: apprise could not notify") for d in waiting)
    assert all(d["next_attempt_at"] is not None for d in waiting)
    later = run_dispatch(busy, settings, T0 + timedelta(hours=1))
    assert later["failed"] == 1
