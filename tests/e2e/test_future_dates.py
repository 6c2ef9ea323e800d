"""No entry takes a day after today: every date option of the CLI and date parameter of the API
is refused after today (one line and exit 1, or an RFC 9457 problem, store unchanged) or named
here as looking ahead on purpose. They are enumerated from typer's command tree and FastAPI's
routes, so a new one fails ``test_every_date_...`` until it is given a case or a reason. The CLI
runs on the `today` fixture's clock; the API's is Mon 2 Mar 2026 (tests/e2e/api_server.py)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import typer
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from typer.testing import CliRunner

from oversight.adapters.api import create_app
from oversight.adapters.cli.app import app as cli
from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    api_store,
    client,
    seeded,
    server,
    token,
)
from tests.integration.helpers import snapshot

# ----- the CLI --------------------------------------------------------------------------------

CLI_REFUSED: dict[tuple[str, str], list[str]] = {
    # (command, option): the command line, with {day} where the day after today goes
    ("sweep", "--as-of"): ["sweep", "--as-of", "{day}"],
    ("tasks", "--as-of"): ["tasks", "--breached", "--as-of", "{day}"],
    ("asye", "--as-of"): ["asye", "--as-of", "{day}"],
    ("report", "--as-of"): ["report", "--from", "2026-01-01", "--to", "2026-03-31",
                            "--as-of", "{day}"],
    ("report", "--from"): ["report", "--from", "{day}", "--to", "9999-12-31"],
    ("purge", "--as-of"): ["purge", "--as-of", "{day}"],
    ("event record", "--on"): ["event", "--type", "supervision_held", "--on", "{day}",
                               "-f", "supervisor=tm1", "-f", "supervisee=sw1"],
    ("event amend", "--on"): ["event", "amend", "{event}", "--reason", "typo", "--type",
                              "supervision_held", "--on", "{day}", "-f", "supervisor=tm1",
                              "-f", "supervisee=sw1"],
}
"""Each date option refused after today, and how to give it one."""

CLI_LOOKS_AHEAD = {
    ("calendar", "--from"): "a calendar shows the sessions ahead, from any day",
    ("report", "--to"): "a period may run on past today (the quarter in progress); it is "
                        "judged as of --as-of, itself refused after today",
}
"""Date options that take a day after today on purpose, and why."""


@pytest.fixture
def live(seeded: App, monkeypatch: pytest.MonkeyPatch) -> App:
    """The seeded store, the one the CLI's environment names."""
    monkeypatch.setenv("OVERSIGHT_HOME", str(seeded.settings.home))
    monkeypatch.delenv("OVERSIGHT_DATABASE_URL", raising=False)
    return seeded


def held(app: App) -> str:
    """The record id of the seed's supervision_held (Mon 2 Feb 2026), for the amend cases."""
    with app.engine.connect() as connection:
        return connection.execute(select(t.event_log.c.record_id).where(
            t.event_log.c.type == "supervision_held")).scalars().one()


