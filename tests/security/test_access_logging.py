"""Every read of personal data is logged: each API route, each dashboard page, each command
that shows records (the operating-system user as the reader), with the purpose when given."""

from __future__ import annotations

import getpass
import os
import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.security.conftest import bearer


def _log(app: App) -> list[tuple[str | None, str, str, str, str | None, str | None]]:
    with app.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(  # type: ignore[misc]
            t.access_log.c.person, t.access_log.c.role, t.access_log.c.resource,
            t.access_log.c.target, t.access_log.c.purpose, t.access_log.c.reader)
            .order_by(t.access_log.c.id))]


def test_the_progress_compliance_and_access_log_routes_are_logged_with_their_purpose(
        api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """tm2 (a manager) reads the ASYE list, one journey and the figures, an auditor the log:
    one row each, with what was read and the X-Purpose sent."""
    manager = {**bearer(secrets["manager"]), "X-Purpose": "monthly team review"}
    assert api.get("/v1/asye", headers=manager).status_code == 200
    assert api.get("/v1/asye/sw3", headers=manager).status_code == 404  # west has no ASYE
    assert api.get("/v1/compliance", params={"from": "2026-01-01", "to": "2026-03-31"},
                   headers=manager).status_code == 200
    assert api.get("/v1/access-log", headers=bearer(secrets["auditor"])).status_code == 200
    assert _log(teams) == [
        ("tm2", "manager", "asye", "asye", "monthly team review", None),
        ("tm2", "manager", "asye", "asye:sw3", "monthly team review", None),
        ("tm2", "manager", "compliance", "team:tm2", "monthly team review", None),
        ("aud1", "auditor", "access-log", "access-log:all", None, None)]


def test_a_purpose_with_control_characters_is_refused_and_nothing_is_read(
        api: TestClient, teams: App, secrets: dict[str, str]) -> None:
    """``X-Purpose`` carrying a tab: 422, and no read happened (nothing logged)."""
    answer = api.get("/v1/entities/relationship/tm1:sw1", headers={
        **bearer(secrets["admin"]), "X-Purpose": "audit\tDROP"})
    assert answer.status_code == 422
    assert _log(teams) == []


def test_each_dashboard_page_logs_what_it_showed(api: TestClient, teams: App,
                                                 secrets: dict[str, str]) -> None:
    """Signed in as tm2: the task list logs each task's lifecycle shown, the team page the
    team, an ASYE page (not theirs) a refusal."""
    form = api.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]*)"', form)
    assert csrf is not None
    assert api.post("/login", data={"token": secrets["manager"],
                                    "csrf": csrf.group(1)}).status_code == 303
    assert api.get("/tasks").status_code == 200
    assert api.get("/team").status_code == 200
    assert api.get("/asye/sw2").status_code == 404
    logged = [(resource, target) for _, _, resource, target, _, _ in _log(teams)]
    assert ("dashboard:tasks", "relationship:tm2:sw3") in logged
    assert ("dashboard:tasks", "assessment:c2") in logged
    assert not [target for resource, target in logged
                if resource == "dashboard:tasks" and "tm1" in target]
    assert ("dashboard:team", "team:tm2") in logged
    assert ("dashboard:asye", "asye:sw2") in logged


def test_each_reading_command_logs_the_operating_system_user(teams: App) -> None:
    """history, tasks, why, asye and report: one row or more each, the reader os:<user>."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(teams.settings.home), OVERSIGHT_PURPOSE="case audit")
    oversight = str(Path(sys.executable).parent / "oversight")
    for args in (["history", "relationship:tm1:sw1"], ["tasks"],
                 ["why", "relationship:tm1:sw1:supervision:2"], ["asye"],
                 ["report", "--from", "2026-01-01", "--to", "2026-03-31"]):
        run = subprocess.run([oversight, *args], env=env, capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 0, run.stderr
    rows = _log(teams)
    reader = f"os:{getpass.getuser()}"
    assert {resource for _, _, resource, _, _, _ in rows} == {
        "history", "tasks", "why", "asye", "report"}
    assert {(role, purpose, who) for _, role, _, _, purpose, who in rows} == {
        ("operator", "case audit", reader)}
    assert ("history", "relationship:tm1:sw1") in {(r[2], r[3]) for r in rows}
    assert ("why", "relationship:tm1:sw1") in {(r[2], r[3]) for r in rows}
    assert ("asye", "asye:sw2") in {(r[2], r[3]) for r in rows}
