"""Correcting a record over HTTP: POST /v1/events/{id}/retract and /amend, with the roles that
post events, against uvicorn on loopback with a real httpx client.

The seeded store (tests/e2e/api_server.py) has tm1 supervising sw1, last session Mon 2 Feb 2026,
so the next was due Mon 2 Mar (4 weeks, surrey §4.1); the clock says Mon 2 Mar 09:00.
"""

from __future__ import annotations

from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    api_store,
    client,
    seeded,
    server,
    token,
)
from tests.integration.helpers import snapshot

HELD = {"type": "supervision_held", "supervisor": "tm1", "supervisee": "sw1"}


def _states(app: App) -> dict[str, tuple[str, str]]:
    """sw1's session tasks by due date: (task id, state)."""
    with app.engine.connect() as connection:
        rows = connection.execute(select(t.tasks.c.id, t.tasks.c.state, t.tasks.c.due).where(
            t.tasks.c.entity_id == "tm1:sw1", t.tasks.c.type == "personal_supervision"))
        return {due.isoformat(): (ident, state) for ident, state, due in rows}


def test_a_retracted_event_reopens_its_task_and_the_retraction_names_the_credential(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """A session posted for Fri 27 Feb, then retracted: the task due Mon 2 Mar is open again
    and the one it raised (due Fri 27 Mar, 27 Feb + 4 weeks) withdrawn; the log names the
    token's principal."""
    with client(server, token(seeded, "system", "lcs")) as http:
        posted = http.post("/v1/events", json={**HELD, "on": "2026-02-27", "event_id": "lcs-9"})
        assert posted.status_code == 201, posted.text
        assert _states(seeded)["2026-03-27"][1] == "open"
        retracted = http.post("/v1/events/lcs-9/retract", json={"reason": "wrong worker"})
    assert retracted.status_code == 200, retracted.text
    [entity] = retracted.json()["entities"]
    assert entity["entity"] == "relationship:tm1:sw1"
    states = _states(seeded)
    assert entity["reopened"] == [states["2026-03-02"][0]]
    assert entity["withdrawn"] == [states["2026-03-27"][0]]
    assert (states["2026-03-02"][1], states["2026-03-27"][1]) == ("open", "withdrawn")
    with seeded.engine.connect() as connection:
        by, reason = connection.execute(select(t.event_log.c.retracted_by,
                                               t.event_log.c.retract_reason).where(
            t.event_log.c.record_id == "lcs-9")).one()
    assert "lcs" in by and reason == "wrong worker"


def test_an_amendment_over_http_replaces_the_event_in_one_transaction(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """Posted for Fri 27 Feb, amended to Thu 26 Feb: the next session is due Thu 26 Mar."""
    with client(server, token(seeded, "system", "lcs")) as http:
        http.post("/v1/events", json={**HELD, "on": "2026-02-27", "event_id": "lcs-10"})
        amended = http.post("/v1/events/lcs-10/amend", json={
            "reason": "wrong date", "event": {**HELD, "on": "2026-02-26", "event_id": "lcs-11"}})
    assert amended.status_code == 200, amended.text
    open_ = sorted(due for due, (_, state) in _states(seeded).items() if state == "open")
    assert open_ == ["2026-03-26"]


def test_retracting_an_unknown_event_or_without_a_reason_or_as_a_reader_changes_nothing(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """Unknown id: 404 problem; no reason: 422; a worker's personal token: 403."""
    before = snapshot(seeded.engine)
    with client(server, token(seeded, "system", "lcs")) as http:
        unknown = http.post("/v1/events/nope/retract", json={"reason": "typo"})
        bare = http.post("/v1/events/nope/retract", json={})
    with client(server, token(seeded, "worker", "sw1")) as http:
        reader = http.post("/v1/events/nope/retract", json={"reason": "typo"})
    assert (unknown.status_code, bare.status_code, reader.status_code) == (404, 422, 403)
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert snapshot(seeded.engine) == before


def test_a_late_event_posted_is_applied_in_date_order_and_says_so(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """sw1's sessions Mon 2 Feb (seeded) and Fri 27 Feb, then one held Mon 16 Feb posted last:
    201, a re-derivation line, and the next session still due Fri 27 Mar (27 Feb + 4 weeks)."""
    with client(server, token(seeded, "system", "lcs")) as http:
        http.post("/v1/events", json={**HELD, "on": "2026-02-27"})
        late = http.post("/v1/events", json={**HELD, "on": "2026-02-16"})
    assert late.status_code == 201, late.text
    assert [line["trigger"] for line in late.json()["transitions"]][-1] == "rederive"
    assert sorted(due for due, (_, state) in _states(seeded).items() if state == "open") == [
        "2026-03-27"]
