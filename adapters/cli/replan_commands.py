"""``oversight replan``: move open tasks' due dates onto another version of the store's policy.

``--dry-run`` shows each move and why some tasks keep their date; without it the moves are made
and their messages sent. Registered on the app by :func:`register`.
"""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from oversight.adapters import clock
from oversight.adapters.cli.console import JsonFlag, fail, handled, out, print_json
from oversight.adapters.cli.operator_reads import log_read
from oversight.adapters.cli.runtime import settings


def register(app: typer.Typer) -> None:
    """Add ``replan`` to ``app``."""
    app.command()(replan)


def replan(
    policy: str | None = typer.Option(None, "--policy", help="The store's authority "
                                         "(default: the one it runs)."),
    version: str | None = typer.Option(None, "--version", help="The version to move onto "
                                          "(default: the latest, config/policies/NAME/*.yaml)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only show which due dates would "
                                 "move and by how much; change nothing."),
    as_json: bool = JsonFlag,
) -> None:
    """Move open tasks' due dates onto a new policy version (--dry-run: only show the moves)."""
    from oversight.states.event_time import london_today
    from oversight.workflows.bootstrap import open_app
    from oversight.workflows.recording import replan as replanning

    with handled():
        ready = open_app(settings())
        book = ready.service.book
        if policy is not None and policy != book.authority:
            fail(f"this store runs the '{book.authority}' policy, not '{policy}'")
        target = book.version(version) if version else book.latest
        if dry_run:
            plan = replanning.preview(ready.store, book, target)
        else:
            now = clock.now()
            plan = replanning.apply(ready.store, book, target, on=london_today(now), now=now,
                                    link_base=ready.settings.link_base)
        # The moves name open tasks (and so people): shown, they are read.
        log_read(ready.store, "replan", [f"task:{move.task_id}" for move in plan.moves]
                 + [f"task:{task}" for task, _ in plan.kept])
    if as_json:
        print_json({**plan.to_json(), "applied": not dry_run})
        return
    verb = "would move" if dry_run else "moved"
    table = Table(title=f"Due dates that {verb} under {book.authority} version {target.version} "
                        f"(in effect from {target.effective_from.isoformat()})",
                  title_justify="left")
    for column in ("Task", "Rule", "From", "Start", "Interval", "Due", "New due", "Moves"):
        table.add_column(column, overflow="fold" if column in ("Task", "Rule") else "ellipsis",
                         no_wrap=column in ("Start", "Due", "New due"),
                         justify="right" if column == "Moves" else "left")
    for move in plan.moves:
        shift = f"{move.days:+d} days" + (" (not before the version)" if move.held_back else "")
        table.add_row(Text(move.task_id), Text(move.rule), Text(move.from_version),
                      Text(move.start.isoformat()),
                      Text(f"{move.old_interval} \u2192 {move.new_interval}"),
                      Text(move.old_due.isoformat()), Text(move.new_due.isoformat()),
                      Text(shift))
    console = out()
    if plan.moves:
        console.print(table)
    console.print(f"{len(plan.moves)} open task(s) {verb} under {book.authority} version "
                  f"{target.version}; {plan.unchanged} have the same date "
                  f"under this version" + (f"; {len(plan.kept)} keep theirs:" if plan.kept
                                           else "."), markup=False)
    for task, reason in plan.kept:
        console.print(f"  {task}: {reason}", markup=False, soft_wrap=True)
    if dry_run and plan.moves:
        console.print("Nothing was changed (--dry-run).", markup=False)
