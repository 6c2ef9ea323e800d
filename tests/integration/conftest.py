"""Fixtures of the integration tests: a real SQLite file under ``tmp_path``, the real schema
(Alembic), the real service, and subprocesses that open the same file as a restarted process.

No database is mocked and Prefect is not started: the sweep's batch task is called through
``.fn`` or replaced by the loop it runs (``service.due_timer_ids`` then ``service.fire``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from adapters.store.unit_of_work import SqlUnitOfWork
from states.events import parse_event
from tests.integration import team
from tests.integration.helpers import Worker, url_of
from workflows.bootstrap import App, initialise
from workflows.settings import Settings


@pytest.fixture
def worker(tmp_path: Path) -> Worker:
    return Worker(tmp_path)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "oversight.db"


@pytest.fixture
def settings(tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OVERSIGHT_HOME", str(tmp_path))
    monkeypatch.delenv("OVERSIGHT_DATABASE_URL", raising=False)
    return Settings(home=tmp_path, database_url=url_of(db_path))


@pytest.fixture
def app(settings: Settings) -> Iterator[App]:
    """An initialised Surrey store with the staff (8 workers w0…, ASYEs a0 and a1), no events yet."""
    application = initialise(settings, "surrey")
    with SqlUnitOfWork(application.engine) as uow:
        uow.upsert_staff(team.staff(workers=8, asyes=2))
        uow.commit()
    yield application
    application.engine.dispose()  # the file's connections close with the test


@pytest.fixture
def seeded(app: App) -> App:
    """The store after the team's first quarter of events (8 workers, 1 ASYE)."""
    for raw in team.events(workers=8, asyes=1):
        app.service.record(parse_event(raw), now=team.NOW)
    return app