def cli_commands() -> Iterator[tuple[str, Any]]:
    """Every command of the CLI, by its path (``event amend``), from typer's own tree."""
    def walk(command: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        if hasattr(command, "list_commands"):  # a group
            for name in command.list_commands(None):
                yield from walk(command.get_command(None, name), [*path, name])
        else:
            yield " ".join(path), command

    yield from walk(typer.main.get_command(cli), [])


def cli_date_options() -> set[tuple[str, str]]:
    """Every option that takes a day: its help says YYYY-MM-DD, or it is an --as-of."""
    found = set()
    for path, command in cli_commands():
        for param in command.params:
            opts = getattr(param, "opts", [])
            if "YYYY-MM-DD" in (getattr(param, "help", None) or "") or "--as-of" in opts:
                found.add((path, opts[0]))
    return found


def test_the_cli_walk_sees_every_command_and_the_date_options_known_today():
    """The walk reaches nested commands (``event amend``) and finds sweep's --as-of."""
    paths = {path for path, _ in cli_commands()}
    assert {"sweep", "dispatch", "simulate", "purge", "event amend", "token create"} <= paths
    assert ("sweep", "--as-of") in cli_date_options()


def test_every_date_option_of_the_cli_is_refused_after_today_or_looks_ahead_on_purpose():
    """A new date option fails here until it has a refusal case or a reason to look ahead."""
    assert cli_date_options() == set(CLI_REFUSED) | set(CLI_LOOKS_AHEAD)
    assert not set(CLI_REFUSED) & set(CLI_LOOKS_AHEAD)


@pytest.mark.parametrize("entry", sorted(CLI_REFUSED), ids=" ".join)
def test_the_cli_refuses_a_day_after_today(entry: tuple[str, str], live: App,
                                           today: date) -> None:
    """The day after today: exit 1, one line saying so, store unchanged."""
    event = held(live)
    tomorrow = (today + timedelta(days=1)).isoformat()
    args = [arg.format(day=tomorrow, event=event) for arg in CLI_REFUSED[entry]]
    before = snapshot(live.engine)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert tomorrow in lines[0] and ("after today" in lines[0] or "in the future" in lines[0])
    assert snapshot(live.engine) == before


def test_sweep_as_of_9999_12_31_is_refused_and_writes_nothing(live: App, today: date) -> None:
    """The case of the issue: `oversight sweep --as-of 9999-12-31` used to breach, escalate and
    destroy in the future; now exit 1, one line, no breach, no timer fired."""
    before = snapshot(live.engine)
    result = CliRunner().invoke(cli, ["sweep", "--as-of", "9999-12-31"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: --as-of 9999-12-31 is after today "
                                     f"({today.isoformat()}, Europe/London): give today or a "
                                     f"day before")
    assert snapshot(live.engine) == before


# ----- the API --------------------------------------------------------------------------------

API_REFUSED: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {
    # (method, path, parameter): (the request's path, its query or JSON body); {day} as above
    ("get", "/v1/compliance", "as_of"): ("/v1/compliance", {"query": {"as_of": "{day}"}}),
    ("get", "/v1/compliance", "from"): ("/v1/compliance", {"query": {"from": "{day}"}}),
    ("post", "/v1/events", "on"): ("/v1/events", {"json": {
        "type": "supervision_held", "on": "{day}", "supervisor": "tm1", "supervisee": "sw1"}}),
    ("post", "/v1/events/batch", "events[].on"): ("/v1/events/batch", {"json": {"events": [{
        "type": "supervision_held", "on": "{day}", "supervisor": "tm1", "supervisee": "sw1"}]}}),
    ("post", "/v1/events/{event_id}/amend", "event.on"): (
        "/v1/events/{event}/amend", {"json": {"reason": "typo", "event": {
            "type": "supervision_held", "on": "{day}", "supervisor": "tm1",
            "supervisee": "sw1"}}}),
    # A referral is never after its assessment's start, which is never after today (Mon 2 Mar).
    ("post", "/v1/events", "referred_on"): ("/v1/events", {"json": {
        "type": "assessment_started", "on": "2026-03-02", "child": "c1", "worker": "sw1",
        "manager": "tm1", "referred_on": "{day}"}}),
    ("post", "/v1/events/batch", "events[].referred_on"): ("/v1/events/batch", {"json": {
        "events": [{"type": "assessment_started", "on": "2026-03-02", "child": "c1",
                    "worker": "sw1", "manager": "tm1", "referred_on": "{day}"}]}}),
    ("post", "/v1/events/{event_id}/amend", "event.referred_on"): (
        "/v1/events/{event}/amend", {"json": {"reason": "typo", "event": {
            "type": "assessment_started", "on": "2026-03-02", "child": "c1", "worker": "sw1",
            "manager": "tm1", "referred_on": "{day}"}}}),
    # sw1's session held Mon 2 Feb raised the next one, due Mon 2 Mar (4 weeks on).
    ("post", "/v1/tasks/{task_id}/close", "on"): (
        "/v1/tasks/relationship:tm1:sw1:supervision:2/close", {"json": {"on": "{day}"}}),
}
"""Each date parameter refused after today, and a request giving it the day after."""

API_LOOKS_AHEAD = {
    ("get", "/v1/tasks", "due_from"): "a filter: tasks due from any day, next week's too",
    ("get", "/v1/tasks", "due_to"): "a filter: tasks due up to any day",
    ("get", "/v1/compliance", "to"): "a period may run on past today (the quarter in "
                                     "progress); as_of is refused after today",
    ("get", "/v1/people/{person}/calendar.ics", "from"): "a calendar shows the sessions ahead",
}
"""Date parameters that take a day after today on purpose, and why."""

PAGES_REFUSED = {
    ("get", "/team", "from"): "tests/integration/test_dashboard.py::"
                              "test_the_team_page_refuses_a_period_starting_after_today",
}
"""The dashboard's pages (not in the OpenAPI document) whose day is refused after today, and
the test that shows it (a page needs a signed-in session: the dashboard's tests have one)."""

PAGES_LOOK_AHEAD = {
    ("get", "/team", "to"): "a period may run on past today (the quarter in progress)",
}

DAY_NAMES = {"from", "to", "as_of", "on", "start", "end", "day"}
"""A page's query parameter named so takes a day (pages take their query as text)."""

EVENT_DATES_CHECKED_BY_THE_SERVICE = ("born", "extended_to", "for_date", "returned_on")
"""An event's other dates: not more than 10 years after its ``on`` (a session planned ahead, an
ASYE extended to), refused by the service with the event (tests/e2e/test_event_dates.py)."""


def api_date_parameters(api: Any) -> set[tuple[str, str, str]]:
    """Every (method, path, parameter) of the API's routes whose value is a day: query and
    path parameters and the request body's fields, nested ones too (``event.on``)."""
    spec = api.openapi()

    def dated(schema: Any, at: str, seen: frozenset[str]) -> list[str]:
        if not isinstance(schema, dict):
            return []
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name in seen:
                return []
            return dated(spec["components"]["schemas"][name], at, seen | {name})
        found = [at] if schema.get("format") == "date" else []
        for key, value in schema.get("properties", {}).items():
            found += dated(value, f"{at}.{key}" if at else key, seen)
        for alternative in [*schema.get("anyOf", []), *schema.get("oneOf", []),
                            *schema.get("allOf", [])]:
            found += dated(alternative, at, seen)
        if "items" in schema:
            found += dated(schema["items"], at + "[]", seen)
        return found

    found = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", [])
                     if dated(p.get("schema", {}), p["name"], frozenset())]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                names += dated(content.get("schema", {}), "", frozenset())
            found |= {(method, path, name) for name in names
                      if name.rsplit(".", 1)[-1] not in EVENT_DATES_CHECKED_BY_THE_SERVICE}
    return found


def page_date_parameters(api: Any) -> set[tuple[str, str, str]]:
    """Every (method, path, parameter) of the app's routes left out of the OpenAPI document
    (the dashboard's pages) whose query parameter takes a day (by type, or by name)."""
    documented = set(api.openapi()["paths"])
    found = set()
    for route in iter_route_contexts(api.routes):
        if route.path in documented or route.endpoint is None:
            continue
        for name, parameter in inspect.signature(route.endpoint).parameters.items():
            alias = getattr(parameter.default, "alias", None) or name
            if alias in DAY_NAMES or "date" in str(parameter.annotation):
                found |= {(method.lower(), route.path, alias) for method in route.methods or ()}
    return found


def test_the_enumeration_sees_every_route_of_the_app(api_store: App):
    """FastAPI's own list of the app's routes: the /v1 ones are all in the OpenAPI document,
    and the rest (the dashboard's pages) are read from their signatures."""
    api = create_app(api_store)
    paths = {route.path for route in iter_route_contexts(api.routes)}
    assert {"/v1/events", "/v1/compliance", "/team", "/tasks"} <= paths
    assert {path for path in paths if path.startswith("/v1/")} <= set(api.openapi()["paths"])


def test_every_date_parameter_of_a_dashboard_page_is_refused_after_today_or_looks_ahead(
        api_store: App):
    """A new page taking a day fails here until it is refused after today or says why not."""
    found = page_date_parameters(create_app(api_store))
    assert found == set(PAGES_REFUSED) | set(PAGES_LOOK_AHEAD)


def test_every_date_parameter_of_the_api_is_refused_after_today_or_looks_ahead_on_purpose(
        api_store: App):
    """A new date parameter fails here until it has a refusal case or a reason to look ahead."""
    found = api_date_parameters(create_app(api_store))
    assert found == set(API_REFUSED) | set(API_LOOKS_AHEAD)


@pytest.mark.parametrize("entry", sorted(API_REFUSED), ids=lambda e: f"{e[0]} {e[1]} {e[2]}")
def test_the_api_refuses_a_day_after_today(entry: tuple[str, str, str], seeded: App,
                                           server: Any) -> None:
    """Tue 3 Mar 2026, the day after the server's today: a problem (4xx, RFC 9457) naming the
    day, store unchanged."""
    event = held(seeded)
    path, given = API_REFUSED[entry]

    def filled(value: Any) -> Any:
        if isinstance(value, str):
            return value.format(day="2026-03-03", event=event)
        if isinstance(value, dict):
            return {key: filled(item) for key, item in value.items()}
        return None if value is None else [filled(item) for item in value]

    before = snapshot(seeded.engine)
    role = "system" if entry[1].startswith("/v1/events") else "admin"
    with client(server, token(seeded, role)) as http:
        answer = http.request(entry[0].upper(), filled(path),
                              params=filled(given.get("query")), json=filled(given.get("json")))
    assert answer.status_code in (409, 422), answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "2026-03-03" in answer.text
    assert "after today" in answer.text or "in the future" in answer.text
    assert snapshot(seeded.engine) == before  # a refused read is not logged either


def test_simulate_against_a_live_store_is_refused_and_changes_nothing(live: App) -> None:
    """`simulate` runs a scenario on its own virtual clock, so only on a fresh store: given the
    live store's file, one line, exit 1, the store unchanged."""
    store = live.settings.home / "oversight.db"
    assert store.exists()
    before = snapshot(live.engine)
    result = CliRunner().invoke(cli, ["simulate", "example", "--store", str(store)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "already exists: a simulation needs a fresh store" in lines[0]
    assert snapshot(live.engine) == before
