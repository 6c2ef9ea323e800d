"""A token the API process has seen live is taken from its memory on ``POST /v1/events`` and
``/v1/events/batch`` (adapters/api/auth.py: event_poster), and the events' writer checks the
tokens of each group in the store before it writes it: a token revoked by another connection
stops working at the very next request, and what it posted then is not written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from oversight.adapters.store import inbound
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    NOW,
    ApiServer,
    api_store,
    client,
    seeded,
    token,
)


def _revoke(app: App, secret: str) -> None:
    with app.engine.begin() as connection:
        record = inbound.token_for(connection, secret, now=NOW, touch=False)
        assert record is not None
        assert inbound.revoke_token(connection, record.id, now=NOW)


def _held(app: App, event_id: str) -> int:
    path = Path(app.settings.database_url.removeprefix("sqlite:///"))
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return int(connection.execute("SELECT count(*) FROM processed_events WHERE event_id = ?",
                                      (event_id,)).fetchone()[0])


def _session(day: str, event_id: str) -> dict[str, str]:
    return {"type": "supervision_held", "on": day, "supervisor": "tm1", "supervisee": "sw1",
            "event_id": event_id}


def test_a_token_revoked_after_its_first_posts_is_refused_at_the_next_and_nothing_is_written(
        seeded: App) -> None:
    """Two sessions (Mon 16 and Tue 17 Feb 2026) posted with a token are 201s; revoked in the
    store by another connection, its third post (Wed 18 Feb) is a 401 with a Bearer challenge
    and its event is not held."""
    secret = token(seeded, "system", "memo")
    with ApiServer(seeded) as served, client(served, secret) as http:
        first = http.post("/v1/events", json=_session("2026-02-16", "memo-1"))
        second = http.post("/v1/events", json=_session("2026-02-17", "memo-2"))
        assert served.server.config.app.state.known_tokens  # remembered after the first
        _revoke(seeded, secret)
        third = http.post("/v1/events", json=_session("2026-02-18", "memo-3"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert third.status_code == 401
    assert third.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert third.json()["detail"] == "The token is unknown, expired or revoked."
    assert (_held(seeded, "memo-1"), _held(seeded, "memo-2"), _held(seeded, "memo-3")) == (1, 1, 0)


def test_a_batch_posted_with_a_token_revoked_since_its_last_post_is_refused_whole(
        seeded: App) -> None:
    """A batch of one session (Mon 16 Feb) applies; after the token is revoked, a batch of two
    (Tue 17 and Wed 18 Feb) is a 401 and neither event is held."""
    secret = token(seeded, "system", "memo")
    with ApiServer(seeded) as served, client(served, secret) as http:
        first = http.post("/v1/events/batch",
                          json={"events": [_session("2026-02-16", "memo-b1")]})
        _revoke(seeded, secret)
        second = http.post("/v1/events/batch", json={"events": [
            _session("2026-02-17", "memo-b2"), _session("2026-02-18", "memo-b3")]})
    assert (first.status_code, first.json()["applied"]) == (200, 1)
    assert second.status_code == 401
    assert (_held(seeded, "memo-b2"), _held(seeded, "memo-b3")) == (0, 0)
