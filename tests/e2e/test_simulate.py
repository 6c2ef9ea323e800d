"""`oversight simulate`: a scenario run day by day through the real engine and Prefect."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from oversight.adapters.cli.app import app
from tests.e2e.conftest import EXAMPLE, Invoke, json_of, task_by_id

# Every test here runs `oversight simulate` as a flow on the session's Prefect server.
pytestmark = pytest.mark.usefixtures("prefect_harness")

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def example_run(prefect_harness: None) -> dict[str, Any]:
    """The example scenario of issue 3, simulated once for the whole module, as JSON."""
    return json_of(CliRunner().invoke(app, ["simulate", str(EXAMPLE), "--json"]))


def flow_runs_named(name: str) -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with get_client(sync_client=True) as client:
        return len(client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[name]))))


def test_day10_oversight_of_c1_is_due_on_10_april_and_closed_on_9_april(example_run):
    """The example's oversight recorded on 9 April meets the day-10 point due on 10 April."""
    task = task_by_id(example_run["tasks"], "assessment:c1:mo:day10")
    assert (task["type"], task["for"], task["subject"]) == \
        ("management_oversight", "tm1", "child:c1")
    assert (task["raised_on"], task["due"], task["state"], task["closed_on"]) == \
        ("2026-03-25", "2026-04-10", "closed", "2026-04-09")
    assert task["rule"] == {"policy": "surrey", "section": "4.1",
                            "name": "assessment.oversight_points.day10"}


def test_day20_oversight_nobody_recorded_is_breached_the_day_after_it_was_due(example_run):
    """No day-20 oversight in the scenario: the sweep of 25 April breaches the task due 24 April."""
    task = task_by_id(example_run["tasks"], "assessment:c1:mo:day20")
    assert (task["due"], task["state"], task["breached_on"]) == \
        ("2026-04-24", "breached", "2026-04-25")


def test_assessment_started_before_easter_is_due_on_day_35_after_the_holidays(example_run):
    """Started 25 March, day 35 is 18 May; unmet, it escalates to the worker's line manager."""
    completion = task_by_id(example_run["tasks"], "assessment:c1:complete")
    assert (completion["for"], completion["due"], completion["state"]) == \
        ("sw1", "2026-05-18", "escalated")
    escalation = task_by_id(example_run["tasks"], "assessment:c1:complete^")
    assert (escalation["for"], escalation["raised_on"], escalation["due"]) == \
        ("tm1", "2026-05-19", "2026-05-27")


def test_asye_session_held_on_time_closes_its_task_and_opens_the_next_a_week_on(example_run):
    """The session of 12 January meets its weekly task; the next, due 19 January, is missed."""
    held = task_by_id(example_run["tasks"], "asye:sw1:supervision:2")
    assert (held["due"], held["state"], held["closed_on"]) == ("2026-01-12", "closed", "2026-01-12")
    following = task_by_id(example_run["tasks"], "asye:sw1:supervision:3")
    assert (following["raised_on"], following["due"], following["state"]) == \
        ("2026-01-12", "2026-01-19", "breached")
    assert following["rule"]["section"] == "4.1"


def test_every_task_names_type_assignee_subject_dates_state_and_rule_in_iso_form(example_run):
    """Each task carries the fields issue 3 asks for, with dates as YYYY-MM-DD."""
    assert len(example_run["tasks"]) == 12
    for task in example_run["tasks"]:
        assert {"type", "for", "subject", "raised_on", "due", "state", "rule"} <= set(task)
        assert ISO.match(task["raised_on"]) and ISO.match(task["due"])
        assert task["state"] in {"open", "closed", "breached", "escalated", "withdrawn"}
        assert task["rule"]["policy"] == "surrey" and task["rule"]["section"]


def test_transitions_record_the_day10_oversight_moving_c1_into_progress(example_run):
    """The audit trail shows allocated → in_progress on 9 April, citing surrey §4.1."""
    moves = [t for t in example_run["transitions"]
             if t["entity"] == "assessment:c1"
             and (t["from"], t["to"]) == ("allocated", "in_progress")]
    assert len(moves) == 1
    move = moves[0]
    assert (move["from"], move["on"], move["cause"]) == \
        ("allocated", "2026-04-09", "event:oversight_recorded")
    assert (move["rule"]["policy"], move["rule"]["section"]) == ("surrey", "4.1")


def test_simulation_prints_a_table_of_its_tasks_for_people(oversight: Invoke):
    """Without --json the tasks are a table naming each task and the count of transitions."""
    result = oversight("simulate", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    assert "assessment:c1:mo:day10" in result.stdout
    assert "12 tasks, 19 transitions" in result.stdout


@pytest.mark.slow
def test_a_simulated_year_is_one_flow_run_and_writes_every_message_to_its_jsonl_file(
        oversight: Invoke, tmp_path: Path):
    """One `simulate` flow run for the year, no `sweep` runs, and one JSON line per message."""
    simulations, sweeps = flow_runs_named("simulate"), flow_runs_named("sweep")
    store = tmp_path / "kept" / "simulation.db"
    result = oversight("simulate", str(EXAMPLE), "--store", str(store), "--json")
    tasks = json_of(result)["tasks"]
    assert flow_runs_named("simulate") == simulations + 1
    assert flow_runs_named("sweep") == sweeps
    with sqlite3.connect(store) as db:
        statuses = dict(db.execute("select status, count(*) from outbox group by status"))
    lines = (store.parent / "outbox" / "tasks.jsonl").read_text(encoding="utf-8").splitlines()
    assert statuses == {"delivered": len(lines)}
    messages = [json.loads(line) for line in lines]
    assert all(m["specversion"] == "1.0" and m["source"] == "/oversight/surrey" for m in messages)
    assert {m["data"]["task_id"] for m in messages} == {t["id"] for t in tasks}


def test_a_simulation_refuses_a_store_that_already_exists(oversight: Invoke, tmp_path: Path):
    """Simulating into an existing file would mix two runs: one line, exit 1, the file untouched."""
    store = tmp_path / "old.db"
    store.write_bytes(b"not mine")
    result = oversight("simulate", str(EXAMPLE), "--store", str(store))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "already exists" in result.stderr
    assert store.read_bytes() == b"not mine"


def test_an_unknown_scenario_name_lists_the_shipped_scenarios(home: Path,
                                                             oversight: Invoke) -> None:
    """`simulate narnia`, neither a file nor a shipped scenario: exit 1, one line naming the
    seven scenarios shipped in config/scenarios, and no store made."""
    result = oversight("simulate", "narnia")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: narnia: no such scenario file, nor a shipped scenario of that name (shipped: "
        "compare-devon, compare-hull, compare-sunderland, compare-surrey, compare-systemic, "
        "example, surrey-team)"]
    assert not home.exists() or not any(home.rglob("*.db"))
