"""One Surrey service over each store the contract suites compare: the in-memory fake, a SQLite
file, and PostgreSQL when ``OVERSIGHT_TEST_POSTGRES_URL`` names a server (skipped otherwise)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from oversight.adapters.policy_files import load_policy_book
from oversight.states.directory import StaffMember
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import initialise
from oversight.workflows.ports.store import UnitOfWorkFactory
from oversight.workflows.recording.service import OversightService
from oversight.workflows.settings import Settings
from tests.fakes import FakeStore
from tests.integration import team
from tests.integration.databases import POSTGRES_MISSING, PostgresStores, postgres_server
from tests.store_templates import migrated_sqlite

STORES = ["fake", "sqlite", "postgresql"]
NOW = team.NOW
STARTED = {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
           "supervisee": "w0", "event_id": "hr-1"}
"""tm1 starts supervising w0 on Mon 5 Jan 2026: the agreement is due that day (surrey §6),
the first supervision Mon 2 Feb (§4.1, 4-weekly: 5 Jan + 28 days)."""
AGREEMENT = "relationship:tm1:w0:agreement"
SUPERVISION = "relationship:tm1:w0:supervision:1"


@contextmanager
def surrey_service(kind: str, folder: Path, staff: Sequence[StaffMember], *,
                   name: str) -> Iterator[OversightService]:
    """The Surrey service on store ``kind`` with ``staff`` written, closed afterwards."""
    if kind == "fake":
        service = OversightService(uow_factory=FakeStore(), policy=load_policy_book("surrey"))
        assert service.upsert_staff(staff) == len(staff)
        yield service
        return
    stores = None
    if kind == "sqlite":
        url = migrated_sqlite(folder / f"{name}.db")
    else:
        server = postgres_server()
        if server is None:
            pytest.skip(POSTGRES_MISSING)
        stores = PostgresStores(server)
        url = stores.migrated(name)
    app = initialise(Settings(home=folder, database_url=url), "surrey")
    assert app.service.upsert_staff(staff) == len(staff)
    try:
        yield app.service
    finally:
        app.close()
        if stores is not None:
            stores.close()


@contextmanager
def started_store(kind: str, folder: Path, *, name: str) -> Iterator[UnitOfWorkFactory]:
    """Store ``kind`` with the team (hos1, tm1, w0, w1, a0) and :data:`STARTED` recorded."""
    with surrey_service(kind, folder, team.staff(workers=2, asyes=1), name=name) as service:
        service.record(parse_event(STARTED), now=NOW)
        yield service.uow_factory
