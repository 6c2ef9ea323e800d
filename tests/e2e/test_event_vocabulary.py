"""Every documented event type is known everywhere: a fresh interpreter parses each type that
``oversight events --json`` lists, and ``oversight event`` records each on a real SQLite store.

The bug this keeps away: which types ``parse_event`` knew depended on what had been imported
before, so the CLI refused ``session_planned`` while the API accepted it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import Invoke, json_of
from tests.event_samples import SAMPLES

OVERSIGHT = Path(sys.executable).with_name("oversight")

STAFF = [  # hos1 manages tm1, who supervises sw1 (an ASYE) and sw2; sw3 joins later
    {"id": "hos1", "role": "senior_manager", "started": "2012-09-03", "qualified": "2004-07-01"},
    {"id": "tm1", "role": "manager", "started": "2015-04-01", "manager": "hos1",
     "qualified": "2012-07-01"},
    {"id": "sw1", "role": "asye", "started": "2026-03-02", "manager": "tm1"},
    {"id": "sw2", "role": "qualified_social_worker", "started": "2015-09-01", "manager": "tm1",
     "qualified": "2014-07-01"},
    {"id": "sw3", "role": "qualified_social_worker", "started": "2015-09-01", "manager": "tm1",
     "qualified": "2014-07-01"},
]

# Every type at least once under a policy that times it, each entity's events in date order and
# in an order its lifecycle accepts. Dates are in 2026 (Mar-Jun) except Hull's supervision file
# of sw3, who left on Mon 3 Sep 2018 and whose file is kept 84 months (hull §3): archived Mon 10
# Sep 2018, destroyed on Mon 15 Sep 2025, after its date (Wed 3 Sep 2025).
SCRIPT: dict[str, list[dict[str, Any]]] = {
    "surrey": [
        {"type": "assessment_started", "on": "2026-03-02", "child": "c1", "worker": "sw2",
         "manager": "tm1"},
        {"type": "oversight_recorded", "on": "2026-03-03", "child": "c1", "point": "allocation"},
        {"type": "assessment_extended", "on": "2026-03-10", "child": "c1"},
        {"type": "assessment_completed", "on": "2026-04-01", "child": "c1"},
    ],
    "devon": [
        {"type": "child_allocated", "on": "2026-03-02", "child": "c2", "worker": "sw2",
         "manager": "tm1", "case_type": "cin"},
        {"type": "allocation_discussed", "on": "2026-03-03", "child": "c2"},
        {"type": "manager_case_note_recorded", "on": "2026-03-03", "child": "c2"},
        {"type": "case_details_changed", "on": "2026-03-09", "child": "c2", "risk": "high"},
        {"type": "child_supervision_held", "on": "2026-03-16", "child": "c2", "worker": "sw2"},
        {"type": "child_supervision_recorded", "on": "2026-03-17", "child": "c2"},
        {"type": "child_reallocated", "on": "2026-03-23", "child": "c2", "worker": "sw3"},
        {"type": "case_closed", "on": "2026-04-01", "child": "c2"},
        {"type": "oversight_triggered", "on": "2026-03-02", "child": "c3",
         "trigger": "significant_incident", "manager": "tm1"},
    ],
    "hull": [
        {"type": "relationship_started", "on": "2026-03-02", "supervisor": "tm1",
         "supervisee": "sw2"},
        {"type": "agreement_signed", "on": "2026-03-02", "supervisor": "tm1", "supervisee": "sw2"},
        {"type": "asye_enrolled", "on": "2026-03-02", "worker": "sw1", "supervisor": "tm1"},
        {"type": "relationship_started", "on": "2026-03-02", "supervisor": "tm1",
         "supervisee": "sw1"},
        {"type": "supervision_held", "on": "2026-03-09", "supervisor": "tm1", "supervisee": "sw1",
         "minutes": 90},
        {"type": "asye_evidence_recorded", "on": "2026-03-10", "worker": "sw1",
         "kind": "direct_observation"},
        {"type": "asye_paused", "on": "2026-03-16", "worker": "sw1"},
        {"type": "asye_resumed", "on": "2026-03-30", "worker": "sw1"},
        {"type": "agreement_reviewed", "on": "2026-03-10", "supervisor": "tm1",
         "supervisee": "sw2"},
        {"type": "session_planned", "on": "2026-03-10", "supervisor": "tm1", "supervisee": "sw2",
         "session": "s1", "for_date": "2026-03-24"},
        {"type": "session_prepared", "on": "2026-03-20", "session": "s1"},
        {"type": "session_cancelled", "on": "2026-03-23", "session": "s1", "reason": "sickness"},
        {"type": "returned_to_work", "on": "2026-03-30", "person": "sw2"},
        {"type": "session_rescheduled", "on": "2026-03-30", "session": "s1",
         "for_date": "2026-04-02"},
        {"type": "supervision_held", "on": "2026-04-02", "supervisor": "tm1", "supervisee": "sw2",
         "session": "s1", "minutes": 90},
        {"type": "session_recorded", "on": "2026-04-03", "session": "s1"},
        {"type": "session_signed", "on": "2026-04-03", "session": "s1", "by": "tm1"},
        {"type": "supervisor_absence_started", "on": "2026-04-13", "supervisor": "tm1"},
        {"type": "alternative_supervision_arranged", "on": "2026-04-14", "supervisor": "tm1",
         "supervisee": "sw2", "arranged_with": "hos1"},
        {"type": "supervisor_returned", "on": "2026-04-20", "supervisor": "tm1"},
        {"type": "role_changed", "on": "2026-04-22", "person": "sw2"},
        {"type": "team_activity_started", "on": "2026-03-02", "activity": "reflective_discussion",
         "owner": "team1", "lead": "tm1"},
        {"type": "team_activity_held", "on": "2026-03-31", "activity": "reflective_discussion",
         "owner": "team1"},
        {"type": "supervision_file_transferred", "on": "2026-04-21", "person": "sw2",
         "new_supervisor": "hos1"},
        {"type": "relationship_ended", "on": "2026-04-30", "supervisor": "tm1",
         "supervisee": "sw2"},
        {"type": "supervision_file_opened", "on": "2018-07-02", "person": "sw3",
         "supervisor": "tm1"},
        {"type": "staff_left", "on": "2018-09-03", "person": "sw3"},
        {"type": "supervision_file_archived", "on": "2018-09-10", "person": "sw3"},
        {"type": "supervision_file_destroyed", "on": "2025-09-15", "person": "sw3"},
        {"type": "review_held", "on": "2026-06-01", "worker": "sw1", "review": "three_month"},
        {"type": "final_assessment_recorded", "on": "2026-06-02", "worker": "sw1",
         "outcome": "failed"},
    ],
}


def listed_types() -> list[str]:
    """The types ``oversight events --json`` lists, run as its own process."""
    done = subprocess.run([str(OVERSIGHT), "events", "--json"], capture_output=True, text=True,
                          timeout=120, check=True)
    return [entry["type"] for entry in json.loads(done.stdout)]


def test_the_script_and_the_samples_cover_every_type_oversight_events_lists():
    """A new event type fails here until it has a sample and a line of the script."""
    listed = listed_types()
    assert len(listed) == len(set(listed))
    assert set(SAMPLES) == set(listed)
    assert {e["type"] for events in SCRIPT.values() for e in events} == set(listed)


def test_a_fresh_interpreter_parses_every_listed_type_after_importing_the_events_alone():
    """Only ``oversight.states.events`` is imported: no machine, route or adapter adds a type."""
    payloads = [{**SAMPLES[kind], "type": kind, "on": "2026-03-02"}
                for kind in listed_types()]
    program = (
        "import json, sys\n"
        "from oversight.states.events import parse_event\n"
        "parsed = [parse_event(p).type for p in json.load(sys.stdin)]\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('oversight.'))\n"
        "print(json.dumps({'parsed': parsed, 'loaded': loaded}))\n")
    done = subprocess.run([sys.executable, "-c", program], input=json.dumps(payloads),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["parsed"] == [p["type"] for p in payloads]
    assert [m for m in found["loaded"] if ".machines" in m or ".workflows" in m] == []


@pytest.fixture
def staff_file(tmp_path: Path) -> Path:
    path = tmp_path / "staff.yaml"
    path.write_text(yaml.safe_dump({"staff": STAFF}), encoding="utf-8")
    return path


@pytest.mark.parametrize("policy", sorted(SCRIPT))
def test_oversight_event_records_each_type_on_a_store_made_by_oversight_init(
        policy: str, oversight: Invoke, home: Path, staff_file: Path):
    """Each event is applied (not refused, not a duplicate) and its steps are audited."""
    assert oversight("init", "--policy", policy).exit_code == 0
    imported = oversight("import", "staff", str(staff_file))
    assert imported.exit_code == 0, imported.stderr
    for event in SCRIPT[policy]:
        result = oversight("event", json.dumps(event), "--json")
        assert result.exit_code == 0, (event, result.stderr)
        outcome = json.loads(result.stdout)
        assert outcome["applied"] == 1 and not outcome["duplicate"], event
        assert any(line["cause"] == f"event:{event['type']}" for line in outcome["transitions"]), \
            (event, outcome)


def test_the_cli_in_its_own_process_records_session_planned(home: Path, oversight: Invoke,
                                                             staff_file: Path):
    """The reported bug: `oversight event '{"type": "session_planned", ...}'` in a new process."""
    assert oversight("init", "--policy", "hull").exit_code == 0
    assert oversight("import", "staff", str(staff_file)).exit_code == 0
    planned = {"type": "session_planned", "on": "2026-03-10", "supervisor": "tm1",
               "supervisee": "sw2", "session": "s1", "for_date": "2026-03-24"}
    env = {**os.environ, "OVERSIGHT_HOME": str(home)}
    done = subprocess.run([str(OVERSIGHT), "event", json.dumps(planned), "--json"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["applied"] == 1
    history = json_of(oversight("history", "session:s1", "--json"))
    assert [line["cause"] for line in history] == ["event:session_planned"]
