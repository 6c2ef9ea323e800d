"""What an ASYE task's date was counted from, worked out again when a pause moves it.

A stored task keeps only its due date, and a date moved off a weekend cannot be told from the
date it was moved from: a pause must go onto the counted date (DOMAIN.md, "shifts first, one roll
last"), so the count is done again from the rule that opened the task. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from oversight.states.calendar import NonWorkingDay, WorkingCalendar
from oversight.states.policy.asye_section import Asye, AsyePhase
from oversight.states.policy.rules import shifted
from oversight.states.values import Basis


def counted_so_far(asye: Asye, calendar: WorkingCalendar, data: dict[str, Any], key: str,
                   phase_on: Callable[[date], AsyePhase]
                   ) -> tuple[Basis, NonWorkingDay | None]:
    """The arithmetic of the journey's task ``key``: the rule's count from the journey's start
    (or the last session, or the extension decided), the pauses already added (``shifted`` in
    the task's data) and the one roll, with that rule's convention for non-working days.

    A date the rule does not give (an escalation, a task of an older version, a session recorded
    out of order) counts as given: ``0 days`` after its own due date, not moved.
    """
    task = data["tasks"][key]
    kind, _, name = key.partition(":")
    started = date.fromisoformat(data["started"])
    due = date.fromisoformat(task["due"])
    review = next((r for r in asye.reviews if kind == "review" and r.review == name), None)
    extensions = data.get("extensions", [])
    found: tuple[Basis, NonWorkingDay | None] | None = None
    if review is not None:
        found = review.at.basis(started, calendar), review.at.non_working_day
    elif task["type"] == "asye_final_assessment" and extensions:
        found = Basis(date.fromisoformat(extensions[-1]["on"]), "extension to the date decided",
                      date.fromisoformat(extensions[-1]["to"])), None
    elif task["type"] == "asye_final_assessment":
        found = asye.final.at.basis(started, calendar), asye.final.at.non_working_day
    elif task["type"] == "asye_supervision":
        held = max(map(date.fromisoformat, data["sessions"]), default=started)
        every = phase_on(held).every
        found = every.basis(held, calendar), every.non_working_day
    if found is not None:
        current = shifted(found[0], task.get("shifted", 0), calendar, found[1])
        if current.result == due:
            return current, found[1]
    return Basis(due, "0 days", due), None
