"""Every read is in the access log, allowed or refused (issue 20, point 2): the application's
routes (``app.routes``: the API and the dashboard's pages) and the command line's commands
(the typer app's tree) are enumerated, each is either a read with a request that is allowed and
one that is refused, or named here as no read with the reason; a route or command added later
fails the first two tests until it is put in one table or the other."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import typer
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from oversight.adapters.cli.app import app as cli
from oversight.adapters.store import calendar_feeds
from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import NOW
from tests.security.conftest import ROLE_PEOPLE, bearer


class Read(NamedTuple):
    """A request, as a role (None: no token, as a calendar client) and a URL."""

    role: str | None
    url: str


class Case(NamedTuple):
    allowed: Read
    refused: Read | None
    """None only where no signed-in reader can be refused: the reason is ``why_none``."""
    why_none: str = ""


EAST_TASK = "relationship:tm1:sw1:supervision:2"
WEST_TASK = "relationship:tm2:sw3:supervision:1"
QUARTER = "from=2026-01-01&to=2026-03-31"
LISTS_WHAT_IT_MAY = "a list shows only what the viewer may see: it refuses no one signed in"

API_READS: dict[str, Case] = {
    "/v1/access-log": Case(Read("auditor", "/v1/access-log"),
                           Read("supervisor", "/v1/access-log")),
    "/v1/subject-access/{person}": Case(Read("dpo", "/v1/subject-access/sw1"),
                                        Read("admin", "/v1/subject-access/sw1")),
    "/v1/entities/{kind}/{entity_id}": Case(Read("supervisor", "/v1/entities/relationship/tm1:sw1"),
                                            Read("supervisor",
                                                 "/v1/entities/relationship/tm2:sw3")),
    **{f"/v1/entities/{{kind}}/{{entity_id}}/{part}": Case(
        Read("supervisor", f"/v1/entities/relationship/tm1:sw1/{part}"),
        Read("supervisor", f"/v1/entities/relationship/tm2:sw3/{part}"))
       for part in ("timers", "tasks", "history")},
    "/v1/tasks": Case(Read("supervisee", "/v1/tasks"), Read("system", "/v1/tasks")),
    "/v1/tasks/{task_id}": Case(Read("supervisor", f"/v1/tasks/{EAST_TASK}"),
                                Read("supervisor", f"/v1/tasks/{WEST_TASK}")),
    "/v1/people/{person}/calendar.ics": Case(Read("supervisee", "/v1/people/sw1/calendar.ics"),
                                             Read("supervisee", "/v1/people/sw3/calendar.ics")),
    "/v1/feeds/{secret}.ics": Case(Read(None, "/v1/feeds/{feed}.ics"),
                                   Read(None, "/v1/feeds/no-such-feed.ics")),
    "/v1/asye": Case(Read("workforce", "/v1/asye"), Read("system", "/v1/asye")),
    "/v1/asye/{worker}": Case(Read("workforce", "/v1/asye/sw2"), Read("dpo", "/v1/asye/sw2")),
    "/v1/compliance": Case(Read("manager", f"/v1/compliance?{QUARTER}"),
                           Read("supervisee", f"/v1/compliance?{QUARTER}")),
}
"""The API's reads (a bearer token)."""

PAGE_READS: dict[str, Case] = {
    "/asye": Case(Read("manager", "/asye"), None, LISTS_WHAT_IT_MAY),
    "/asye/{worker}": Case(Read("supervisor", "/asye/sw2"), Read("supervisee", "/asye/sw2")),
    "/team": Case(Read("manager", f"/team?{QUARTER}"), Read("supervisee", "/team")),
    "/tasks": Case(Read("supervisee", "/tasks"), None, LISTS_WHAT_IT_MAY),
    "/tasks/{task_id}": Case(Read("supervisor", f"/tasks/{EAST_TASK}"),
                             Read("supervisor", f"/tasks/{WEST_TASK}")),
}
"""The dashboard's pages (a session opened with a token)."""

