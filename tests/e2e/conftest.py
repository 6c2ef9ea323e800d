"""Fixtures of the end-to-end tests: the `oversight` CLI run in-process against a store under
``tmp_path``. A test that runs a flow (``oversight sweep``, ``dispatch``, ``simulate``, ``demo``
through Prefect) asks for ``prefect_harness`` and its runs go to the session's Prefect test
server; every other test runs with no server configured, so those commands take their
serverless path (tests/conftest.py).

Nothing is faked: the real scenario loader, SQLite store, service, Prefect flows and tasks.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from oversight.adapters.cli.app import app
from tests.store_templates import migrated_sqlite

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "scenarios" / "example.yaml"
TEAM = REPO / "config" / "scenarios" / "surrey-team.yaml"


@pytest.fixture(autouse=True)
def _prefect() -> Iterator[None]:
    """Every end-to-end test leaves the environment as it found it (the CLI sets Prefect
    defaults in it for its subprocesses)."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """OVERSIGHT_HOME for this test alone; no database URL or policy from the environment."""
    folder = tmp_path / "home"
    monkeypatch.setenv("OVERSIGHT_HOME", str(folder))
    for name in ("OVERSIGHT_DATABASE_URL", "OVERSIGHT_POLICY", "OVERSIGHT_POLICY_DIR"):
        monkeypatch.delenv(name, raising=False)
    return folder


Invoke = Callable[..., Result]


@pytest.fixture
def oversight() -> Invoke:
    """``oversight("tasks", "--json")``: the CLI in-process, stdout and stderr apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


def json_of(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr or result.stdout
    return json.loads(result.stdout)


def example_mapping() -> dict[str, Any]:
    """The example scenario as plain strings, a fresh copy to edit."""
    return copy.deepcopy(yaml.load(EXAMPLE.read_text(encoding="utf-8"), Loader=yaml.BaseLoader))


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Writes a scenario mapping to ``scenario.yaml`` and returns its path."""

    def write(mapping: dict[str, Any], name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def store(home: Path, oversight: Invoke) -> Iterator[Path]:
    """An initialised Surrey store holding the example's staff (tm1 and the ASYE sw1).

    ``oversight init`` runs on a copy of the migrated template, so it records the policy
    without running the migrations again (tests/store_templates.py)."""
    migrated_sqlite(home / "oversight.db")
    assert oversight("init").exit_code == 0
    imported = oversight("import", "staff", str(EXAMPLE))
    assert imported.exit_code == 0, imported.stderr
    yield home


def task_by_id(tasks: list[dict[str, Any]], task_id: str) -> dict[str, Any]:
    found = [task for task in tasks if task["id"] == task_id]
    assert found, f"no task {task_id} among {[t['id'] for t in tasks]}"
    return found[0]
