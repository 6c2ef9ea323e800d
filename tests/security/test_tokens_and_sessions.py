"""Tokens expire, rotate, are revoked and show their last use; dashboard sessions live on the
server, end on sign-out and when idle, and every form is protected against cross-site posts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oversight.adapters.api import create_app
from oversight.adapters.store import credentials
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import NOW
from tests.security.conftest import bearer


class Clock:
    """The instant requests are handled at, moved by the test."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def site(teams: App, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(teams, clock=clock), base_url="http://127.0.0.1",
                    follow_redirects=False) as client:
        yield client


def _token(app: App, role: str = "manager", person: str | None = "tm1",
           lifetime: timedelta | None = credentials.TOKEN_LIFETIME
           ) -> tuple[credentials.TokenRecord, str]:
    with app.engine.begin() as connection:
        return credentials.create_token(connection, role=role, person=person, now=NOW,
                                        lifetime=lifetime)


def _csrf(client: TestClient, page: str = "/login") -> str:
    found = re.search(r'name="csrf" value="([^"]*)"', client.get(page).text)
    assert found is not None
    return found.group(1)


def _sign_in(client: TestClient, secret: str) -> None:
    answer = client.post("/login", data={"token": secret, "next": "/tasks",
                                         "csrf": _csrf(client)})
    assert answer.status_code == 303, answer.text


def test_a_token_lives_ninety_days_by_default(site: TestClient, teams: App,
                                              clock: Clock) -> None:
    """Made Mon 2 Mar 2026 09:00: live on Sat 30 May 08:59 (89 days later), refused from
    Sun 31 May 09:00 (90 days)."""
    record, secret = _token(teams)
    assert record.expires_at == datetime(2026, 5, 31, 9, 0, tzinfo=NOW.tzinfo)
    clock.now = datetime(2026, 5, 31, 8, 59, tzinfo=NOW.tzinfo)
    assert site.get("/v1/tasks", headers=bearer(secret)).status_code == 200
    clock.now = datetime(2026, 5, 31, 9, 0, tzinfo=NOW.tzinfo)
    answer = site.get("/v1/tasks", headers=bearer(secret))
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


def test_a_revoked_token_is_refused_and_ends_its_dashboard_sessions(
        site: TestClient, teams: App) -> None:
    """Revoked: the API answers 401 and the open dashboard session goes back to sign-in."""
    record, secret = _token(teams)
    _sign_in(site, secret)
    assert site.get("/tasks").status_code == 200
    with teams.engine.begin() as connection:
        assert credentials.revoke_token(connection, record.id, now=NOW)
    assert site.get("/v1/tasks", headers=bearer(secret)).status_code == 401
    assert site.get("/tasks").headers["location"].startswith("/login")


def test_a_rotated_token_is_replaced_by_one_with_the_same_role_and_person(
        site: TestClient, teams: App) -> None:
    """After rotation the old secret is refused, the new one reads, and the old record points
    at its successor."""
    record, secret = _token(teams)
    with teams.engine.begin() as connection:
        rotated = credentials.rotate_token(connection, record.id, now=NOW)
    assert rotated is not None
    successor, new_secret = rotated
    assert (successor.role, successor.person) == ("manager", "tm1")
    assert site.get("/v1/tasks", headers=bearer(secret)).status_code == 401
    assert site.get("/v1/tasks", headers=bearer(new_secret)).status_code == 200
    with teams.engine.connect() as connection:
        old = credentials.token_by_id(connection, record.id)
    assert old is not None and old.replaced_by == successor.id


def test_a_token_shows_when_it_was_last_used(site: TestClient, teams: App,
                                             clock: Clock) -> None:
    """Used at 10:15 on 3 Mar: last_used_at says so (to the minute)."""
    record, secret = _token(teams)
    clock.now = datetime(2026, 3, 3, 10, 15, tzinfo=NOW.tzinfo)
    site.get("/v1/tasks", headers=bearer(secret))
    with teams.engine.connect() as connection:
        used = credentials.token_by_id(connection, record.id)
    assert used is not None and used.last_used_at == clock.now


def test_a_dashboard_session_ends_after_thirty_idle_minutes(
        site: TestClient, teams: App, clock: Clock) -> None:
    """Seen at 09:00; at 09:29 it is still open; left 31 minutes after that, it is over."""
    _, secret = _token(teams)
    _sign_in(site, secret)
    clock.now = NOW + timedelta(minutes=29)
    assert site.get("/tasks").status_code == 200
    clock.now = NOW + timedelta(minutes=29 + 31)
    assert site.get("/tasks").headers["location"].startswith("/login")


