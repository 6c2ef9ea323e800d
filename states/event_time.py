"""Event time and record time: the day an event happened (``on``) against the moment it is recorded.

Nothing can have happened in the future, and nothing this product times happened before
:data:`FLOOR`: an event dated outside that range is refused at every entry (the application
service checks every event it is given), so a slip of the keyboard (2999 for 2026) can neither
close a task centuries ahead nor overflow the date arithmetic (9999-12-25 + 4 weeks). "Today" is
the Europe/London date of the ``now`` the edge passes in: the domain reads no clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, overload
from zoneinfo import ZoneInfo

from oversight.states.errors import EventDateRefused

if TYPE_CHECKING:  # a read of the store converts its times here without the event models
    from oversight.states.events.base import DomainEvent

LONDON = ZoneInfo("Europe/London")

FLOOR = date(1990, 1, 1)
"""The earliest date an event may carry: older than any record a council would still time."""


@overload
def as_utc(instant: datetime) -> datetime: ...
@overload
def as_utc(instant: None) -> None: ...
def as_utc(instant: datetime | None) -> datetime | None:
    """``instant`` in UTC: a naive one is taken as UTC (SQLite hands instants back without
    their zone, and every instant the product stores is UTC), an aware one is converted; None
    stays None. The one naive-to-UTC normalisation."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def naive_utc(instant: datetime) -> datetime:
    """``instant`` as a naive UTC instant (a naive one is taken as UTC already): the form the
    audit chain digests, since SQLite and PostgreSQL hand the same instant back one naive, the
    other aware."""
    return as_utc(instant).replace(tzinfo=None)


def london_today(now: datetime) -> date:
    """The Europe/London date of the instant ``now`` (a naive ``now`` is taken as UTC): the
    one definition of "today" (the edge's clock, adapters/clock.py, reads ``now``)."""
    return as_utc(now).astimezone(LONDON).date()


def refuse_out_of_range(event_type: str, on: date, now: datetime) -> None:
    """Raise :class:`EventDateRefused` unless ``FLOOR <= on <= today``."""
    today = london_today(now)
    if on > today:
        raise EventDateRefused(
            f"{event_type} dated {on.isoformat()} is in the future (today is "
            f"{today.isoformat()}, Europe/London): record what has happened, on the day it did")
    if on < FLOOR:
        raise EventDateRefused(
            f"{event_type} dated {on.isoformat()} is before {FLOOR.isoformat()}, the earliest "
            f"date an event may carry: check the year")


HORIZON_YEARS = 10
"""How far after ``on`` another date of an event may lie (a session planned ahead, an ASYE
extended to): far enough for any plan, near enough for the date arithmetic."""


def refuse_dates(event: DomainEvent, now: datetime) -> None:
    """:func:`refuse_out_of_range` for ``on``, and for every other date the event carries:
    not before :data:`FLOOR`, not more than :data:`HORIZON_YEARS` after ``on``."""
    refuse_out_of_range(event.type, event.on, now)
    horizon = date(min(event.on.year + HORIZON_YEARS, 9000), 12, 31)
    for name in type(event).model_fields:
        value = getattr(event, name)
        if name == "on" or not isinstance(value, date):
            continue
        if not FLOOR <= value <= horizon:
            raise EventDateRefused(
                f"{event.type}: {name} {value.isoformat()} is out of range (from "
                f"{FLOOR.isoformat()} to {horizon.isoformat()}, {HORIZON_YEARS} years after "
                f"the event): check the year")


__all__ = ["FLOOR", "HORIZON_YEARS", "LONDON", "as_utc", "london_today", "naive_utc",
           "refuse_dates", "refuse_out_of_range"]