NOT_READS: dict[str, str] = {
    "/v1/health": "liveness: the store's policy and delivery counts, no one's record",
    "/v1/events": "a write: recorded in the audit trail with its actor",
    "/v1/events/batch": "a write: recorded in the audit trail with its actor",
    "/v1/events/{event_id}/retract": "a write: recorded in the audit trail with its actor",
    "/v1/events/{event_id}/amend": "a write: recorded in the audit trail with its actor",
    "/v1/tasks/{task_id}/close": "a write: recorded in the audit trail with its actor",
    "/openapi.json": "the API's own description",
    "/docs": "the API's own description",
    "/docs/oauth2-redirect": "the API's own description",
    "/redoc": "the API's own description",
    "/": "the home page: the store's day and three links",
    "/login": "signing in",
    "/logout": "signing out",
    "/dashboard.css": "the stylesheet",
}

CLI_READS: dict[str, list[str]] = {
    "status": ["status"],
    "tasks": ["tasks"],
    "history": ["history", "relationship:tm1:sw1"],
    "why": ["why", EAST_TASK],
    "asye": ["asye"],
    "report": ["report", "--from", "2026-01-01", "--to", "2026-03-31"],
    "calendar": ["calendar", "sw1", "--from", "2026-03-02"],
    "subject-access": ["subject-access", "sw1", "--out", "{tmp}/sw1.json"],
    "deliveries": ["deliveries"],
    "feed list": ["feed", "list"],
    "token list": ["token", "list"],
    "replan": ["replan", "--dry-run"],  # without --dry-run a write, its moves shown alike
}
"""The commands that show records, and a run of each that shows some. The operator's
credential is the machine's account (the reader is ``os:<user>``): no role refuses it, so a
command has no refused read to log; one asked for a record the store does not hold reads
nothing and says so."""

CLI_NOT_READS: dict[str, str] = {
    **{name: "a write, recorded in the audit trail" for name in (
        "init", "sweep", "dispatch", "duties", "import", "synth", "purge",
        "event record", "event retract", "event amend", "deliveries retry", "feed issue",
        "feed revoke", "token create", "token rotate", "token revoke")},
    **{name: "starts a server or a deployment whose requests are logged as they are read"
       for name in ("serve", "api", "deploy")},
    **{name: "the policies, events and machines the product ships: no one's record"
       for name in ("events", "diagram", "policy list", "policy show", "policy lint",
                    "policy diff", "policy compare", "adapters check")},
    **{name: "a simulation in a store of its own, of people it makes up"
       for name in ("simulate", "demo")},
    "audit verify": "checks the chains: counts and row numbers, no record's content",
    "audit anchor": "appends the chains' heads and counts outside the store, no record's content",
    "audit rotate-key": "adds a key to the chain's key file; reads no record",
}


def _commands(command: Any, path: tuple[str, ...] = ()) -> set[str]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return {" ".join(path)}
    found = {" ".join(path)} if path and getattr(command, "invoke_without_command", False) \
        else set()
    for name, sub in subcommands.items():
        found |= _commands(sub, (*path, name))
    return found


def _log(app: App) -> list[dict[str, Any]]:
    with app.engine.connect() as connection:
        return [dict(row) for row in connection.execute(select(
            t.access_log.c.role, t.access_log.c.person, t.access_log.c.resource,
            t.access_log.c.target, t.access_log.c.outcome, t.access_log.c.reader)
            .order_by(t.access_log.c.id)).mappings()]


def test_every_route_of_the_application_is_a_read_with_its_cases_or_named_as_no_read(
        api: TestClient) -> None:
    """``app.routes`` (API and dashboard) against the three tables: none missing, none extra,
    none in two."""
    # FastAPI keeps an included router as one route: iter_route_contexts unfolds them.
    paths = {str(route.path) for route in iter_route_contexts(
        api.app.routes)}  # type: ignore[attr-defined]
    tables = [set(API_READS), set(PAGE_READS), set(NOT_READS)]
    assert not (tables[0] & tables[1]) and not ((tables[0] | tables[1]) & tables[2])
    assert paths == tables[0] | tables[1] | tables[2]


