"""Fixtures of the security suite: the two teams of the API tests in a real SQLite store, a
token per role, and an in-process client of the whole application (API and dashboard).

hos1 manages tm1 (east) and tm2 (west); tm1 supervises sw1 (child c1) and the ASYE sw2; tm2
supervises sw3 (child c2). Each team also has a session held: tm1:sw1 on 2 Feb, tm2:sw3 on
9 Feb 2026; west has booked session ``west-s1`` for 9 Mar.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oversight.adapters.api import create_app
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import NOW, SEED, make_store, token

ROLE_PEOPLE: dict[str, str | None] = {
    "system": "lcs", "supervisee": "sw1", "supervisor": "tm1", "manager": "tm2",
    "workforce": "wf1", "auditor": "aud1", "admin": None, "dpo": "dpo1"}
"""The person each role's token names in these tests."""
WEST_SESSION = {"type": "supervision_held", "on": "2026-02-09", "supervisor": "tm2",
                "supervisee": "sw3"}
WEST_PLANNED = {"type": "session_planned", "on": "2026-02-20", "supervisor": "tm2",
                "supervisee": "sw3", "session": "west-s1", "for_date": "2026-03-09"}
"""A session west has booked: its id is one east's tokens must not be able to probe."""
LEAKS = ("sw2", "sw3", "tm2", "c2", "hos1")
"""Ids east's tokens may not learn of (sw1, tm1 and c1 are theirs)."""


@pytest.fixture
def teams(tmp_path: Path) -> Iterator[App]:
    """The two teams after their first events (SEED) and west's session."""
    app = make_store(tmp_path)
    for raw in [*SEED, WEST_SESSION, WEST_PLANNED]:
        app.service.record(parse_event(raw), now=NOW)
    yield app
    app.engine.dispose()


@pytest.fixture
def secrets(teams: App) -> dict[str, str]:
    """A live token per role (system's may act for staff), by role."""
    return {role: token(teams, role, person, acts_for=role == "system")
            for role, person in ROLE_PEOPLE.items()}


@pytest.fixture
def api(teams: App) -> Iterator[TestClient]:
    """The application on the fixed clock (Monday 2 March 2026), served as on loopback."""
    with TestClient(create_app(teams, clock=lambda: NOW), base_url="http://127.0.0.1",
                    follow_redirects=False) as client:
        yield client


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


__all__ = ["LEAKS", "ROLE_PEOPLE", "WEST_PLANNED", "WEST_SESSION", "api", "bearer", "secrets",
           "teams"]
