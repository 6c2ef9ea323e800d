"""``oversight event``: record one event, given as JSON or as flags.

The event is parsed by the same registry the API uses, then recorded by the application
service; a duplicate (same event id) changes nothing. Registered on the app by :func:`register`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from oversight.adapters import clock
from oversight.adapters.cli import views
from oversight.adapters.cli.console import JsonFlag, fail, handled, out, print_json
from oversight.adapters.cli.operator_reads import operator_actor
from oversight.adapters.cli.runtime import open_store


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command()(event)


def event(
    payload: str | None = typer.Argument(
        None, help='The event as JSON, e.g. \'{"type": "supervision_held", "on": "2026-01-12", '
                   '"supervisor": "tm1", "supervisee": "sw1"}\'; "-" reads it from stdin.'),
    type_: str | None = typer.Option(None, "--type", help="Event type, e.g. supervision_held."),
    on: str | None = typer.Option(None, "--on", help="Date it happened, YYYY-MM-DD (default "
                                                        "today)."),
    field: list[str] = typer.Option([], "--field", "-f", help="A field as KEY=VALUE; repeat it."),
    as_json: bool = JsonFlag,
) -> None:
    """Record one event, given as JSON or as --type/--on/--field flags."""
    from oversight.states.events.registry import parse_event

    data = event_data(payload, type_, on, field)
    with handled():
        recorded = parse_event(data)
        # The actor is whoever ran the command (issue 14): an `actor` field is who they act for.
        recorded = recorded.model_copy(update={"actor": operator_actor(recorded.actor)})
        ready = open_store()
        _children_held(ready.store, recorded)
        outcome = ready.service.record(recorded, now=clock.now())
    if as_json:
        print_json({"applied": outcome.applied, "duplicate": bool(outcome.duplicates),
                    "event_id": outcome.recorded[0] if outcome.recorded else recorded.event_id,
                    "tasks_opened": outcome.tasks_opened, "transitions": outcome.transitions})
        return
    if outcome.duplicates:
        out().print(f"Already recorded: event id {recorded.event_id} was applied before.",
                    markup=False)
        return
    # The id the event log keeps it under: `oversight event retract ID` takes it.
    ident = f" (event id {outcome.recorded[0]})" if outcome.recorded else ""
    out().print(f"Recorded {recorded.type} on {recorded.on}{ident}: {outcome.tasks_opened} "
                f"task(s) opened.", markup=False)
    for line in outcome.transitions:
        out().print(f"  {line['entity']}: {line['from']} → {line['to']} ({line['trigger']}, "
                    f"{views.rule_label(line['rule'])})", markup=False, soft_wrap=True)


def _children_held(store: Any, recorded: Any) -> None:
    """One line and exit 1 if the event names children the store does not hold, as the API
    refuses them (issue 20)."""
    children = getattr(recorded, "children_discussed", None)
    if not children:
        return
    from oversight.workflows.recording.references import NOT_HELD, children_not_held

    missing = children_not_held(store, children)
    if missing:
        fail(NOT_HELD.format(", ".join(missing)))


def event_data(payload: str | None, type_: str | None, on: str | None,
               fields: list[str]) -> dict[str, Any]:
    """The event's fields from JSON (an argument or stdin) or from the flags, never both."""
    if payload is not None and (type_ or on or fields):
        fail("give the event as JSON or as --type/--on/--field flags, not both")
    if payload is not None:
        text = sys.stdin.read() if payload == "-" else payload
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            fail(f"the event is not valid JSON ({error.msg} at line {error.lineno} column "
                 f"{error.colno}); see `oversight event --help`")
        if not isinstance(data, dict):
            fail("the event must be a JSON object with 'type', 'on' and its fields")
        return data
    if not type_:
        fail("give the event as JSON, or at least --type (see `oversight event --help`)")
    today = clock.today()
    data = {"type": type_, "on": on or today.isoformat()}
    for item in fields:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--field {item!r}: write KEY=VALUE, e.g. --field supervisor=tm1")
        data[key.strip()] = _flag_value(value.strip())
    return data


def _flag_value(text: str) -> Any:
    """A flag's value as the JSON it spells: ``true`` and ``false`` are the yes-or-no fields'
    only words (as in JSON: "yes" or 1 is refused by the event, issue 20); anything else stays
    text for the event to read."""
    return {"true": True, "false": False}.get(text, text)
