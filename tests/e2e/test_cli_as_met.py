"""The command line as a newcomer meets it: help without type labels on flags, ``--version``,
``diagram --json``, whole task ids, dates explained, no store made by reading one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from oversight.states.diagrams import mermaid
from oversight.states.machines import KINDS
from tests.e2e.conftest import Invoke, json_of

OVERSIGHT = Path(sys.executable).parent / "oversight"


def run(*args: str, home: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    """``oversight`` in a process of its own, as a person runs it (a narrow terminal)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OVERSIGHT_", "PREFECT_API"))}
    env.update(OVERSIGHT_HOME=str(home), COLUMNS="80")
    if path is not None:
        env["PATH"] = path
    return subprocess.run([str(OVERSIGHT), *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_help_shows_no_type_label_on_a_flag(oversight: Invoke):
    """`--json`, `--open` and `--help` take no value: their help names none (no `<bool>`)."""
    for command in ([], ["tasks"], ["status"], ["sweep"]):
        shown = oversight(*command, "--help")
        assert shown.exit_code == 0, shown.stderr
        assert "<bool>" not in shown.stdout and "--help" in shown.stdout


def test_version_prints_the_installed_version(oversight: Invoke):
    """`oversight --version` is one line: the name and the installed distribution's version."""
    shown = oversight("--version")
    assert shown.exit_code == 0
    assert shown.stdout == f"oversight {version('oversight')}\n"


def test_diagram_json_carries_the_mermaid_text_of_the_running_machine(oversight: Invoke):
    """For every lifecycle kind: its name and the Mermaid text `diagram` prints."""
    for kind, machine in KINDS.items():
        found = json_of(oversight("diagram", kind, "--json"))
        assert found == {"kind": kind, "mermaid": mermaid(machine)}


def test_an_invalid_date_is_explained_as_the_form_to_write(store: Path, oversight: Invoke):
    """30 February is refused naming the field and the form, not pydantic's words."""
    refused = oversight("event", "--type", "supervision_held", "--on", "2026-02-30",
                        "-f", "supervisor=tm1", "-f", "supervisee=sw1")
    assert refused.exit_code == 1
    assert "write YYYY-MM-DD" in refused.stderr and "Input should be" not in refused.stderr


@pytest.mark.parametrize("command", [["status"], ["tasks"], ["history", "assessment:c1"],
                                     ["why", "assessment:c1:mo:day10"]])
def test_reading_a_store_that_is_not_there_says_so_and_creates_nothing(
        tmp_path: Path, command: list[str]):
    """No folder, no database file: one line pointing at `oversight init`, exit code 1."""
    home = tmp_path / "nowhere"
    shown = run(*command, home=home)
    assert shown.returncode == 1
    assert shown.stderr.startswith("error: no store here") and "oversight init" in shown.stderr
    assert not home.exists()


def test_a_hint_names_the_program_as_it_can_be_run(tmp_path: Path):
    """With the virtualenv's bin off PATH (after `make demo`), the hint names its full path."""
    home = tmp_path / "nowhere"
    off_path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                               if Path(p).resolve() != OVERSIGHT.parent.resolve())
    shown = run("status", home=home, path=off_path)
    assert f"run `{OVERSIGHT} init`" in shown.stderr
    on_path = run("status", home=home, path=f"{OVERSIGHT.parent}{os.pathsep}{off_path}")
    assert "run `oversight init`" in on_path.stderr


def test_task_ids_are_whole_in_a_narrow_table(store: Path, oversight: Invoke,
                                              monkeypatch: pytest.MonkeyPatch):
    """In 80 columns every task id is on one line, to be copied into `oversight why`."""
    for flags in (["--type", "relationship_started", "--on", "2026-01-05", "-f", "supervisor=tm1",
                   "-f", "supervisee=sw1"],
                  ["--type", "assessment_started", "--on", "2026-03-25", "-f", "child=c1",
                   "-f", "worker=sw1", "-f", "manager=tm1"]):
        assert oversight("event", *flags).exit_code == 0
    ids = [task["id"] for task in json_of(oversight("tasks", "--json"))]
    assert "assessment:c1:mo:allocation" in ids and "relationship:tm1:sw1:agreement" in ids
    monkeypatch.setenv("COLUMNS", "80")
    table = oversight("tasks").stdout
    assert all(task_id in table for task_id in ids), table
    assert json.loads(oversight("tasks", "--json").stdout)  # --json is not cut either
