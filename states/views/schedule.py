"""The supervision sessions ahead: a cadence projected forward from the next one due.

Supervisors plan the year (sunderland §4.3: the schedule for the next 12 months prepared in
January; surrey §4.3: Family Safeguarding sessions planned 6–12 months ahead). The next session
is due on the open task's date; each one after it falls one interval later, the interval in
force on the day of the session before (DOMAIN.md "Cadence"), so an ASYE's weekly phase gives way
to fortnightly and monthly sessions as the year goes on. A session already planned on or before a
due date takes its place, and the cadence runs on from the planned date.

Pure: no clock, no store. The caller gives the dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from oversight.states.calendar import WorkingCalendar
from oversight.states.policy.model import Policy
from oversight.states.policy.rules import Interval

IntervalOn = Callable[[date], Interval]
"""The interval in force for a session held on a given day."""

MAX_OCCURRENCES = 400
"""More than a year of weekly sessions: a guard against an interval of zero days."""


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One session on the calendar."""

    on: date
    status: Literal["overdue", "due", "planned", "projected"]
    """``overdue``/``due``: the open task's date; ``planned``: a session booked for that day;
    ``projected``: one interval after the session before."""
    session: str | None = None
    """The planned session's identifier."""


def project(first_due: date, interval_on: IntervalOn, *, today: date, until: date,
            calendar: WorkingCalendar,
            planned: Iterable[tuple[date, str]] = ()) -> list[Occurrence]:
    """Sessions from ``first_due`` (an open task's due date) to ``until``, in date order.

    A due date already past is ``overdue``; the cadence then runs on from ``today``, as if the
    session were held today. Planned sessions before ``today`` are left out (they were held,
    cancelled or are late: the open task says which).
    """
    booked = sorted((day, ident) for day, ident in planned if day >= today)
    found: list[Occurrence] = []
    due, status = first_due, "due"
    if due < today:
        found.append(Occurrence(due, "overdue"))
        due, status = _next(today, interval_on, calendar), "projected"
    index = 0
    while len(found) < MAX_OCCURRENCES:
        if index < len(booked) and booked[index][0] <= due:
            day, ident = booked[index]
            index += 1
            if day > until:
                break
            found.append(Occurrence(day, "planned", ident))
            due, status = _next(day, interval_on, calendar), "projected"
            continue
        if due > until:
            break
        # status is one of Occurrence's literal statuses, chosen above; mypy sees only a str.
        found.append(Occurrence(due, status))  # type: ignore[arg-type]
        due, status = _next(due, interval_on, calendar), "projected"
    return found


def _next(day: date, interval_on: IntervalOn, calendar: WorkingCalendar) -> date:
    following = interval_on(day).due(day, calendar)
    return following if following > day else date.fromordinal(day.toordinal() + 1)


def personal_interval(policy: Policy, role: str, started: date | None) -> IntervalOn | None:
    """The personal supervision interval of ``role`` on a day (``initially`` phases counted from
    ``started``), as :class:`~oversight.states.machines.SupervisoryRelationship` opens its tasks;
    None when the role has no cadence of its own (an ASYE follows the ASYE journey)."""
    cadence = policy.cadence_for(role)
    if cadence is None or cadence.every is None:
        return None
    calendar = policy.working_calendar()
    every = cadence.every

    def interval_on(day: date) -> Interval:
        if started is not None:
            for phase in cadence.initially:
                if day < phase.until.after(started, calendar):
                    return phase.every
        return every

    return interval_on


def asye_interval(policy: Policy, phase_starts: dict[str, date]) -> IntervalOn:
    """The ASYE phase's interval on a day, given the journey's (pause-shifted) phase starts."""
    def interval_on(day: date) -> Interval:
        current = policy.asye.phases[0]
        for phase in policy.asye.phases:
            if phase_starts[phase.phase] <= day:
                current = phase
        return current.every

    return interval_on


__all__ = ["Occurrence", "asye_interval", "personal_interval", "project"]
