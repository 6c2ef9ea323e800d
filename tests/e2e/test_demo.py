"""`oversight demo`: a year of a sample Surrey team, from a scenario its generator writes."""

from __future__ import annotations

import runpy
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from oversight.adapters.scenario import load_scenario
from oversight.workflows.bootstrap import open_app
from oversight.workflows.reads import queries
from oversight.workflows.settings import Settings
from tests.e2e.conftest import TEAM, Invoke


def test_team_scenario_file_is_exactly_what_its_generator_writes():
    """The committed YAML is reproducible: the script renders it byte for byte."""
    generator = runpy.run_path(str(TEAM.parent / "make_surrey_team.py"))
    assert generator["render"]() == TEAM.read_text(encoding="utf-8")


def test_team_scenario_has_the_team_the_demo_promises():
    """A senior manager, a team manager, five social workers, two ASYEs, twelve assessments."""
    scenario = load_scenario(TEAM)
    roles = Counter(member.role for member in scenario.staff)
    assert roles == {"senior_manager": 1, "manager": 1, "qualified_social_worker": 5, "asye": 2}
    assert len(scenario.assessments) == 12
    assert len(scenario.relationships) == 8
    types = Counter(event["type"] for event in scenario.events)
    assert types["assessment_extended"] == 3 and types["supervisor_absence_started"] == 1
    assert types["review_held"] == 4


@pytest.mark.slow
def test_demo_simulates_the_year_and_summarises_it_by_rule(home: Path, oversight: Invoke,
                                                          monkeypatch: pytest.MonkeyPatch):
    """The summary counts tasks by rule; the store and the JSONL file are where it says; with
    --serve the dashboard's address is the last line (the server itself is not started here)."""
    served: dict = {}
    monkeypatch.setattr("oversight.adapters.web.server.serve_forever",
                        lambda app, host, port: served.update(app=app, host=host, port=port))
    result = oversight("demo", "--serve", "--port", "8765")
    assert result.exit_code == 0, result.stderr
    assert "All rules" in result.stdout
    for rule in ("assessment.oversight_points.day10", "asye.phases.weekly",
                 "relationship.supervisor_absence", "personal_supervision.roles.qualified_social_"):
        assert rule in result.stdout
    outbox = home / "demo" / "outbox" / "tasks.jsonl"
    assert f"Task messages (CloudEvents, one per line): {outbox}" in result.stdout
    assert outbox.exists()
    assert result.stdout.rstrip().endswith("Dashboard: http://127.0.0.1:8765/ (Ctrl+C stops)")
    assert (served["host"], served["port"]) == ("127.0.0.1", 8765)
    assert "supervisee nq1: a newly qualified worker: their own ASYE only" in result.stdout
    store = open_app(Settings(database_url=f"sqlite:///{home / 'demo.db'}")).store
    states = {(t["entity"], t["type"]): t["state"] for t in queries.tasks(store)}
    assert states[("assessment:c11", "complete_assessment")] == "closed"
    history = [line["to"] for line in queries.transitions(store)
               if line["entity"] == "assessment:c11"]
    assert "overdue" in history and history[-1] == "completed"
    alternative = [t for t in queries.tasks(store) if t["type"] == "alternative_supervision"]
    assert len(alternative) == 7 and {t["for"] for t in alternative} == {"hos1"}
    assert all(t["closed_on"] == "2026-06-30" for t in alternative)


def test_every_task_of_the_demo_year_falls_in_exactly_one_column_of_the_summary(
        tmp_path: Path, oversight: Invoke) -> None:
    """On Thu 31 Dec 2026, the demo team's 227 tasks add up across the columns, rule by rule.
    Of the 18 escalations, 8 were met by their due date; 10 are late: c03's day-10 escalation
    (due Tue 31 Mar) and c06's day-20 one (due Wed 17 Jun) never met, and 8 met after their due
    date (nq1's 18th session's, due Thu 11 Jun; nq2's 15th, Fri 12 Jun, and 17th, Fri 7 Aug;
    the sixth sessions of sw1, sw3, sw4 and sw5, Fri 19 Jun, and sw2's, Thu 25 Jun)."""
    store_path = tmp_path / "year.db"
    result = oversight("simulate", "surrey-team", "--store", str(store_path), "--json")
    assert result.exit_code == 0, result.stderr
    store = open_app(Settings(database_url=f"sqlite:///{store_path}")).store
    lines = queries.summary_by_rule(queries.tasks(store), as_of=date(2026, 12, 31))
    columns = ("met", "breached", "late", "open", "withdrawn")
    assert sum(line["raised"] for line in lines) == 227
    assert all(sum(line[key] for key in columns) == line["raised"] for line in lines)
    [escalation] = [line for line in lines if line["rule"] == "escalation"]
    assert {key: escalation[key] for key in ("raised", *columns)} == {
        "raised": 18, "met": 8, "breached": 0, "late": 10, "open": 0, "withdrawn": 0}