def test_every_command_is_a_read_with_a_run_or_named_as_no_read() -> None:
    """The typer app's tree of commands against the two tables."""
    group = typer.main.get_command(cli)
    group.list_commands(None)  # type: ignore[arg-type] - builds every command module
    commands = _commands(group)
    assert not set(CLI_READS) & set(CLI_NOT_READS)
    assert commands == set(CLI_READS) | set(CLI_NOT_READS)


def _request(api: TestClient, teams: App, secrets: dict[str, str], read: Read,
             page: bool, feed: str) -> int:
    url = read.url.replace("{feed}", feed)
    if not page:
        headers = bearer(secrets[read.role]) if read.role else {}
        return api.get(url, headers=headers).status_code
    api.cookies.clear()
    form = api.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]*)"', form)
    assert csrf is not None and read.role is not None
    assert api.post("/login", data={"token": secrets[read.role],
                                    "csrf": csrf.group(1)}).status_code == 303
    return api.get(url).status_code


def _new_lines(teams: App, before: int) -> list[dict[str, Any]]:
    return _log(teams)[before:]


@pytest.mark.parametrize("path", sorted(API_READS) + sorted(PAGE_READS))
def test_each_read_is_logged_when_allowed_and_when_refused(
        api: TestClient, teams: App, secrets: dict[str, str], path: str) -> None:
    """The allowed request answers 200 and writes lines under its role, each ``allowed``; the
    refused one answers 403 or 404 and writes lines under its role, each ``refused``."""
    page = path in PAGE_READS
    case = (PAGE_READS if page else API_READS)[path]
    with teams.engine.begin() as connection:
        _, feed = calendar_feeds.issue(connection, "sw1", now=NOW)
    for read, statuses, outcome in ((case.allowed, {200}, "allowed"),
                                    (case.refused, {403, 404}, "refused")):
        if read is None:
            assert case.why_none, f"{path}: a read with no refused case says why"
            continue
        before = len(_log(teams))
        status = _request(api, teams, secrets, read, page, feed)
        assert status in statuses, (read, status)
        lines = _new_lines(teams, before)
        assert lines, f"{read} wrote no access-log line"
        role = read.role or "feed"
        person = ROLE_PEOPLE.get(read.role) if read.role else None
        assert {(line["role"], line["person"], line["outcome"]) for line in lines} == {
            (role, person, outcome)}, lines


@pytest.mark.parametrize("command", sorted(CLI_READS))
def test_each_reading_command_logs_its_read_under_the_operator(
        teams: App, tmp_path: Path, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in process with the store's home: exit 0, and one line or more, role ``operator``,
    reader ``os:…``, outcome ``allowed``."""
    for name in [name for name in os.environ if name.startswith("OVERSIGHT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OVERSIGHT_HOME", str(teams.settings.home))
    before = len(_log(teams))
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in CLI_READS[command]]
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 0, run.output
    lines = _new_lines(teams, before)
    assert lines, f"oversight {command} wrote no access-log line"
    assert {(line["role"], line["outcome"]) for line in lines} == {("operator", "allowed")}
    assert all(str(line["reader"]).startswith("os:") for line in lines)


def test_a_read_without_a_live_token_is_refused_and_not_logged(
        api: TestClient, teams: App) -> None:
    """No token, or an unknown one: 401 and no line (no one to name; the log is not for
    anyone at all to fill)."""
    assert api.get("/v1/access-log").status_code == 401
    assert api.get("/v1/asye", headers=bearer("oversight_nope")).status_code == 401
    with teams.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.access_log)).scalar() == 0
