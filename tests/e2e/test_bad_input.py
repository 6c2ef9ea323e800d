"""Bad input gets one clear line on stderr and exit code 1, and changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oversight.workflows.bootstrap import open_app
from oversight.workflows.reads import queries
from oversight.workflows.settings import Settings
from tests.e2e.conftest import Invoke, example_mapping
from tests.e2e.test_simulate import flow_runs_named


def _set(path: str, value: str) -> Callable[[dict[str, Any]], None]:
    """A change to the example at ``events.2.on``-style path."""

    def change(mapping: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = mapping
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value

    return change


BAD_SCENARIOS = {
    "unknown event type": (_set("events.1.type", "supervison_held"),
                           "events[1]: unknown event type 'supervison_held'; known types: "),
    "unknown person": (_set("events.1.supervisee", "sw9"),
                       "events[1]: supervisee 'sw9' is not in staff"),
    # Found by the engine's dry run of the whole timeline: the same refusal a run would meet.
    "unknown child": (_set("events.2.child", "c9"),
                      "events[2]: the engine refused it: no assessment for child 'c9': "
                      "record assessment_started first"),
    "event before its entity starts": (
        _set("events.2.on", "2026-03-20"),
        "events[2]: the engine refused it: no assessment for child 'c1': "
        "record assessment_started first"),
    "malformed date": (_set("events.2.on", "2026-04-31"),
                       "events[2]: on: '2026-04-31' is not a date (write YYYY-MM-DD)"),
    "policy with no file": (_set("policy", "atlantis"),
                            "policy: no policy file for 'atlantis' (policies: "),
}


@pytest.mark.usefixtures("prefect_harness")  # runs a flow: the session's Prefect server
@pytest.mark.parametrize("change, expected", BAD_SCENARIOS.values(), ids=BAD_SCENARIOS.keys())
def test_a_bad_scenario_gets_one_clear_line_and_runs_nothing(
        change, expected, oversight: Invoke, write_scenario, tmp_path: Path):
    """Each fault is named with its place in the file and nothing is left: a fault of the file
    itself before any store or flow run exists, one only the engine finds when the run meets it
    (its store removed again: the engine's dry run runs then, not before every good file)."""
    mapping = example_mapping()
    change(mapping)
    runs = flow_runs_named("simulate")
    store = tmp_path / "never.db"
    result = oversight("simulate", str(write_scenario(mapping)), "--store", str(store))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: scenario.yaml: {expected}")
    assert not list(tmp_path.glob("never.db*"))
    assert flow_runs_named("simulate") == runs + ("the engine refused it" in expected)


def test_a_scenario_with_several_faults_gets_one_line_for_each(oversight: Invoke, write_scenario):
    """Every problem is reported at once, one line each, in the order of the file."""
    mapping = example_mapping()
    for change, _ in list(BAD_SCENARIOS.values())[1:4]:
        change(mapping)
    result = oversight("simulate", str(write_scenario(mapping)))
    assert result.exit_code == 1
    assert [line.split(": ")[2] for line in result.stderr.splitlines()] == \
        ["events[1]", "events[2]"]


def _counts(home: Path) -> dict[str, int]:
    return queries.counts(open_app(Settings(home=home)).store)


def test_oversight_event_with_bad_json_leaves_the_store_unchanged(store: Path, oversight: Invoke):
    """Malformed JSON is one line saying where it broke; no table gains a row."""
    assert oversight("event", '{"type": "relationship_started", "on": "2026-01-05", '
                              '"supervisor": "tm1", "supervisee": "sw1"}').exit_code == 0
    before = _counts(store)
    result = oversight("event", '{"type": "supervision_held", "on": ')
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: the event is not valid JSON (Expecting value at line 1 column 36); "
        "see `oversight event --help`"]
    assert _counts(store) == before


@pytest.mark.parametrize("args, expected", [
    (["--type", "supervison_held", "--on", "2026-01-12"], "unknown event type 'supervison_held'"),
    (["--type", "oversight_recorded", "--on", "2026-04-09", "-f", "child=c9", "-f", "point=day10"],
     "no assessment for child 'c9'"),
    (["--type", "supervision_held", "--on", "2026-01-12", "-f", "supervisor=tm1",
      "-f", "supervisee=sw9"], "no relationship 'tm1:sw9'"),
    (["--type", "supervision_held", "--on", "2026-13-01", "-f", "supervisor=tm1",
      "-f", "supervisee=sw1"], "on:"),
    (["--type", "supervision_held", "-f", "supervisor"], "--field 'supervisor': write KEY=VALUE"),
], ids=["unknown type", "unknown child", "unknown relationship", "malformed date",
        "field without value"])
def test_an_event_the_engine_cannot_take_is_one_line_and_changes_nothing(
        args, expected, store: Path, oversight: Invoke):
    """Refused events, whatever the reason, leave every table as it was."""
    before = _counts(store)
    result = oversight("event", *args)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], lines
    assert _counts(store) == before


@pytest.mark.usefixtures("prefect_harness")  # runs a flow: the session's Prefect server
def test_sweep_with_a_malformed_date_is_one_line_and_fires_nothing(store: Path, oversight: Invoke):
    """`--as-of 2026-02-30` is refused before any flow runs."""
    runs = flow_runs_named("sweep")
    result = oversight("sweep", "--as-of", "2026-02-30")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["error: --as-of: '2026-02-30' is not a date "
                                          "(write YYYY-MM-DD)"]
    assert flow_runs_named("sweep") == runs


def test_commands_on_a_store_never_initialised_say_to_run_init(home: Path, oversight: Invoke):
    """Reading a store that does not exist yet tells the person what to run."""
    result = oversight("tasks")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "run `oversight init` first" in result.stderr


def test_init_with_a_policy_name_that_has_no_file_creates_nothing(home: Path, oversight: Invoke):
    """`init --policy atlantis` names the policies there are and leaves no store behind."""
    result = oversight("init", "--policy", "atlantis")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "no such policy file" in result.stderr
    assert not (home / "oversight.db").exists()


def test_usage_errors_of_the_installed_command_are_one_line_with_exit_code_1(home: Path):
    """An unknown option, through the real entry point, is one line naming the help to read."""
    command = Path(sys.executable).parent / "oversight"
    if not command.exists():
        pytest.skip("the oversight entry point is not installed beside this interpreter")
    done = subprocess.run([str(command), "tasks", "--bogus"], capture_output=True, text=True,
                          env={**os.environ, "OVERSIGHT_HOME": str(home)}, timeout=60)
    assert done.returncode == 1
    # The hint names the program as it can be run: its full path when PATH does not find it.
    found = shutil.which("oversight")
    name = "oversight" if found and Path(found).resolve() == command.resolve() else str(command)
    assert done.stderr.splitlines() == [
        f"error: No such option: --bogus (see `{name} tasks --help`)"]


def test_serve_without_a_prefect_server_says_how_to_start_one(store: Path, oversight: Invoke):
    """A temporary server runs no scheduler, so serving refuses it in one line."""
    import prefect.settings

    with prefect.settings.temporary_settings(restore_defaults={prefect.settings.PREFECT_API_URL}):
        result = oversight("serve")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: serving needs a Prefect server: run `prefect server start` in another terminal, "
        "then set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api) and run this again"]
