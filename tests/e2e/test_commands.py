"""The store's commands end to end: event, sweep, tasks, why, history, status, dispatch, diagram."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Invoke, json_of, task_by_id

ASSESSMENT = ["--type", "assessment_started", "--on", "2026-03-25",
              "-f", "child=c1", "-f", "worker=sw1", "-f", "manager=tm1"]


@pytest.fixture
def assessed(store: Path, oversight: Invoke) -> Path:
    """The example's store with c1's assessment started on Wednesday 25 March 2026."""
    result = oversight("event", *ASSESSMENT)
    assert result.exit_code == 0, result.stderr
    return store


def test_event_flags_start_an_assessment_whose_history_cites_surrey_4_1(
        assessed: Path, oversight: Invoke):
    """The history of assessment:c1 has one line, allocated, with its authority and section."""
    result = oversight("history", "assessment:c1")
    assert result.exit_code == 0, result.stderr
    assert "allocated" in result.stdout and "surrey §4.1" in result.stdout
    lines = json_of(oversight("history", "assessment:c1", "--json"))
    assert [(line["to"], line["cause"], line["rule"]["section"]) for line in lines] == \
        [("allocated", "event:assessment_started", "4.1")]


def test_event_json_records_the_day10_oversight_and_closes_its_task(
        assessed: Path, oversight: Invoke):
    """Oversight given as JSON on 9 April closes the day-10 task and moves c1 into progress;
    the allocation point, due Wed 25 Mar and never recorded, was breached first, on Thu 26 Mar
    (a breach is judged by the dates, with or without a sweep)."""
    recorded = json_of(oversight("event", "--json", json.dumps(
        {"type": "oversight_recorded", "on": "2026-04-09", "child": "c1", "point": "day10"})))
    assert [(t["from"], t["to"], t["on"]) for t in recorded["transitions"]] == [
        ("allocated", "allocated", "2026-03-26"), ("allocated", "in_progress", "2026-04-09")]
    task = task_by_id(json_of(oversight("tasks", "--json")), "assessment:c1:mo:day10")
    assert (task["state"], task["closed_on"], task["due"]) == ("closed", "2026-04-09", "2026-04-10")


def test_the_same_event_id_sent_twice_is_applied_once(store: Path, oversight: Invoke):
    """A repeat delivery is reported as already recorded and opens no second task."""
    event = json.dumps({"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
                        "supervisee": "sw1", "event_id": "lcs-4711"})
    assert oversight("event", event).exit_code == 0
    again = oversight("event", event)
    assert again.exit_code == 0 and "Already recorded" in again.stdout
    assert len(json_of(oversight("tasks", "--json"))) == 1


def test_sweep_the_day_after_allocation_breaches_the_allocation_oversight(
        assessed: Path, oversight: Invoke):
    """The allocation point is due on day 0; the sweep of the next day breaches it, once."""
    first = json_of(oversight("sweep", "--as-of", "2026-03-26", "--json"))
    assert (first["fired"], first["tasks_breached"]) == (1, 1)
    breached = json_of(oversight("tasks", "--breached", "--as-of", "2026-03-26", "--json"))
    assert [(t["id"], t["breached_on"]) for t in breached] == \
        [("assessment:c1:mo:allocation", "2026-03-26")]
    still_open = json_of(oversight("tasks", "--open", "--json"))
    assert "assessment:c1:mo:allocation" not in {t["id"] for t in still_open}
    assert json_of(oversight("sweep", "--as-of", "2026-03-26", "--json"))["fired"] == 0


def test_why_shows_the_rule_its_quote_and_the_day35_arithmetic_around_easter(
        assessed: Path, oversight: Invoke):
    """The completion task explains 25 March + 35 working days, naming each holiday skipped."""
    result = oversight("why", "assessment:c1:complete")
    assert result.exit_code == 0, result.stderr
    assert "Rule: surrey §4.1 assessment.completion (policy version 2024-12)" in result.stdout
    assert "completion of the assessment at day 35" in result.stdout
    assert ("2026-03-25 + 35 working days = 2026-05-18, skipping 2026-04-03 (Good Friday), "
            "2026-04-06 (Easter Monday), 2026-05-04 (May Day)") in result.stdout


def test_why_for_a_task_id_that_does_not_exist_says_where_to_find_ids(
        store: Path, oversight: Invoke):
    """An unknown id is one line pointing at `oversight tasks`."""
    result = oversight("why", "assessment:c9:complete")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: no task 'assessment:c9:complete'; `oversight tasks` lists the task ids"]


def test_status_counts_entities_by_kind_and_state_and_lists_the_next_timer(
        assessed: Path, oversight: Invoke):
    """One allocated assessment; the first timer is the allocation task's, the day after."""
    status = json_of(oversight("status", "--json"))
    assert status["entities"] == [{"kind": "assessment", "state": "allocated", "count": 1}]
    assert status["next_timers"][0] == {"entity": "assessment:c1",
                                        "timer": "task:mo:allocation", "fires_on": "2026-03-26"}
    assert status["tasks"] == {"open": 5}


def test_dispatch_writes_each_task_message_once_as_a_cloudevents_line(
        assessed: Path, oversight: Invoke):
    """Five opened tasks, five lines; a second dispatch finds nothing left to send."""
    assert json_of(oversight("dispatch", "--json"))["delivered"] == 5
    assert json_of(oversight("dispatch", "--json"))["delivered"] == 0
    lines = (assessed / "outbox" / "tasks.jsonl").read_text(encoding="utf-8").splitlines()
    messages = [json.loads(line) for line in lines]
    assert len(messages) == 5 and len({m["id"] for m in messages}) == 5
    assert {m["type"] for m in messages} == {"uk.oversight.task.opened"}
    assert all(m["specversion"] == "1.0" and m["subject"] == m["data"]["task_id"]
               for m in messages)


def test_diagram_prints_the_assessment_lifecycle_in_mermaid(oversight: Invoke):
    """The diagram is drawn from the running machine, starting at allocated."""
    result = oversight("diagram", "assessment")
    assert result.exit_code == 0
    assert result.stdout.startswith("stateDiagram-v2\n    [*] --> allocated\n")
    assert "    extended --> overdue: overrun\n" in result.stdout


def test_every_command_has_help(oversight: Invoke):
    """`--help` works for each command and says what it does."""
    for command in ("init", "import staff", "event", "sweep", "dispatch", "status", "tasks",
                    "history", "why", "diagram", "simulate", "demo", "serve"):
        result = oversight(*command.split(), "--help")
        assert result.exit_code == 0 and "Usage" in result.stdout, command


def test_event_json_can_come_from_stdin(store: Path, oversight: Invoke):
    """`oversight event -` reads the JSON a receiving system pipes in."""
    piped = json.dumps({"type": "relationship_started", "on": "2026-01-05",
                        "supervisor": "tm1", "supervisee": "sw1"})
    result = oversight("event", "-", input=piped)
    assert result.exit_code == 0, result.stderr
    assert [t["id"] for t in json_of(oversight("tasks", "--json"))] == \
        ["relationship:tm1:sw1:agreement"]
