"""The actor is the credential: no request field chooses who the audit says did something."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import token
from tests.security.conftest import bearer

TASK = "relationship:tm1:sw1:supervision:2"
"""tm1's supervision of sw1, due Mon 2 Mar 2026 (2 Feb + 4 weeks, surrey §4.1)."""


def _actors(app: App) -> list[str | None]:
    with app.engine.connect() as connection:
        return list(connection.execute(select(t.audit.c.actor).order_by(t.audit.c.id))
                    .scalars())


def test_a_supervisor_cannot_close_their_task_as_the_head_of_service(
        api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """``fields.actor = hos1`` on tm1's own task: 403 naming nobody, nothing written; the same
    close without it records tm1 as the actor."""
    before = _actors(teams)
    forged = api.post(f"/v1/tasks/{TASK}/close", headers=bearer(secrets["supervisor"]),
                      json={"on": "2026-03-02", "fields": {"actor": "hos1"}})
    assert forged.status_code == 403, forged.text
    assert forged.json()["type"] == "urn:oversight:problem:actor-not-allowed"
    assert "hos1" not in forged.text
    assert _actors(teams) == before
    honest = api.post(f"/v1/tasks/{TASK}/close", headers=bearer(secrets["supervisor"]),
                      json={"on": "2026-03-02"})
    assert honest.status_code == 200, honest.text
    written = _actors(teams)[len(before):]
    assert written and set(written) == {"tm1"}


def test_a_service_token_without_the_scope_cannot_name_an_actor(
        api: TestClient, teams: App) -> None:
    """A system token not allowed to act for staff posting ``actor: tm1``: 403, no event."""
    plain = token(teams, "system", "lcs")
    before = _actors(teams)
    answer = api.post("/v1/events", headers=bearer(plain), json={
        "type": "supervision_held", "on": "2026-03-02", "supervisor": "tm1",
        "supervisee": "sw1", "actor": "tm1"})
    assert answer.status_code == 403, answer.text
    assert _actors(teams) == before


def test_a_service_token_allowed_to_act_for_staff_is_recorded_as_acting_for_them(
        api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """LCS (acts_for) posts tm1's session: the audit says "system:lcs for tm1"; naming
    someone the store does not hold is a 409 (the store's state refuses it)."""
    before = _actors(teams)
    answer = api.post("/v1/events", headers=bearer(secrets["system"]), json={
        "type": "supervision_held", "on": "2026-03-02", "supervisor": "tm1",
        "supervisee": "sw1", "actor": "tm1"})
    assert answer.status_code == 201, answer.text
    assert set(_actors(teams)[len(before):]) == {"system:lcs for tm1"}
    unknown = api.post("/v1/events", headers=bearer(secrets["system"]), json={
        "type": "supervision_held", "on": "2026-03-02", "supervisor": "tm2",
        "supervisee": "sw3", "actor": "nobody9"})
    assert unknown.status_code == 409, unknown.text


def test_an_event_without_an_actor_records_the_token(
        api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """The admin token, which names no person, is recorded by role and token id."""
    before = _actors(teams)
    answer = api.post("/v1/events", headers=bearer(secrets["admin"]), json={
        "type": "supervision_held", "on": "2026-03-02", "supervisor": "tm2",
        "supervisee": "sw3"})
    assert answer.status_code == 201, answer.text
    written = set(_actors(teams)[len(before):])
    assert len(written) == 1 and next(iter(written)).startswith("admin:tok_")


def test_the_command_line_records_the_operating_system_user(
        teams: App, tmp_path: Path) -> None:
    """``oversight event`` run by this user: the audit says ``os:<user>`` (and "for tm1" when
    the event names tm1)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(teams.settings.home))
    event = {"type": "supervision_held", "on": "2026-03-02", "supervisor": "tm1",
             "supervisee": "sw1", "actor": "tm1"}
    before = _actors(teams)
    run = subprocess.run([str(Path(sys.executable).parent / "oversight"), "event",
                          json.dumps(event), "--json"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert set(_actors(teams)[len(before):]) == {f"os:{getpass.getuser()} for tm1"}
