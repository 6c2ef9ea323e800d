"""The API under test: a real uvicorn server on a loopback port — in a thread of the test process
(:class:`ApiServer`, with a fixed clock) or as ``oversight api`` in a subprocess
(:class:`CliServer`) — over a real SQLite store under ``tmp_path``; clients are real ``httpx``
clients.

Test modules import the fixtures they use from here. They run no flows, so they start no
Prefect server (only the tests that ask for ``prefect_harness`` do).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import update

from oversight.adapters.api import create_app
from oversight.adapters.store import inbound
from oversight.adapters.store import tables as t
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.directory import StaffMember
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.settings import Settings
from tests.store_templates import migrated_sqlite

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""The instant every request is handled at (Monday 2 March 2026)."""

TEAM = [
    StaffMember("hos1", "senior_manager", date(2012, 9, 3), None, date(2004, 7, 1)),
    StaffMember("tm1", "manager", date(2018, 4, 3), "hos1", date(2012, 7, 1)),
    StaffMember("tm2", "manager", date(2019, 4, 1), "hos1", date(2013, 7, 1)),
    StaffMember("sw1", "qualified_social_worker", date(2021, 9, 1), "tm1", date(2020, 7, 1)),
    StaffMember("sw2", "asye", date(2026, 1, 5), "tm1", date(2025, 7, 1)),
    StaffMember("sw3", "qualified_social_worker", date(2022, 9, 1), "tm2", date(2021, 7, 1)),
]
TEAMS = {"tm1": "east", "sw1": "east", "sw2": "east", "tm2": "west", "sw3": "west"}

SEED = [
    {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1", "supervisee": "sw1"},
    {"type": "agreement_signed", "on": "2026-01-06", "supervisor": "tm1", "supervisee": "sw1"},
    {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1", "supervisee": "sw2"},
    {"type": "asye_enrolled", "on": "2026-01-05", "worker": "sw2", "supervisor": "tm1"},
    {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm2", "supervisee": "sw3"},
    {"type": "assessment_started", "on": "2026-02-02", "child": "c1", "worker": "sw1",
     "manager": "tm1"},
    {"type": "assessment_started", "on": "2026-02-03", "child": "c2", "worker": "sw3",
     "manager": "tm2"},
    {"type": "supervision_held", "on": "2026-02-02", "supervisor": "tm1", "supervisee": "sw1"},
]
"""Two teams under hos1: tm1 supervises sw1 (child c1) and the ASYE sw2; tm2 supervises sw3
(child c2)."""


class ApiServer:
    """uvicorn serving ``create_app(app)`` on 127.0.0.1, on a port the OS chose."""

    def __init__(self, app: App, *, clock: Any = lambda: NOW):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(create_app(app, clock=clock), log_level="warning",
                                lifespan="on", timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]},
                                       daemon=True, name="api-under-test")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ApiServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.socket.close()


class CliServer:
    """``oversight api`` in a subprocess on a free loopback port, over the store in ``home``."""

    def __init__(self, home: Path):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        # OVERSIGHT_CLOCK kept: a test asking for `today` runs the server on its clock.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("OVERSIGHT_") or k == "OVERSIGHT_CLOCK"}
        env.update(OVERSIGHT_HOME=str(home), PYTHONPATH=str(REPO))
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "oversight"), "api", "--port", str(self.port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> CliServer:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.__exit__()
                raise RuntimeError(f"oversight api did not start: {self.process.stdout.read()}")
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def make_store(home: Path) -> App:
    """An initialised Surrey store holding the two teams, no events yet."""
    app = initialise(Settings(home=home, database_url=migrated_sqlite(home / "oversight.db")),
                     "surrey")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert(TEAM)
        for person, team in TEAMS.items():
            uow.connection.execute(update(t.staff).where(t.staff.c.id == person).values(
                team=team))
        uow.commit()
    return app


def token(app: App, role: str, person: str | None = None, *, acts_for: bool = False) -> str:
    """A new bearer token, as `oversight token create` makes it, but without an expiry: the
    servers here run on the fixed clock (NOW) or on the wall clock (CliServer); expiry is
    tested in tests/security."""
    with SqlUnitOfWork(app.engine) as uow:
        _, secret = inbound.create_token(uow.connection, role=role, person=person, now=NOW,
                                         lifetime=None, acts_for=acts_for)
        uow.commit()
    return secret


def client(server: ApiServer, secret: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=30)


@pytest.fixture
def api_store(tmp_path: Path) -> Iterator[App]:
    app = make_store(tmp_path)
    yield app
    app.engine.dispose()


@pytest.fixture
def seeded(api_store: App) -> App:
    """The store after the two teams' first events."""
    for raw in SEED:
        api_store.service.record(parse_event(raw), now=NOW)
    return api_store


@pytest.fixture
def server(api_store: App) -> Iterator[ApiServer]:
    with ApiServer(api_store) as running:
        yield running


__all__ = ["NOW", "SEED", "TEAM", "TEAMS", "ApiServer", "CliServer", "api_store",
           "client", "make_store", "seeded", "server", "token"]
