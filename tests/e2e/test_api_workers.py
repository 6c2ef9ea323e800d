"""``oversight api --workers N``: on PostgreSQL, N processes each with its own events' writer,
and no event lost or written twice when clients post concurrently, the same event_id to both
processes at once included; on SQLite more than one process is refused in one line.

The server is the real command in a subprocess (uvicorn's workers are processes of its own);
the clients are real ``httpx`` clients on loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from oversight.adapters.store import tables as t
from oversight.states.directory import StaffMember
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.settings import Settings
from tests.e2e.api_server import NOW, REPO, TEAM, make_store, token
from tests.integration.databases import POSTGRES_MISSING, PostgresStores, postgres_server

WORKERS = ["p0", "p1", "p2", "p3"]
SESSIONS = 10
OVERSIGHT = str(Path(sys.executable).parent / "oversight")


def _environment(home: Path, url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(home), PYTHONPATH=str(REPO))
    if url is not None:
        env["OVERSIGHT_DATABASE_URL"] = url
    return env


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_store(home: Path, url: str) -> App:
    """The API tests' team plus p0…p3 under tm1, each in a relationship since Mon 5 Jan 2026."""
    app = initialise(Settings(home=home, database_url=url), "surrey")
    app.service.upsert_staff([*TEAM, *(StaffMember(w, "qualified_social_worker",
                                                   date(2021, 9, 1), "tm1", date(2020, 7, 1))
                                       for w in WORKERS)])
    for worker in WORKERS:
        app.service.record(parse_event({"type": "relationship_started", "on": "2026-01-05",
                                        "supervisor": "tm1", "supervisee": worker}), now=NOW)
    return app


def _sessions(worker: str) -> list[dict[str, Any]]:
    """``worker``'s sessions on SESSIONS consecutive days from Tue 6 Jan 2026, each with an id."""
    return [{"type": "supervision_held", "supervisor": "tm1", "supervisee": worker,
             "on": (date(2026, 1, 6) + timedelta(days=k)).isoformat(),
             "event_id": f"wk-{worker}-{k}"} for k in range(SESSIONS)]


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux ``/proc``)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _serve(home: Path, url: str, workers: int) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    server = subprocess.Popen([OVERSIGHT, "api", "--port", str(port), "--workers", str(workers)],
                              env=_environment(home, url), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"oversight api did not start: {server.communicate()[0]}")


@pytest.fixture
def postgres(tmp_path: Path) -> Any:
    server = postgres_server()
    if server is None:
        pytest.skip(POSTGRES_MISSING)
    made = PostgresStores(server)
    yield made.migrated("workers")
    made.close()


def test_two_processes_on_postgresql_write_every_event_once_each_id_posted_twice_included(
        tmp_path: Path, postgres: str) -> None:
    """8 clients, two per worker, post the worker's 10 sessions with the same event_ids at the
    same time to 2 processes: each id is answered 201 once and 200 once, and the store holds
    40 processed events, 40 event-log rows and 10 sessions' audit of each relationship."""
    app = _postgres_store(tmp_path, postgres)
    secret = token(app, "system", "wk")
    server, base = _serve(tmp_path, postgres, 2)
    answers: list[tuple[str, int]] = []
    lock = threading.Lock()

    def post(worker: str) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {secret}"},
                          timeout=60) as http:
            for event in _sessions(worker):
                status = http.post("/v1/events", json=event).status_code
                with lock:
                    answers.append((event["event_id"], status))

    try:
        assert len(_children(server.pid)) >= 2  # the two worker processes (and no more needed)
        threads = [threading.Thread(target=post, args=(worker,))
                   for worker in WORKERS for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    by_id: dict[str, Counter[int]] = {}
    for event_id, status in answers:
        by_id.setdefault(event_id, Counter())[status] += 1
    assert len(by_id) == 40
    assert all(found == Counter({201: 1, 200: 1}) for found in by_id.values()), by_id
    with app.engine.connect() as connection:
        processed = connection.execute(select(func.count()).select_from(t.processed_events).where(
            t.processed_events.c.event_id.like("wk-%"))).scalar_one()
        logged = connection.execute(
            select(t.event_log.c.entity_id, func.count()).where(
                t.event_log.c.record_id.like("wk-%")).group_by(t.event_log.c.entity_id)).all()
    assert processed == 40
    assert sorted(logged) == [(f"tm1:{w}", SESSIONS) for w in WORKERS]
    app.engine.dispose()


def test_more_than_one_process_on_sqlite_is_refused_in_one_line(tmp_path: Path) -> None:
    """`oversight api --workers 2` over a SQLite store: exit 1, one line naming the one writer
    process, and nothing served."""
    make_store(tmp_path).engine.dispose()
    done = subprocess.run([OVERSIGHT, "api", "--port", str(_free_port()), "--workers", "2"],
                          env=_environment(tmp_path, f"sqlite:///{tmp_path / 'oversight.db'}"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == ("error: --workers 2: a SQLite store has one writer process; serve it "
                           "with --workers 1, or move the store to PostgreSQL (docs/scale.md)\n")
