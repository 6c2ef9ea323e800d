"""The Hull store the audit-chain tests tamper with, keyed by ``init``, on SQLite and on
PostgreSQL (when OVERSIGHT_TEST_POSTGRES_URL names a server), and ``oversight`` run on it.

Hull: tm1 supervising sw1 from Mon 5 Jan 2026 (a session on Mon 12 Jan), tm2 supervising sw3;
sw1 leaves on Fri 27 Feb and the file is archived on Thu 5 Mar; three reads logged by an
auditor. sw1's file reaches its destruction date on Mon 28 Feb 2033.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from oversight.adapters.store import chain, inbound
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.settings import Settings
from tests.e2e.api_server import TEAM
from tests.integration.databases import (
    POSTGRES_MISSING,
    PostgresStores,
    SqliteStores,
    postgres_server,
)

READ_AT = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
"""Fri 6 Mar 2026, 09:00 UTC: when the events are recorded and the auditor reads."""


EVENTS = [
    {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
     "supervisee": "sw1"},
    {"type": "supervision_held", "on": "2026-01-12", "supervisor": "tm1", "supervisee": "sw1"},
    {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm2",
     "supervisee": "sw3"},
    {"type": "staff_left", "on": "2026-02-27", "person": "sw1"},
    {"type": "supervision_file_archived", "on": "2026-03-05", "person": "sw1"},
]
"""Hull's two teams, sw1's session, leaving and archived file, in the order they happened."""


def hull_store(database: str, tmp_path: Path) -> Iterator[App]:
    """Hull on ``database`` (``sqlite`` or ``postgresql``, skipped without a server): the team
    and :data:`EVENTS` recorded at :data:`READ_AT`; disposed after the test."""
    stores: SqliteStores | PostgresStores
    if database == "sqlite":
        stores = SqliteStores(tmp_path)
    else:
        server = postgres_server()
        if server is None:
            pytest.skip(POSTGRES_MISSING)
        stores = PostgresStores(server)
    app = initialise(Settings(home=tmp_path, database_url=stores.url("hull")), "hull")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert(TEAM)
        uow.commit()
    for raw in EVENTS:
        app.service.record(parse_event(raw), now=READ_AT)
    yield app
    app.engine.dispose()
    stores.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def hull(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[App]:
    """The Hull store above, keyed by ``init``, with three reads logged by an auditor."""
    for app in hull_store(request.param, tmp_path):
        with SqlUnitOfWork(app.engine) as uow:
            inbound.log_access(uow.connection, token=None, role="auditor", resource="entity",
                               targets=["relationship:tm1:sw1", "person:sw1", "person:sw3"],
                               outcome="allowed", now=READ_AT, reader="os:auditor")
            uow.commit()
        yield app


def oversight(app: App, *args: str) -> subprocess.CompletedProcess[str]:
    """The ``oversight`` command on the store, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(app.settings.home), OVERSIGHT_DATABASE_URL=app.settings.url)
    return subprocess.run([str(Path(sys.executable).parent / "oversight"), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def verify(app: App) -> tuple[int, dict[str, Any]]:
    run = oversight(app, "audit", "verify", "--json")
    return run.returncode, json.loads(run.stdout)


def table(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(entry for entry in report["tables"] if entry["table"] == name)


def rows(app: App, name: str) -> list[Any]:
    """The chained rows of ``name`` in chain order."""
    source = chain.TABLES[name]
    with app.engine.connect() as connection:
        return list(connection.execute(select(source).order_by(source.c.seq)))


__all__ = ["READ_AT", "hull", "oversight", "rows", "table", "verify"]
