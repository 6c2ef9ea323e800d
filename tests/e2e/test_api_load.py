"""A load test on loopback: 8 clients post 50 events each (and retry every tenth) concurrently to
``oversight api`` on the SQLite default. No event is lost, none is applied twice, and no
"database is locked" (nor any other server error) reaches a client. Bounded in count and time."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from oversight.adapters.store import tables as t
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.directory import StaffMember
from oversight.states.events.registry import parse_event
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    NOW,
    CliServer,
    make_store,
    token,
)

CLIENTS = 8
EVENTS = 50
RETRY_EVERY = 10
DEADLINE_SECONDS = 120


def _post_all(url: str, secret: str, worker: str, results: list[tuple[int, str]],
              stop_at: float) -> None:
    """One client: its worker's sessions on 50 consecutive days, each tenth one sent twice."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"},
                      timeout=60) as http:
        for k in range(EVENTS):
            if time.monotonic() > stop_at:
                results.append((0, "deadline passed"))
                return
            event = {"type": "supervision_held", "supervisor": "tm1", "supervisee": worker,
                     "on": (date(2026, 1, 6) + timedelta(days=k)).isoformat(),
                     "event_id": f"load-{worker}-{k}"}
            for _ in range(2 if k % RETRY_EVERY == RETRY_EVERY - 1 else 1):
                try:
                    answer = http.post("/v1/events", json=event)
                    results.append((answer.status_code, answer.text))
                except httpx.HTTPError as error:
                    results.append((0, f"{type(error).__name__}: {error}"))


def test_eight_clients_posting_concurrently_lose_nothing_and_apply_nothing_twice(
        tmp_path: Path) -> None:
    """400 events and 40 retries from 8 threads: 400 applied (201), 40 duplicates (200),
    nothing else; the store holds each event exactly once."""
    app = make_store(tmp_path)
    workers = [f"l{n}" for n in range(CLIENTS)]
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert(StaffMember(w, "qualified_social_worker", date(2021, 9, 1), "tm1",
                                     date(2020, 7, 1)) for w in workers)
        uow.commit()
    for worker in workers:
        app.service.record(parse_event({"type": "relationship_started", "on": "2026-01-05",
                                        "supervisor": "tm1", "supervisee": worker}), now=NOW)
    secret = token(app, "system", "load")
    results: dict[str, list[tuple[int, str]]] = {worker: [] for worker in workers}
    with CliServer(tmp_path) as served:
        stop_at = time.monotonic() + DEADLINE_SECONDS
        threads = [threading.Thread(target=_post_all, args=(served.url, secret, worker,
                                                            results[worker], stop_at))
                   for worker in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=DEADLINE_SECONDS + 30)
    answers = [answer for found in results.values() for answer in found]
    statuses = [status for status, _ in answers]
    assert not [body for _, body in answers if "locked" in body.lower()]
    assert statuses.count(201) == CLIENTS * EVENTS
    assert statuses.count(200) == CLIENTS * (EVENTS // RETRY_EVERY)
    assert len(statuses) == CLIENTS * (EVENTS + EVENTS // RETRY_EVERY)

    with app.engine.connect() as connection:
        claimed = connection.execute(select(func.count()).select_from(t.processed_events).where(
            t.processed_events.c.event_id.like("load-%"))).scalar_one()
        audited = connection.execute(select(t.audit.c.entity_id, t.audit.c.event_id).where(
            t.audit.c.event_id.like("load-%"))).all()
        supervision = connection.execute(select(t.tasks.c.entity_id, t.tasks.c.state,
                                                func.count()).where(
            t.tasks.c.type == "personal_supervision").group_by(
            t.tasks.c.entity_id, t.tasks.c.state)).all()
    assert claimed == CLIENTS * EVENTS
    assert len(audited) == len(set(audited)) == CLIENTS * EVENTS  # each once, none twice
    assert {entity for entity, _ in audited} == {f"tm1:{w}" for w in workers}
    # Each relationship: its first task and one per session, all closed but the last one.
    assert sorted(supervision) == sorted(
        [(f"tm1:{w}", "closed", EVENTS) for w in workers]
        + [(f"tm1:{w}", "open", 1) for w in workers])
    app.engine.dispose()
