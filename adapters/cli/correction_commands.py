"""``oversight event retract`` and ``oversight event amend``: correct a mistaken record.

Retracting an event re-derives every entity it was applied to without it (tasks it closed open
again, tasks it raised are withdrawn, their receivers told); the event log and the audit keep
the retracted event, who retracted it (the operating-system user), when and why. Amending is
retracting and recording the corrected event, in one transaction.

``event`` stays the command that records an event (``oversight event --type …`` or JSON): this
module turns it into a group whose first word may name ``retract`` or ``amend``, and otherwise
runs ``event record`` as before. Registered after ``event_commands`` (``COMMAND_MODULES``).
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from oversight.adapters import clock
from oversight.adapters.cli.console import JsonFlag, handled, out, print_json
from oversight.adapters.cli.event_commands import event as record_event
from oversight.adapters.cli.event_commands import event_data
from oversight.adapters.cli.operator_reads import operator
from oversight.adapters.cli.runtime import open_store

_SUBCOMMANDS = ("record", "retract", "amend")


class _EventGroup(TyperGroup):
    """``oversight event ARGS``: ``record`` unless ARGS begin with a subcommand (or help)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in _SUBCOMMANDS and args[0] not in ("--help", "-h"):
            args = ["record", *args]
        return super().parse_args(ctx, args)


def register(app: typer.Typer) -> None:
    """Replace ``app``'s ``event`` command with the group of record, retract and amend."""
    app.registered_commands = [c for c in app.registered_commands
                               if c.callback is not record_event]
    group = typer.Typer(cls=_EventGroup, no_args_is_help=True,
                        help="Record an event (the default), retract one, or amend one.")
    group.command("record")(record_event)
    group.command("retract")(retract)
    group.command("amend")(amend)
    app.add_typer(group, name="event")


def _show(outcome: Any, as_json: bool, what: str) -> None:
    changes = [line for line in outcome.transitions if line.get("trigger") == "rederive"]
    if as_json:
        print_json({"entities": [{k: v for k, v in line.items() if k not in ("from", "to")}
                                 for line in changes], "tasks_opened": outcome.tasks_opened})
        return
    out().print(what, markup=False)
    for line in changes:
        parts = [f"{len(line[name])} {label}" for name, label in (
            ("met_late", "met late"), ("withdrawn", "withdrawn"), ("reopened", "reopened"),
            ("breached", "breached"), ("opened", "opened")) if line[name]]
        out().print(f"  {line['entity']} re-derived: {', '.join(parts) or 'no task changed'}",
                    markup=False, soft_wrap=True)


def retract(
    event_id: str = typer.Argument(..., help="The event's id (its event_id, or the id "
                                             "`oversight history` shows)."),
    reason: str = typer.Option(..., "--reason", help="Why it is retracted (kept in the audit)."),
    as_json: bool = JsonFlag,
) -> None:
    """Retract a mistaken event: its entities are re-derived without it."""
    from oversight.workflows.recording.retraction import Corrections

    with handled():
        outcome = Corrections(open_store().service).retract(
            event_id, reason=reason, actor=operator(), now=clock.now())
    _show(outcome, as_json, f"Retracted {event_id}.")


def amend(
    event_id: str = typer.Argument(..., help="The id of the event to replace."),
    payload: str | None = typer.Argument(None, help="The corrected event as JSON ('-': stdin)."),
    reason: str = typer.Option(..., "--reason", help="Why it is amended (kept in the audit)."),
    type_: str | None = typer.Option(None, "--type", help="Corrected event's type."),
    on: str | None = typer.Option(None, "--on", help="Date it happened, YYYY-MM-DD."),
    field: list[str] = typer.Option([], "--field", "-f", help="A field as KEY=VALUE; repeat it."),
    as_json: bool = JsonFlag,
) -> None:
    """Replace an event by a corrected one: retract it and record the new one, together."""
    from oversight.states.events.registry import parse_event
    from oversight.workflows.recording.retraction import Corrections

    data = event_data(payload, type_, on, field)
    with handled():
        corrected = parse_event(data)
        outcome = Corrections(open_store().service).amend(
            event_id, corrected, reason=reason, actor=operator(), now=clock.now())
    _show(outcome, as_json, f"Amended {event_id}: recorded {corrected.type} on {corrected.on}.")


__all__ = ["amend", "register", "retract"]
