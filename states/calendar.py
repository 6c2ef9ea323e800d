"""The working-day calendar: the time arithmetic every rule is computed with.

DOMAIN.md fixes the meaning of each unit:

- *N working days after D*: day 0 is D itself; day N is the N-th working day after D.
- *N weeks*: 7·N calendar days.
- *N months*: the same day of the month N months on, clamped to that month's last day.
- *A deadline never falls on a non-working day*: a date counted in calendar days, weeks or months
  that lands on one moves to the next working day (``next``, the convention of statutory and
  court deadlines), to the previous one (``previous``), or stays (``none``), as the policy says.
  A working-day count lands on a working day already and is never moved.

A working day is Monday to Friday, not a bank holiday of the calendar's region, and not one of
the authority's own closure days. Bank holidays come from the ``holidays`` package, which knows
them offline.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

import holidays

Region = Literal["england-and-wales", "scotland", "northern-ireland"]
NonWorkingDay = Literal["next", "previous", "none"]
"""Where a deadline that lands on a non-working day goes."""

# England and Wales share their bank holidays; "ENG" is the subdivision the package files them
# under.
_SUBDIVISION: dict[str, str] = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


@lru_cache(maxsize=256)
def _bank_holidays(region: str, year: int) -> dict[date, str]:
    """Bank holidays of one region and year, cached: the package builds them slowly."""
    found = holidays.country_holidays("GB", subdiv=_SUBDIVISION[region], years=year)
    return dict(found.items())


def months_after(start: date, months: int) -> date:
    """The same day of the month ``months`` on, clamped to the month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last_day = _stdlib_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def weeks_after(start: date, weeks: int) -> date:
    """Seven calendar days per week."""
    return start + timedelta(weeks=weeks)


class WorkingCalendar:
    """Which days are working days for one authority.

    Immutable once built; cheap to share between every machine of that authority.
    """

    __slots__ = ("region", "closures", "non_working_day")

    def __init__(self, region: Region = "england-and-wales",
                 closures: frozenset[date] = frozenset(),
                 non_working_day: NonWorkingDay = "next"):
        if region not in _SUBDIVISION:
            raise ValueError(f"unknown bank holiday region {region!r}; "
                             f"use one of {sorted(_SUBDIVISION)}")
        if non_working_day not in ("next", "previous", "none"):
            raise ValueError(f"unknown non_working_day {non_working_day!r}; "
                             f"use next, previous or none")
        self.region: Region = region
        self.closures: frozenset[date] = frozenset(closures)
        self.non_working_day: NonWorkingDay = non_working_day

    def __repr__(self) -> str:
        return f"WorkingCalendar(region={self.region!r}, closures={len(self.closures)} days)"

    def holiday_name(self, day: date) -> str | None:
        """The bank holiday or closure on ``day``, if any."""
        if day in self.closures:
            return "authority closure day"
        return _bank_holidays(self.region, day.year).get(day)

    def why_not_working(self, day: date) -> str | None:
        """``weekend``, the bank holiday's name or ``authority closure day``; None on a working
        day."""
        name = self.holiday_name(day)
        if name is not None:
            return name
        return "weekend" if day.weekday() >= 5 else None

    def to_working_day(self, day: date, convention: NonWorkingDay | None = None
                       ) -> tuple[date, tuple[str, ...]]:
        """``day`` moved off non-working days by ``convention`` (the calendar's by default), with
        the reasons of the days it stepped off, in order and each once (empty when not moved)."""
        convention = convention or self.non_working_day
        if convention == "none":
            return day, ()
        step = timedelta(days=1 if convention == "next" else -1)
        reasons: list[str] = []
        while (reason := self.why_not_working(day)) is not None:
            if reason not in reasons:
                reasons.append(reason)
            day += step
        return day, tuple(reasons)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, not a bank holiday, not a closure day."""
        if day.weekday() >= 5:
            return False
        return self.holiday_name(day) is None

    def working_days_after(self, start: date, days: int) -> date:
        """Day ``days`` counted from ``start`` (day 0); negative counts go backwards.

        Day 0 is ``start`` itself even when it is not a working day, as the statutory guidance
        counts an assessment from the day it starts.
        """
        step = 1 if days >= 0 else -1
        remaining = abs(days)
        day = start
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; when ``end`` is before ``start``, minus those in
        ``[end, start)`` (the days a backward count steps onto).

        The inverse of :meth:`working_days_after`: for any ``n``,
        ``working_days_between(d, working_days_after(d, n)) == n``.
        """
        if end < start:
            return -sum(1 for offset in range((start - end).days)
                        if self.is_working_day(end + timedelta(days=offset)))
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def skipped_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Weekday holidays and closures in ``(start, end]``: what a working-day count skipped."""
        skipped = []
        day = start
        while day < end:
            day += timedelta(days=1)
            if day.weekday() < 5:
                name = self.holiday_name(day)
                if name is not None:
                    skipped.append((day, name))
        return skipped
