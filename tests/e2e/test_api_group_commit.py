"""Events posted concurrently to the API (uvicorn on loopback, real SQLite, real httpx clients)
go through its one writer, which commits what is queued together: they leave exactly the rows
``service.record`` leaves when the same events are recorded one by one, and each answer comes
only after the commit of its event (another connection already reads it).

Each client posts for its own supervisees, one request at a time, as a receiving system does;
the order of one entity's events is so the same on both sides, and only the interleaving of
different entities' events differs, which ``store_snapshot`` does not see.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from oversight.adapters.api.group_commit import GroupCommit
from oversight.states.directory import StaffMember
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    NOW,
    ApiServer,
    make_store,
    token,
)
from tests.integration.store_snapshot import first_difference, snapshot

CLIENTS = 4
SESSIONS = 12
ACTOR = "system:grp"
"""What the audit names for the token of person "grp" (workflows/reads/access.py: principal)."""


def _store(folder: Path) -> App:
    """The API tests' two teams, plus g0… under tm1, each in a relationship since Mon 5 Jan."""
    folder.mkdir()
    app = make_store(folder)
    workers = [f"g{n}" for n in range(CLIENTS)]
    app.service.upsert_staff(StaffMember(w, "qualified_social_worker", date(2021, 9, 1), "tm1",
                                         date(2020, 7, 1)) for w in workers)
    for worker in workers:
        app.service.record(parse_event({"type": "relationship_started", "on": "2026-01-05",
                                        "supervisor": "tm1", "supervisee": worker}), now=NOW)
    return app


def _sessions(worker: str) -> list[dict[str, Any]]:
    """``worker``'s sessions on SESSIONS consecutive days from Tue 6 Jan 2026, each with an id."""
    return [{"type": "supervision_held", "supervisor": "tm1", "supervisee": worker,
             "on": (date(2026, 1, 6) + timedelta(days=k)).isoformat(),
             "event_id": f"grp-{worker}-{k}"} for k in range(SESSIONS)]


def _path(app: App) -> Path:
    return Path(app.settings.database_url.removeprefix("sqlite:///"))


def _held(path: Path, event_id: str) -> bool:
    """Whether another connection, opened now, reads ``event_id`` as applied."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT count(*) FROM processed_events WHERE event_id = ?",
                                  (event_id,)).fetchone()[0] == 1


def _one_by_one(app: App, raws: list[dict[str, Any]]) -> None:
    for raw in raws:
        app.service.record(parse_event(raw).model_copy(update={"actor": ACTOR}), now=NOW)


def _clients(url: str, post: Any, workers: Any) -> None:
    """One thread per worker, each posting through ``post(url, worker)``, all at once."""
    threads = [threading.Thread(target=post, args=(url, worker)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def _same_rows_as_one_by_one(served_store: App, alone: App, workers: Any) -> None:
    """Recording the workers' sessions one by one leaves the served store's rows."""
    _one_by_one(alone, [raw for worker in workers for raw in _sessions(worker)])
    assert first_difference(snapshot(_path(alone)), snapshot(_path(served_store))) is None
    served_store.engine.dispose()
    alone.engine.dispose()


def _writer(served: ApiServer) -> GroupCommit:
    api = served.server.config.app
    assert isinstance(api, FastAPI)
    found = api.state.group_commit
    assert isinstance(found, GroupCommit)
    return found


def test_single_events_posted_by_several_clients_leave_the_rows_of_one_by_one_records(
        tmp_path: Path) -> None:
    """4 clients x 12 sessions (and each client's last one sent again): every first post is a
    201 whose event another connection already reads, every retry a 200, and the store is the
    one recording the 48 events one by one through service.record leaves."""
    served_store, alone = _store(tmp_path / "api"), _store(tmp_path / "alone")
    secret = token(served_store, "system", "grp")
    answers: dict[str, list[tuple[int, bool]]] = {f"g{n}": [] for n in range(CLIENTS)}

    def post(url: str, worker: str) -> None:
        events = _sessions(worker)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"},
                          timeout=60) as http:
            for event in [*events, events[-1]]:
                status = http.post("/v1/events", json=event).status_code
                answers[worker].append((status, _held(_path(served_store), event["event_id"])))

    with ApiServer(served_store) as served:
        _clients(served.url, post, answers)
        writer = _writer(served)
        assert writer.running and writer.groups >= SESSIONS  # the writer wrote them
    for found in answers.values():
        assert found == [(201, True)] * SESSIONS + [(200, True)]
    _same_rows_as_one_by_one(served_store, alone, answers)


def test_batches_posted_by_several_clients_leave_the_rows_of_one_by_one_records(
        tmp_path: Path) -> None:
    """4 clients each post their worker's 12 sessions in batches of 4, concurrently: each batch
    is applied whole (200, 4 applied), and the store is the one recording them one by one
    leaves."""
    served_store, alone = _store(tmp_path / "api"), _store(tmp_path / "alone")
    secret = token(served_store, "system", "grp")
    answers: dict[str, list[tuple[int, Any]]] = {f"g{n}": [] for n in range(CLIENTS)}

    def post(url: str, worker: str) -> None:
        events = _sessions(worker)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"},
                          timeout=60) as http:
            for first in range(0, SESSIONS, 4):
                answer = http.post("/v1/events/batch", json={"events": events[first:first + 4]})
                answers[worker].append((answer.status_code, answer.json()["applied"]))

    with ApiServer(served_store) as served:
        _clients(served.url, post, answers)
        assert _writer(served).groups == CLIENTS * SESSIONS // 4  # one per batch request
    for found in answers.values():
        assert found == [(200, 4)] * (SESSIONS // 4)
    _same_rows_as_one_by_one(served_store, alone, answers)


def test_a_refused_event_posted_alone_gets_the_problem_it_always_got(tmp_path: Path) -> None:
    """A session of a pair with no relationship, through the writer: 409 with the RFC 9457 body
    naming the missing relationship, and nothing is written."""
    served_store = _store(tmp_path / "api")
    orphan = {"type": "supervision_held", "on": "2026-01-20", "supervisor": "tm2",
              "supervisee": "g0", "event_id": "grp-orphan"}
    with ApiServer(served_store) as served, httpx.Client(
            base_url=served.url, timeout=60,
            headers={"Authorization": f"Bearer {token(served_store, 'system', 'grp')}"}) as http:
        refused = http.post("/v1/events", json=orphan)
        assert _writer(served).running
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json() == {"type": "urn:oversight:problem:unknown-entity",
                              "title": "Conflict", "status": 409,
                              "detail": "no relationship 'tm2:g0' in the store"}
    assert not _held(_path(served_store), "grp-orphan")
    served_store.engine.dispose()
