"""``oversight duties``: start the duties a policy keeps per member of staff, for the staff list.

Devon §8's annual appraisal is owed by every member of staff; run this after `oversight import
staff` (and after each later import) instead of recording a start for each person. Registered on
the app by :func:`register`.
"""

from __future__ import annotations

import typer

from oversight.adapters import clock
from oversight.adapters.cli.console import JsonFlag, handled, out, print_json
from oversight.adapters.cli.runtime import open_store


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("duties")(duties)


def duties(as_json: bool = JsonFlag) -> None:
    """Start every per-staff-member duty of the policy (devon §8: the annual appraisal) for
    each member of staff with a line manager who does not keep it yet."""
    from oversight.workflows.recording.staff_duties import start_for_staff_list

    with handled():
        outcome = start_for_staff_list(open_store().service, now=clock.now())
    if as_json:
        print_json({"started": outcome.applied, "tasks_opened": outcome.tasks_opened})
        return
    out().print(f"Started {outcome.applied} duty(ies): {outcome.tasks_opened} task(s) opened.",
                markup=False)


__all__ = ["duties", "register"]
