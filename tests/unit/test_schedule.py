"""Projecting a supervision cadence forward for the calendar (oversight.states.views.schedule)."""

from __future__ import annotations

from datetime import date

from oversight.adapters.policy_files import load_policy
from oversight.states.calendar import WorkingCalendar
from oversight.states.policy.rules import Interval
from oversight.states.views.schedule import asye_interval, personal_interval, project

CALENDAR = WorkingCalendar("england-and-wales", frozenset())
FOUR_WEEKS = Interval(weeks=4)


def test_a_four_weekly_cadence_runs_from_the_due_date_to_the_horizon() -> None:
    """Due 2 March, then every 28 days until the last date on or before the horizon; Mon 25 May
    2026 is the Spring bank holiday, so that one is due Tue 26 May and the next 28 days on."""
    found = project(date(2026, 3, 2), lambda day: FOUR_WEEKS, today=date(2026, 3, 2),
                    until=date(2026, 6, 30), calendar=CALENDAR)
    assert [(o.on, o.status) for o in found] == [
        (date(2026, 3, 2), "due"), (date(2026, 3, 30), "projected"),
        (date(2026, 4, 27), "projected"), (date(2026, 5, 26), "projected"),
        (date(2026, 6, 23), "projected")]


def test_a_planned_session_before_the_due_date_takes_its_place_and_the_cadence_follows_it() -> None:
    """A session planned for 25 March, before the 30 March due date, moves the rest along."""
    found = project(date(2026, 3, 2), lambda day: FOUR_WEEKS, today=date(2026, 3, 2),
                    until=date(2026, 5, 31), calendar=CALENDAR,
                    planned=[(date(2026, 3, 25), "s1")])
    assert [(o.on, o.status, o.session) for o in found] == [
        (date(2026, 3, 2), "due", None), (date(2026, 3, 25), "planned", "s1"),
        (date(2026, 4, 22), "projected", None), (date(2026, 5, 20), "projected", None)]


def test_an_overdue_session_stays_on_its_date_and_the_cadence_runs_on_from_today() -> None:
    """Due in January, not held by 2 March: overdue, then due again four weeks after today."""
    found = project(date(2026, 1, 12), lambda day: FOUR_WEEKS, today=date(2026, 3, 2),
                    until=date(2026, 4, 30), calendar=CALENDAR)
    assert [(o.on, o.status) for o in found] == [
        (date(2026, 1, 12), "overdue"), (date(2026, 3, 30), "projected"),
        (date(2026, 4, 27), "projected")]


def test_an_asye_cadence_widens_as_the_phases_change(surrey) -> None:  # type: ignore[no-untyped-def]
    """Weekly until the fortnightly phase starts, fortnightly after it (surrey §4.1); a week after
    Mon 30 Mar is Easter Monday, so Tue 7 Apr, then a fortnight on: Tue 21 Apr, Tue 5 May."""
    interval_on = asye_interval(surrey, {"weekly": date(2026, 1, 5),
                                         "fortnightly": date(2026, 4, 5),
                                         "monthly": date(2026, 10, 5)})
    found = project(date(2026, 3, 23), interval_on, today=date(2026, 3, 2),
                    until=date(2026, 5, 10), calendar=CALENDAR)
    assert [o.on for o in found] == [date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 7),
                                     date(2026, 4, 21), date(2026, 5, 5)]


def test_a_role_with_an_early_closer_interval_uses_it_until_the_phase_ends() -> None:
    """Devon §4.1: weekly in the first six weeks of employment, monthly after."""
    devon = load_policy("devon")
    interval_on = personal_interval(devon, "qualified_social_worker", date(2026, 1, 5))
    assert interval_on is not None
    assert interval_on(date(2026, 1, 12)).describe() == "1 week"
    assert interval_on(date(2026, 3, 2)).describe() == "1 month"
    assert personal_interval(devon, "asye", date(2026, 1, 5)) is None  # the ASYE journey's
