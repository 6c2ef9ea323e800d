"""What a command imports is what it uses: run in a fresh interpreter on a store at the newest
migration, a read imports no Alembic, Prefect, web server, HTTP client or settings library, and
the serverless sweep and dispatch no Alembic, Prefect or web server. (What these cost in seconds
is ``make bench``'s business, never a test's.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUN_AND_LIST_MODULES = """\
import json, os, sys
from oversight.adapters.cli.app import main
sys.argv = ["oversight", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    code = done.code
with open(os.environ["MODULES_FILE"], "w", encoding="utf-8") as listing:
    json.dump(sorted(sys.modules), listing)
sys.exit(code)
"""

NEVER_FOR_A_COMMAND = ("alembic", "prefect", "fastapi", "starlette", "uvicorn", "jinja2",
                       "openpyxl", "apprise")
NEVER_FOR_A_READ = (*NEVER_FOR_A_COMMAND, "httpx", "pydantic_settings",
                    "oversight.states.machines", "oversight.workflows.recording.service",
                    "oversight.adapters.cli.store_commands",
                    # the event models and a dialect the SQLite store does not speak: together
                    # a fifth of a second of a read's start (issue 22)
                    "oversight.states.events", "sqlalchemy.dialects.postgresql")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose store `oversight init` made (surrey, at the newest migration)."""
    folder = tmp_path_factory.mktemp("cli-imports")
    done = _oversight(folder, "init")
    assert done.returncode == 0, done.stderr
    return folder


def _oversight(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("OVERSIGHT_", "PREFECT_"))}
    env.update(OVERSIGHT_HOME=str(folder / ".oversight"), PREFECT_HOME=str(folder / "prefect"),
               MODULES_FILE=str(folder / "modules.json"))
    return subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, *args], cwd=folder,
                          env=env, capture_output=True, text=True, timeout=120)


def _imported(folder: Path, *args: str) -> set[str]:
    done = _oversight(folder, *args)
    assert done.returncode == 0, done.stderr
    names = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    return {name for name in names for top in NEVER_FOR_A_READ
            if name == top or name.startswith(f"{top}.")}


def _found(imported: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(top for top in forbidden
                  if any(name == top or name.startswith(f"{top}.") for name in imported))


def test_status_imports_no_alembic_prefect_web_server_or_settings_library(store: Path) -> None:
    """Status twice (the second names the policy it validated the first time): neither run
    imports what a read does not use, nor the other commands' modules."""
    assert _found(_imported(store, "status"), NEVER_FOR_A_READ) == []
    assert _found(_imported(store, "status", "--json"), NEVER_FOR_A_READ) == []


def test_the_first_status_after_init_names_the_policy_without_the_policy_model(
        tmp_path: Path) -> None:
    """Init validated surrey.yaml and remembered it: status names it without the model."""
    assert _oversight(tmp_path, "init").returncode == 0
    done = _oversight(tmp_path, "status")
    assert done.returncode == 0, done.stderr
    assert "Surrey Children's Services policy version 2024-12" in done.stdout
    names = json.loads((tmp_path / "modules.json").read_text(encoding="utf-8"))
    assert "oversight.states.policy.model" not in names


@pytest.mark.parametrize("command", ["status", "tasks"])
def test_a_read_for_a_program_imports_no_table_library(store: Path, command: str) -> None:
    """With --json, nothing is drawn: rich is not imported at all."""
    done = _oversight(store, command, "--json")
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
    names = json.loads((store / "modules.json").read_text(encoding="utf-8"))
    assert [name for name in names if name == "rich" or name.startswith("rich.")] == []


def test_tasks_imports_no_alembic_prefect_web_server_or_settings_library(store: Path) -> None:
    """Tasks logs its read (the access log) with none of them either."""
    assert _found(_imported(store, "tasks"), NEVER_FOR_A_READ) == []


@pytest.mark.parametrize("command", ["sweep", "dispatch"])
def test_sweep_and_dispatch_without_a_server_import_no_alembic_prefect_or_web_server(
        store: Path, command: str) -> None:
    """With no Prefect server configured, on a store at the newest migration."""
    done = _oversight(store, command)
    assert done.returncode == 0, done.stderr
    assert "no Prefect server configured" in done.stderr
    names = set(json.loads((store / "modules.json").read_text(encoding="utf-8")))
    assert _found(names, NEVER_FOR_A_COMMAND) == []
