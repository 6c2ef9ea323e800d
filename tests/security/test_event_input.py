"""Input the store must not take: an event naming children it does not hold, a yes-or-no field
given as "yes", "no" or 1, and a subject-access export carrying a calendar feed's digest
(issue 20, point 4). Each refusal is a problem (or one CLI line) and leaves the store as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oversight.adapters.store import calendar_feeds
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import NOW
from tests.integration.store_snapshot import snapshot
from tests.security.conftest import bearer

HELD_WITH = {"type": "supervision_held", "on": "2026-02-23", "supervisor": "tm1",
             "supervisee": "sw1"}
"""tm1 and sw1's session on Monday 23 Feb 2026 (sw1 holds child c1's assessment)."""
AWAY = {"type": "supervisor_absence_started", "on": "2026-02-24", "supervisor": "tm1"}


def _store(app: App) -> dict[str, list[dict[str, Any]]]:
    return snapshot(Path(app.settings.home) / "oversight.db")


@pytest.mark.parametrize("role", ["admin", "system"])
def test_an_event_naming_a_child_the_store_does_not_hold_is_refused_with_409(
        api: TestClient, teams: App, secrets: dict[str, str], role: str) -> None:
    """children_discussed [c1, c9]: c1 is held, c9 is not; 409 naming c9 alone, nothing
    written; the same event discussing c1 only is recorded (201)."""
    before = _store(teams)
    answer = api.post("/v1/events", headers=bearer(secrets[role]),
                      json={**HELD_WITH, "children_discussed": ["c1", "c9"]})
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == ("`children_discussed` names children the store does not "
                                       "hold: c9.")
    assert _store(teams) == before
    assert api.post("/v1/events", headers=bearer(secrets[role]),
                    json={**HELD_WITH, "children_discussed": ["c1"]}).status_code == 201


def test_a_batch_naming_a_child_the_store_does_not_hold_applies_none_of_it(
        api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """A good absence then a session discussing c7: 409, and the absence is not recorded."""
    before = _store(teams)
    answer = api.post("/v1/events/batch", headers=bearer(secrets["admin"]), json={"events": [
        AWAY, {**HELD_WITH, "children_discussed": ["c7"]}]})
    assert answer.status_code == 409
    assert "c7" in answer.json()["detail"]
    assert _store(teams) == before


def test_closing_a_task_as_admin_refuses_a_child_the_store_does_not_hold(
        api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """tm1:sw1's second supervision (due after 2 Feb's session) closed by admin with
    children_discussed [c9]: 409, the task still open."""
    task = "relationship:tm1:sw1:supervision:2"
    before = _store(teams)
    answer = api.post(f"/v1/tasks/{task}/close", headers=bearer(secrets["admin"]),
                      json={"on": "2026-02-27", "fields": {"children_discussed": ["c9"]}})
    assert answer.status_code == 409, answer.text
    assert answer.json()["detail"].endswith("hold: c9.")
    assert _store(teams) == before


@pytest.mark.parametrize("planned", ["yes", "no", 1, 0, "true", None])
def test_planned_is_true_or_false_and_nothing_else(
        api: TestClient, teams: App, secrets: dict[str, str], planned: object) -> None:
    """An absence with planned "yes", "no", 1, 0, "true" or null: 422 naming ``planned``,
    nothing written."""
    before = _store(teams)
    answer = api.post("/v1/events", headers=bearer(secrets["admin"]),
                      json={**AWAY, "planned": planned})
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("body.supervisor_absence_started.planned:")
    assert _store(teams) == before


def test_planned_true_is_recorded(api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """The same absence with JSON ``true``: 201, tm1's relationship moves on."""
    answer = api.post("/v1/events", headers=bearer(secrets["admin"]),
                      json={**AWAY, "planned": True})
    assert answer.status_code == 201, answer.text


def _cli(app: App, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env["OVERSIGHT_HOME"] = str(app.settings.home)
    return subprocess.run([str(Path(sys.executable).parent / "oversight"), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_event_command_refuses_the_same_two_in_one_line(teams: App) -> None:
    """``--field planned=no`` and a JSON session discussing c9: exit 1, one line each, the
    store unchanged; ``--field planned=true`` is recorded."""
    before = _store(teams)
    word = _cli(teams, "event", "--type", "supervisor_absence_started", "--on", "2026-02-24",
                "--field", "supervisor=tm1", "--field", "planned=no")
    assert word.returncode == 1
    assert word.stderr.strip().splitlines() == [
        "error: supervisor_absence_started: planned: Input should be a valid boolean"]
    child = _cli(teams, "event", '{"type": "supervision_held", "on": "2026-02-23", '
                                 '"supervisor": "tm1", "supervisee": "sw1", '
                                 '"children_discussed": ["c1", "c9"]}')
    assert child.returncode == 1
    assert child.stderr.strip().splitlines() == [
        "error: children_discussed names children the store does not hold: c9"]
    assert _store(teams) == before
    done = _cli(teams, "event", "--type", "supervisor_absence_started", "--on", "2026-02-24",
                "--field", "supervisor=tm1", "--field", "planned=true")
    assert done.returncode == 0, done.stderr


def test_the_subject_access_export_leaves_out_the_calendar_feeds_digest(
        api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """sw1 has a feed: the export lists it (id, person, created) without its hash, as it lists
    tokens without theirs."""
    with teams.engine.begin() as connection:
        feed, secret = calendar_feeds.issue(connection, "sw1", now=NOW)
    export = api.get("/v1/subject-access/sw1", headers=bearer(secrets["dpo"])).json()
    [row] = export["records"]["calendar_feeds"]
    assert row["id"] == feed.id and row["person"] == "sw1"
    assert "hash" not in row
    assert calendar_feeds._hash(secret) not in str(export)  # noqa: SLF001 - the digest itself


def test_a_close_names_its_fields_keys_and_refuses_one_its_event_does_not_take(
        api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """tm1:sw1's second supervision closed with ``nonsense``: 422 (no close takes it, the
    schema says so); with ``outcome`` (a final assessment's, not a session's): 409 naming it;
    neither leaves a trace."""
    task = "relationship:tm1:sw1:supervision:2"
    before = _store(teams)
    unknown = api.post(f"/v1/tasks/{task}/close", headers=bearer(secrets["admin"]),
                       json={"on": "2026-02-27", "fields": {"nonsense": 1}})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.fields.nonsense"
    untaken = api.post(f"/v1/tasks/{task}/close", headers=bearer(secrets["admin"]),
                       json={"on": "2026-02-27", "fields": {"outcome": "passed"}})
    assert untaken.status_code == 409
    assert untaken.json()["detail"] == "a supervision_held does not take outcome: leave it out"
    assert _store(teams) == before
