"""Fixtures of the integration tests: a real store, the real schema (Alembic), the real
service, and subprocesses that open the same store as a restarted process.

Every test that takes a store runs twice: on a SQLite file under ``tmp_path``, and on a fresh
PostgreSQL database when ``OVERSIGHT_TEST_POSTGRES_URL`` names a server (skipped otherwise,
with the reason). No database is mocked and Prefect is not started: the sweep's batch task is
called through ``.fn`` or replaced by the loop it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.settings import Settings
from tests.integration import team
from tests.integration.databases import (
    POSTGRES_MISSING,
    PostgresStores,
    SqliteStores,
    postgres_server,
)
from tests.integration.helpers import Worker


@pytest.fixture
def worker(tmp_path: Path) -> Worker:
    return Worker(tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest,
           tmp_path: Path) -> Iterator[SqliteStores | PostgresStores]:
    """Where this test's stores live: SQLite files, or databases on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield SqliteStores(tmp_path)
        return
    server = postgres_server()
    if server is None:
        pytest.skip(POSTGRES_MISSING)
    made = PostgresStores(server)
    yield made
    made.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "oversight.db"


@pytest.fixture
def settings(tmp_path: Path, stores: SqliteStores | PostgresStores,
             monkeypatch: pytest.MonkeyPatch) -> Settings:
    url = stores.migrated("oversight")  # at head: copied from the template, not migrated
    monkeypatch.setenv("OVERSIGHT_HOME", str(tmp_path))
    monkeypatch.setenv("OVERSIGHT_DATABASE_URL", url)  # the CLI in-process finds the same store
    return Settings(home=tmp_path, database_url=url)


@pytest.fixture
def app(settings: Settings) -> Iterator[App]:
    """An initialised Surrey store with its staff (8 workers w0…, ASYEs a0 and a1), no events."""
    application = initialise(settings, "surrey")
    application.service.upsert_staff(team.staff(workers=8, asyes=2))
    yield application
    application.engine.dispose()  # the file's connections close with the test


@pytest.fixture
def seeded(app: App) -> App:
    """The store after the team's first quarter of events (8 workers, 1 ASYE)."""
    for raw in team.events(workers=8, asyes=1):
        app.service.record(parse_event(raw), now=team.NOW)
    return app


# The delivery tests' receivers and store (issue 5), defined beside their helpers.
from tests.integration.delivery_fixtures import busy, mail_server, receiver  # noqa: E402,F401
