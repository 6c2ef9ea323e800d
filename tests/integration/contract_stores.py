"""One Surrey service over each store the contract suites compare: the in-memory fake, a SQLite
file, and PostgreSQL when ``OVERSIGHT_TEST_POSTGRES_URL`` names a server (skipped otherwise)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from oversight.adapters.policy_files import load_policy_book
from oversight.states.directory import StaffMember
from oversight.workflows.bootstrap import initialise
from oversight.workflows.recording.service import OversightService
from oversight.workflows.settings import Settings
from tests.fakes import FakeStore
from tests.integration.databases import POSTGRES_MISSING, PostgresStores, postgres_server
from tests.store_templates import migrated_sqlite

STORES = ["fake", "sqlite", "postgresql"]


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
