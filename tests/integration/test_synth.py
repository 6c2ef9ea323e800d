"""``oversight synth``: a realistic population by bulk insert, in the shape the engine writes."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oversight.adapters.cli.app import app as cli
from oversight.workflows.bootstrap import App, open_app
from oversight.workflows.settings import Settings
from oversight.workflows.simulation.population import AS_OF, NOW
from tests.integration.databases import (
    POSTGRES_MISSING,
    PostgresStores,
    SqliteStores,
    postgres_server,
)
from tests.integration.helpers import rows


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[SqliteStores | PostgresStores, Path, dict[str, int]]]:
    """Two authorities, 200 staff and 600 children, personas at 3 offsets each: built once a
    backend (the build is most of this module's time), each test then works on a copy. The
    folder is the store's home: its audit chain's key file is there."""
    folder = tmp_path_factory.mktemp("synth")
    made: SqliteStores | PostgresStores
    if request.param == "sqlite":
        made = SqliteStores(folder)
    else:
        server = postgres_server()
        if server is None:
            pytest.skip(POSTGRES_MISSING)
        made = PostgresStores(server)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OVERSIGHT_HOME", str(folder))
        result = CliRunner().invoke(cli, ["synth", "--authorities", "2", "--staff", "200",
                                          "--children", "600", "--offsets", "3",
                                          "--database-url", made.url("synth"), "--json"])
    assert result.exit_code == 0, result.stderr or result.stdout
    yield made, folder, json.loads(result.stdout)
    made.close()


@pytest.fixture
def synthetic(built: tuple[SqliteStores | PostgresStores, Path, dict[str, int]]
              ) -> Iterator[tuple[App, dict[str, int]]]:
    """A copy of the module's synthetic store for this test alone."""
    made, home, counts = built
    url = made.copy("synth", f"copy_{uuid.uuid4().hex[:8]}")
    app = open_app(Settings(home=home, database_url=url))
    yield app, counts
    app.engine.dispose()


def test_synth_builds_staff_in_realistic_roles_and_every_child_allocated(synthetic) -> None:  # type: ignore[no-untyped-def]
    """About 10% managers and 8% ASYEs, each non-head with a relationship to their line
    manager; every child has its child-specific supervision; some are in an assessment."""
    app, counts = synthetic
    staff = rows(app.engine, "staff")
    roles = Counter(s["role"] for s in staff)
    assert len(staff) == counts["staff"] == 200
    assert roles["manager"] == 20 and roles["asye"] == 16 and roles["senior_manager"] == 4
    entities = rows(app.engine, "entities")
    kinds = Counter(e["kind"] for e in entities)
    assert kinds["child_supervision"] == 600
    assert kinds["relationship"] == 200 - 4 and kinds["asye"] == 16
    assert 30 <= kinds["assessment"] <= 120
    assert {e["authority"] for e in entities} == {"surrey"}
    managers = {s["id"]: s["line_manager"] for s in staff}
    for relationship in (e for e in entities if e["kind"] == "relationship"):
        supervisor, supervisee = relationship["id"].split(":")
        assert managers[supervisee] == supervisor
    states = Counter(e["state"] for e in entities if e["kind"] == "relationship")
    assert states["active"] > states["supervisor_absent"] >= 0
    tasks = Counter(t["state"] for t in rows(app.engine, "tasks"))
    assert tasks["escalated"] > 0 and tasks["closed"] > tasks["open"] > 0  # on time and late


def test_a_synthetic_store_sweeps_its_next_days_without_a_failure(synthetic) -> None:  # type: ignore[no-untyped-def]
    """Its timers are all after its date, and the engine fires the next fortnight's cleanly."""
    app, _ = synthetic
    assert min(t["fires_on"] for t in rows(app.engine, "timers")) > AS_OF
    fired = 0
    for n in range(1, 15):
        day = AS_OF + timedelta(days=n)
        while (batch := app.service.fire_due(day, now=NOW, limit=200)).claimed:
            assert batch.failed == [], batch.errors
            fired += batch.outcome.fired
    assert fired > 100
    assert not app.service.due_timer_ids(AS_OF + timedelta(days=14), limit=1)
