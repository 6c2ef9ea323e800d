"""``oversight import ssd SOURCE``: the Standard Safeguarding Dataset's tables as history
(:mod:`oversight.adapters.imports.ssd`), shown as a table for people or JSON for programs.

Called by ``oversight import`` (:mod:`.inbound_commands`) when its kind is ``ssd``; progress
goes to stderr when a person is watching, so ``--json`` on stdout stays one document.
"""

from __future__ import annotations

import typer
from rich.table import Table

from oversight.adapters import clock
from oversight.adapters.cli.console import err, fail, handled, out, print_json
from oversight.adapters.cli.runtime import open_store


def import_ssd_command(source: str, *, dry_run: bool, mirror: bool, as_json: bool) -> None:
    """Import the extract at ``source``: every fault on stderr and exit 1, or the counts."""
    from oversight.adapters.imports.ssd import ExtractRejected, import_ssd

    watching = err().is_terminal and not as_json
    with handled():
        ready = open_store()
        try:
            report = import_ssd(ready, source, now=clock.now(), dry_run=dry_run,
                                mirror=mirror, progress=_progress if watching else None)
        except ExtractRejected as rejected:
            faults = rejected.faults
            if as_json:
                print_json({"applied": False, "problems": [f.to_json() for f in faults]})
                raise typer.Exit(1) from None
            fail(f"{rejected}\n{len(faults)} problem(s) in the extract; nothing was imported")
    if as_json:
        print_json(report.to_json())
        return
    done = "Checked (dry run, nothing kept)" if dry_run else "Imported"
    rows = sum(report.rows.values())
    table = Table(title=f"{done}: {rows} row(s) of {len(report.rows)} SSD table(s), "
                        f"{report.events} event(s)")
    for name in ("added", "amended", "retracted", "left"):
        table.add_column(name, justify="right")
    table.add_column("tasks opened", justify="right")
    table.add_row(str(report.added), str(report.amended), str(report.retracted),
                  str(report.left), str(report.tasks_opened))
    out().print(table)
    if report.untimed:
        out().print(f"{report.untimed} event(s) left out: the policy in force on their day has "
                    f"no rules for their lifecycle.", markup=False, soft_wrap=True)
    if report.professionals_not_staff:
        out().print(f"{report.professionals_not_staff} professional(s) of ssd_professionals are "
                    f"not in the staff list and no row needs them: not imported.",
                    markup=False, soft_wrap=True)


def _progress(line: str) -> None:
    err().print(f"ssd: {line}", markup=False, soft_wrap=True)


__all__ = ["import_ssd_command"]
