"""``oversight``: the command line at the edge of the engine.

Each command parses its input, calls the application (``workflows``) and shows the outcome: rich
tables for people, ``--json`` for programs. Any error a person can fix is one line on stderr and
exit code 1, never a traceback (``console``). Prefect is imported only by the commands that run
flows, so ``oversight --help`` stays quick; those commands keep Prefect's console quiet
(``runtime``).

The commands live in one module per concept, each with a ``register(app)`` that adds its
commands to the app. A module is imported when one of its commands runs (``oversight status``
imports the reading commands and no other), all of them when help lists every command: together
they take longer to import than a read takes. To add a command module (say
``audit_commands.py``):

1. write ``adapters/cli/audit_commands.py`` with ``def register(app: typer.Typer) -> None``,
   taking ``JsonFlag``, ``fail``, ``handled``, ``out``, ``print_json`` from
   ``oversight.adapters.cli.console`` and ``open_store``/``settings`` from
   ``oversight.adapters.cli.runtime`` (never from this module, which imports yours);
2. add one line to ``COMMAND_MODULES`` below: its module name and the names of the commands
   (or command groups) it registers. Help lists commands in this order
   (``tests/unit/test_cli_modules.py`` checks the names against what each module registers).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from importlib import import_module
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

# The shared helpers, importable from here too for command modules written before the split.
from oversight.adapters.cli.console import JsonFlag, err, fail, handled, out, parse_date, print_json
from oversight.adapters.cli.first_use import program, show_version, tidy_help
from oversight.adapters.cli.runtime import open_store, settings

__all__ = ["COMMAND_MODULES", "JsonFlag", "app", "fail", "handled", "main", "open_store", "out",
           "parse_date", "print_json", "settings"]

COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "oversight.adapters.cli.store_commands": ("init", "sweep", "dispatch", "serve"),
    "oversight.adapters.cli.event_commands": ("event",),
    # event retract, event amend (issue 12): makes `event` a group, so it comes after
    "oversight.adapters.cli.correction_commands": ("event",),
    # per-staff-member duties from the staff list
    "oversight.adapters.cli.duty_commands": ("duties",),
    # every event type, its fields and lifecycles
    "oversight.adapters.cli.vocabulary_commands": ("events",),
    "oversight.adapters.cli.inbound_commands": ("import", "calendar", "api"),  # issue 6
    "oversight.adapters.cli.reading_commands": ("status", "tasks", "history", "why", "diagram"),
    "oversight.adapters.cli.simulation_commands": ("simulate", "demo"),
    "oversight.adapters.cli.report_commands": ("asye", "report"),  # issue 7
    # policy list, show, lint, diff, compare (issue 4)
    "oversight.adapters.cli.policy_commands": ("policy",),
    "oversight.adapters.cli.replan_commands": ("replan",),  # issue 4
    "oversight.adapters.cli.deploy_commands": ("synth", "deploy"),  # issue 8
    "oversight.adapters.cli.delivery_commands": ("deliveries", "adapters"),  # issue 5
    # feed issue, revoke, list: calendar feeds (issue 13)
    "oversight.adapters.cli.feed_commands": ("feed",),
    # token create, rotate, revoke, list (issue 14)
    "oversight.adapters.cli.token_commands": ("token",),
    "oversight.adapters.cli.audit_commands": ("audit",),  # audit verify (issue 14)
    "oversight.adapters.cli.privacy_commands": ("subject-access", "purge"),  # issue 14
}
"""Each command module and the commands or command groups it registers, in the order they are
registered (help lists the commands in that order, then the groups)."""


class CommandsOnDemand(TyperGroup):
    """The app's commands, built from the modules that register them when they are asked for:
    one command's modules when it runs, every module when help lists them (in the order of
    :data:`COMMAND_MODULES`, as registering them all at start did)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built: set[str] = set()

    def list_commands(self, ctx: Any) -> list[str]:
        self._build(COMMAND_MODULES)
        return super().list_commands(ctx)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            self._build([module for module, names in COMMAND_MODULES.items()
                         if cmd_name in names] or COMMAND_MODULES)
        return super().get_command(ctx, cmd_name)

    def _build(self, modules: Iterable[str]) -> None:
        """Register ``modules`` together on an app of their own, as they were on this one
        (one module may change what another registered: ``event``), and take its commands;
        every module at once replaces them all, so they stay in order."""
        modules = list(modules)
        if set(modules) <= self._built:
            return
        scratch = typer.Typer()
        for name in modules:
            import_module(name).register(scratch)
        tidy_help(scratch)  # each help paragraph on one line: typer keeps a docstring's breaks
        commands = typer.main.get_group(scratch).commands
        if len(modules) == len(COMMAND_MODULES):
            self.commands = dict(commands)
        else:
            self.commands.update(commands)
        self._built |= set(modules)


app = typer.Typer(
    name="oversight",
    cls=CommandsOnDemand,
    help="Supervision policies of English children's social care, run as state machines with "
         "durable timers. The store is OVERSIGHT_HOME (default ./.oversight) or "
         "OVERSIGHT_DATABASE_URL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

@app.callback()
def options(policy_dir: Path | None = typer.Option(
        None, "--policy-dir", help="Look for policies here first, then in ./config/policies, then "
                                   "in the shipped ones (or set OVERSIGHT_POLICY_DIR).",
        file_okay=False),
            version: bool = typer.Option(False, "--version", is_eager=True, callback=show_version,
                                         help="Print the installed version and stop.")) -> None:
    """Options for every command, given before it: ``oversight --policy-dir DIR init``."""
    if policy_dir is not None:
        # Through the environment, so the settings of every command (and of the flow runs it
        # starts in other processes) see it; absolute, since those may run elsewhere.
        os.environ["OVERSIGHT_POLICY_DIR"] = str(policy_dir.resolve())


tidy_help(app)  # the app's own help; each module's commands are tidied as they are built


def refuse_test_clock() -> None:
    """A test clock (OVERSIGHT_CLOCK) beside a store that is not a scratch store stops every
    command before it reads or writes anything, whether or not the command reads the clock."""
    if not os.environ.get("OVERSIGHT_CLOCK"):
        return
    from oversight.adapters.clock import ClockRefused, clock

    try:
        clock()
    except ClockRefused as error:
        err().print(f"error: {error}", markup=False, soft_wrap=True)
        sys.exit(1)


def main() -> None:
    """Entry point: usage errors are one line and exit code 1, like every other error."""
    command = typer.main.get_command(app)
    refuse_test_clock()
    try:
        code = command.main(prog_name="oversight", standalone_mode=False)
    except typer.TyperException as error:  # usage errors: a missing argument, an unknown option
        if type(error).__name__ == "NoArgsIsHelpError":
            sys.exit(0)  # no command given: the help was shown, as asked
        context = getattr(error, "ctx", None)
        where = context.command_path if context is not None else "oversight"
        where = where.replace("oversight", program(), 1)  # as it can be run (off PATH too)
        if "--json" in sys.argv[1:]:
            typer.echo(json.dumps({"error": f"{error.format_message()} (see `{where} --help`)"}))
        err().print(f"error: {error.format_message()} (see `{where} --help`)", markup=False,
                    soft_wrap=True)
        sys.exit(1)
    except typer.Abort:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
