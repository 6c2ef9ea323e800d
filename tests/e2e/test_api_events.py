"""Posting events over HTTP: one, a retry, a batch that is all or nothing, and refusals as
problem details — against uvicorn on loopback with a real httpx client."""

from __future__ import annotations

from sqlalchemy import func, select

from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    NOW,
    api_store,
    client,
    seeded,
    server,
    token,
)
from tests.integration.helpers import snapshot

PROBLEM = "application/problem+json"


def _count(app: App, table) -> int:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_posted_event_opens_the_relationships_tasks_and_a_retry_changes_nothing(
        api_store: App, server) -> None:  # type: ignore[no-untyped-def]
    """The first post applies the event (201); the same event id again is a 200 duplicate."""
    event = {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
             "supervisee": "sw1", "event_id": "lcs-0001"}
    with client(server, token(api_store, "system", "lcs")) as http:
        first = http.post("/v1/events", json=event)
        again = http.post("/v1/events", json=event)
    assert first.status_code == 201, first.text
    assert first.json()["applied"] is True and first.json()["tasks_opened"] == 2
    assert again.status_code == 200
    assert again.json() == {**again.json(), "applied": False, "duplicate": True}
    assert _count(api_store, t.processed_events) == 1
    with api_store.engine.connect() as connection:
        actors = connection.execute(select(t.audit.c.actor)).scalars().all()
    assert actors and set(actors) == {"system:lcs"}  # the credential records the event


def test_a_batch_with_one_refused_event_applies_none_and_names_the_refused_one(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """Three events where the third names no relationship: 409, and the store is unchanged."""
    batch = {"events": [
        {"type": "supervision_held", "on": "2026-03-02", "supervisor": "tm1", "supervisee": "sw1"},
        {"type": "assessment_completed", "on": "2026-03-02", "child": "c1"},
        {"type": "agreement_signed", "on": "2026-03-02", "supervisor": "tm2", "supervisee": "sw1"},
    ]}
    before = snapshot(seeded.engine)
    with client(server, token(seeded, "system")) as http:
        refused = http.post("/v1/events/batch", json=batch)
        unchanged = snapshot(seeded.engine) == before
        applied = http.post("/v1/events/batch", json={"events": batch["events"][:2]})
    assert refused.status_code == 409
    assert refused.headers["content-type"] == PROBLEM
    body = refused.json()
    assert body["type"].endswith("batch-rejected") and body["status"] == 409
    assert [error["index"] for error in body["errors"]] == [2]
    assert "tm2:sw1" in body["errors"][0]["detail"]
    assert unchanged
    assert applied.status_code == 200 and applied.json()["applied"] == 2


def test_a_dry_run_batch_reports_what_it_would_do_and_keeps_nothing(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """``dry_run`` applies the batch in a transaction that is rolled back."""
    before = snapshot(seeded.engine)
    with client(server, token(seeded, "admin")) as http:
        answer = http.post("/v1/events/batch", json={"dry_run": True, "events": [
            {"type": "supervision_held", "on": "2026-03-02", "supervisor": "tm2",
             "supervisee": "sw3"}]})
    assert answer.status_code == 200 and answer.json()["tasks_opened"] >= 1
    assert answer.json()["dry_run"] is True
    assert snapshot(seeded.engine) == before


def test_malformed_and_refused_events_are_problem_details_with_the_reason(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """Unknown type and missing field are 422; an unknown person and a state refusal, which
    the store's state decides, are 409."""
    with client(server, token(seeded, "system")) as http:
        unknown_type = http.post("/v1/events", json={"type": "supervison_held", "on": "2026-03-02"})
        missing = http.post("/v1/events", json={"type": "supervision_held", "on": "2026-03-02",
                                                "supervisor": "tm1"})
        unknown_person = http.post("/v1/events", json={
            "type": "relationship_started", "on": "2026-03-02", "supervisor": "tm1",
            "supervisee": "nobody"})
        refused = http.post("/v1/events", json={
            "type": "relationship_started", "on": "2026-03-02", "supervisor": "tm1",
            "supervisee": "sw1"})
    for answer, status in ((unknown_type, 422), (missing, 422), (unknown_person, 409),
                           (refused, 409)):
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == PROBLEM
        assert {"type", "title", "status", "detail"} <= set(answer.json())
    assert "supervisee" in missing.json()["detail"]
    assert "nobody" in unknown_person.json()["detail"]
    assert "already exists" in refused.json()["detail"]


def test_requests_without_a_live_token_are_refused_with_401(
        api_store: App, server) -> None:  # type: ignore[no-untyped-def]
    """No token, an unknown one and a revoked one: 401 with a Bearer challenge."""
    secret = token(api_store, "system")
    with api_store.engine.begin() as connection:
        from oversight.adapters.store import inbound

        record = inbound.token_for(connection, secret, now=NOW)
        assert record is not None
        inbound.revoke_token(connection, record.id, now=NOW)
    event = {"type": "supervision_held", "on": "2026-03-02", "supervisor": "tm1",
             "supervisee": "sw1"}
    for secret_sent in (None, "ovt_not-a-token", secret):
        with client(server, secret_sent) as http:
            answer = http.post("/v1/events", json=event)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.headers["content-type"] == PROBLEM


def test_the_health_endpoint_answers_without_a_token(server) -> None:  # type: ignore[no-untyped-def]
    """``/v1/health`` is for probes: no token, and it names the policy."""
    with client(server) as http:
        answer = http.get("/v1/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "policy": "surrey", "policy_version": "2024-12",
                             "deliveries": {"dead": 0, "paused": []}}


def test_the_health_endpoint_is_503_when_the_store_is_behind_the_code(  # type: ignore[no-untyped-def]
        server, api_store: App) -> None:
    """The store's recorded revision set back to 0009 (the code's newest is 0011) while the
    server runs: the one readiness check fails, a 503 ``store-not-ready`` problem that names
    no URL; put back to 0011, the probe is 200 again."""
    from sqlalchemy import text

    with api_store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    with client(server) as http:
        behind = http.get("/v1/health")
    assert behind.status_code == 503
    assert behind.headers["content-type"] == PROBLEM
    assert behind.json()["type"].endswith("store-not-ready")
    assert "sqlite" not in behind.json()["detail"]
    with api_store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0011'"))
    with client(server) as http:
        assert http.get("/v1/health").status_code == 200