def test_signing_out_needs_the_sessions_csrf_value_and_ends_the_session(
        site: TestClient, teams: App) -> None:
    """A sign-out post without the page's CSRF value is refused; with it the session is
    ended on the server, so the old cookie no longer opens a page."""
    _, secret = _token(teams)
    _sign_in(site, secret)
    cookie = site.cookies.get("oversight_session")
    assert site.post("/logout", data={}).status_code == 403
    assert site.post("/logout", data={"csrf": _csrf(site, "/tasks")}).status_code == 303
    site.cookies.set("oversight_session", cookie or "")
    assert site.get("/tasks").headers["location"].startswith("/login")


def test_sign_in_refuses_a_post_from_another_site_or_without_the_forms_value(
        site: TestClient, teams: App) -> None:
    """Login CSRF: no CSRF value, a wrong one, or another Origin: 403 and no session."""
    _, secret = _token(teams)
    value = _csrf(site)
    tries = [{"token": secret}, {"token": secret, "csrf": "guess"}]
    for form in tries:
        assert site.post("/login", data=form).status_code == 403
    foreign = site.post("/login", data={"token": secret, "csrf": value},
                        headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert "oversight_session" not in site.cookies


def test_cookies_are_secure_outside_loopback(teams: App) -> None:
    """Served as testserver (not loopback): both cookies carry Secure, HttpOnly and
    SameSite=Strict."""
    with TestClient(create_app(teams, clock=lambda: NOW), base_url="http://testserver",
                    follow_redirects=False) as remote:
        form = remote.get("/login")
        login_cookie = form.headers["set-cookie"]
        assert "Secure" in login_cookie and "HttpOnly" in login_cookie
        value = re.search(r'name="csrf" value="([^"]*)"', form.text)
        assert value is not None
        _, secret = _token(teams)
        answer = remote.post("/login", data={"token": secret, "csrf": value.group(1)},
                             headers={"Cookie": login_cookie.split(";")[0]})
        session = next(c for c in answer.headers.get_list("set-cookie")
                       if c.startswith("oversight_session="))
    assert "Secure" in session and "HttpOnly" in session and "samesite=strict" in \
        session.lower()


def test_every_answer_carries_the_security_headers(site: TestClient,
                                                   secrets: dict[str, str]) -> None:
    """Pages and API alike: CSP with frame-ancestors 'none', no referrer, no caching."""
    for answer in (site.get("/login"), site.get("/v1/tasks", headers=bearer(
            secrets["admin"])), site.get("/v1/health")):
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"


def test_the_token_commands_create_rotate_and_list_with_expiry_and_last_use(
        teams: App, tmp_path: Path) -> None:
    """``token create --days 30`` expires 30 days after it was made; ``rotate`` revokes it and
    prints a new one; ``list --json`` shows both with expiry, last use and the successor."""
    oversight = str(Path(sys.executable).parent / "oversight")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(teams.settings.home))

    def run(*args: str) -> dict | list:  # type: ignore[type-arg]
        done = subprocess.run([oversight, *args, "--json"], env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    made = run("token", "create", "--role", "supervisor", "--person", "tm1", "--days", "30")
    assert isinstance(made, dict)
    created = datetime.fromisoformat(made["created_at"])
    assert datetime.fromisoformat(made["expires_at"]) - created == timedelta(days=30)
    rotated = run("token", "rotate", made["id"])
    assert isinstance(rotated, dict) and rotated["replaces"] == made["id"]
    listed = {row["id"]: row for row in run("token", "list")}  # type: ignore[union-attr]
    assert listed[made["id"]]["replaced_by"] == rotated["id"]
    assert listed[made["id"]]["revoked_at"] is not None
    assert listed[rotated["id"]]["last_used_at"] is None


@pytest.mark.parametrize("role", ["dpo", "system"])
def test_a_live_token_of_a_role_without_a_dashboard_is_told_so_at_sign_in(
        site: TestClient, teams: App, role: str) -> None:
    """A dpo's or system's live token at sign-in: 403 with the form again, saying the role has
    no dashboard (not that the token is invalid), and no session is opened."""
    _, secret = _token(teams, role, None)
    answer = site.post("/login", data={"token": secret, "next": "/tasks",
                                       "csrf": _csrf(site)})
    assert answer.status_code == 403
    assert (f"That token is a {role} token, and the {role} role has no dashboard: it reads "
            f"through the API.") in answer.text
    assert "not valid" not in answer.text
    assert site.cookies.get("oversight_session") is None
