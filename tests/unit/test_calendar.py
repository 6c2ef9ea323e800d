"""The working-day calendar: DOMAIN.md's arithmetic, regions, closure days, and its properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oversight.states.calendar import WorkingCalendar, months_after, weeks_after
from oversight.states.policy.model import Policy

ENGLAND = WorkingCalendar()
SCOTLAND = WorkingCalendar("scotland")
NORTHERN_IRELAND = WorkingCalendar("northern-ireland")

STARTED = date(2026, 3, 25)  # a Wednesday, the week before Easter 2026


# ----- the worked example of DOMAIN.md --------------------------------------------------------


def test_assessment_started_before_easter_reaches_its_four_points_on_the_domain_guide_dates():
    """Started Wed 25 Mar 2026: day 10 Fri 10 Apr, 20 Fri 24 Apr, 35 Mon 18 May, 45 Tue 2 Jun."""
    days = {n: ENGLAND.working_days_after(STARTED, n) for n in (10, 20, 35, 45)}
    assert days == {
        10: date(2026, 4, 10),
        20: date(2026, 4, 24),
        35: date(2026, 5, 18),
        45: date(2026, 6, 2),
    }
    assert [d.strftime("%a") for d in days.values()] == ["Fri", "Fri", "Mon", "Tue"]


def test_day_45_of_the_worked_example_skips_easter_and_both_may_bank_holidays():
    """The count to day 45 steps over Good Friday, Easter Monday, 4 May and 25 May, nothing else."""
    skipped = [day for day, _name in ENGLAND.skipped_between(STARTED, date(2026, 6, 2))]
    assert skipped == [date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25)]


def test_the_worked_example_spans_45_working_days_counted_back():
    """Counting the working days from 25 Mar to 2 Jun 2026 gives 45."""
    assert ENGLAND.working_days_between(STARTED, date(2026, 6, 2)) == 45


# ----- working days ---------------------------------------------------------------------------


def test_day_zero_is_the_start_date_itself_even_on_a_saturday():
    """Day 0 of a count that starts on a Saturday is that Saturday."""
    assert ENGLAND.working_days_after(date(2026, 3, 28), 0) == date(2026, 3, 28)


def test_one_working_day_after_a_friday_is_the_next_monday():
    """The weekend is not counted."""
    assert ENGLAND.working_days_after(date(2026, 3, 27), 1) == date(2026, 3, 30)


def test_one_working_day_after_a_saturday_is_the_next_monday():
    """A count from a weekend day lands on the first working day after it."""
    assert ENGLAND.working_days_after(date(2026, 3, 28), 1) == date(2026, 3, 30)


def test_counting_back_one_working_day_from_the_tuesday_after_easter_gives_maundy_thursday():
    """Negative counts go backwards over Easter Monday, the weekend and Good Friday."""
    assert ENGLAND.working_days_after(date(2026, 4, 7), -1) == date(2026, 4, 2)


def test_working_days_between_counts_the_end_but_not_the_start():
    """From Thursday 2 Apr to Tuesday 7 Apr 2026 there is one working day: the Tuesday."""
    assert ENGLAND.working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1


def test_working_days_between_a_day_and_itself_is_zero():
    """No days lie between a date and itself."""
    assert ENGLAND.working_days_between(STARTED, STARTED) == 0


def test_working_days_between_over_a_weekend_only_is_zero():
    """Saturday to Sunday holds no working day."""
    assert ENGLAND.working_days_between(date(2026, 3, 28), date(2026, 3, 29)) == 0


def test_working_days_between_is_negative_when_the_end_comes_first():
    """Counting backwards gives the same number with a minus sign."""
    assert ENGLAND.working_days_between(date(2026, 6, 2), STARTED) == -45


def test_counting_back_from_a_saturday_measures_as_the_count_it_took():
    """One working day back from Sat 28 Mar 2026 is Fri 27 Mar, and that distance reads as -1."""
    friday = ENGLAND.working_days_after(date(2026, 3, 28), -1)
    assert friday == date(2026, 3, 27)
    assert ENGLAND.working_days_between(date(2026, 3, 28), friday) == -1


def test_a_working_day_is_a_weekday_that_is_not_a_bank_holiday():
    """Wednesday 25 Mar 2026 works; the Saturday after it, Good Friday and Christmas Day do not."""
    assert ENGLAND.is_working_day(STARTED)
    assert not ENGLAND.is_working_day(date(2026, 3, 28))
    assert not ENGLAND.is_working_day(date(2026, 4, 3))
    assert not ENGLAND.is_working_day(date(2026, 12, 25))


def test_holiday_name_names_the_bank_holiday_and_nothing_on_an_ordinary_day():
    """Good Friday is named; an ordinary Wednesday has no name."""
    assert ENGLAND.holiday_name(date(2026, 4, 3)) == "Good Friday"
    assert ENGLAND.holiday_name(STARTED) is None


# ----- weeks and months -----------------------------------------------------------------------


def test_a_week_is_seven_calendar_days_even_onto_a_bank_holiday():
    """One week after Mon 21 Dec 2026 is Mon 28 Dec, the Boxing Day substitute, not moved."""
    assert weeks_after(date(2026, 12, 21), 1) == date(2026, 12, 28)


def test_four_weeks_are_twenty_eight_days():
    """Surrey's 4-weekly cadence from Mon 2 Mar 2026 falls on Mon 30 Mar."""
    assert weeks_after(date(2026, 3, 2), 4) == date(2026, 3, 30)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 5), 12, date(2027, 1, 5)),
        (date(2026, 5, 17), 0, date(2026, 5, 17)),
    ],
)
def test_months_keep_the_day_of_the_month_clamped_to_the_months_last_day(start, months, expected):
    """N months on is the same day of the month, or the month's last day when it is shorter."""
    assert months_after(start, months) == expected


# ----- regions and closure days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "england", "scotland", "northern_ireland"),
    [
        (date(2026, 1, 2), True, False, True),      # 2 January: Scotland only
        (date(2026, 3, 17), True, True, False),     # St Patrick's Day: Northern Ireland only
        (date(2026, 4, 6), False, True, False),     # Easter Monday: not in Scotland
        (date(2026, 7, 13), True, True, False),     # the Twelfth, observed on Monday 13 July
        (date(2026, 8, 3), True, False, True),      # Scotland's first Monday of August
        (date(2026, 8, 31), False, True, False),    # the late summer holiday elsewhere
        (date(2026, 11, 30), True, False, True),    # St Andrew's Day
        (date(2026, 12, 28), False, False, False),  # Boxing Day moved off its Saturday, everywhere
    ],
)
def test_scotland_and_northern_ireland_have_their_own_bank_holidays(day, england, scotland,
                                                                    northern_ireland):
    """Each region's working days follow its own bank holidays."""
    assert (ENGLAND.is_working_day(day), SCOTLAND.is_working_day(day),
            NORTHERN_IRELAND.is_working_day(day)) == (england, scotland, northern_ireland)


def test_boxing_day_on_a_saturday_is_not_a_working_day_anyway_and_its_monday_substitute_is_skipped(
        ):
    """26 Dec 2026 is a Saturday; one working day after Christmas Eve is Tuesday 29 Dec."""
    assert date(2026, 12, 26).weekday() == 5
    assert not ENGLAND.is_working_day(date(2026, 12, 26))
    assert ENGLAND.working_days_after(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_the_same_count_lands_on_different_days_in_scotland_and_england():
    """Easter Monday is worked in Scotland, so the worked example's day 10 is a day earlier."""
    assert SCOTLAND.working_days_after(STARTED, 10) == date(2026, 4, 9)
    assert ENGLAND.working_days_after(STARTED, 10) == date(2026, 4, 10)


def test_an_unknown_region_is_refused():
    """Wales has no region of its own: it shares England's holidays."""
    with pytest.raises(ValueError, match="unknown bank holiday region 'wales'"):
        WorkingCalendar("wales")  # type: ignore[arg-type]


def test_a_closure_day_is_not_a_working_day_and_is_named_as_a_closure():
    """An authority closure on Christmas Eve 2026 removes that Thursday."""
    calendar = WorkingCalendar(closures=frozenset({date(2026, 12, 24)}))
    assert not calendar.is_working_day(date(2026, 12, 24))
    assert calendar.holiday_name(date(2026, 12, 24)) == "authority closure day"
    assert calendar.working_days_after(date(2026, 12, 23), 1) == date(2026, 12, 29)
    assert ENGLAND.working_days_after(date(2026, 12, 23), 1) == date(2026, 12, 24)


def test_closure_days_in_the_policy_file_reach_the_policys_calendar(surrey_mapping):
    """Closures listed under calendar.closures are skipped by the policy's working calendar."""
    surrey_mapping["calendar"]["closures"] = [date(2026, 4, 9)]
    calendar = Policy.from_mapping(surrey_mapping, source="test").working_calendar()
    assert calendar.region == "england-and-wales"
    assert calendar.working_days_after(STARTED, 10) == date(2026, 4, 13)
    assert (date(2026, 4, 9), "authority closure day") in calendar.skipped_between(
        STARTED, date(2026, 4, 13))


def test_the_policy_region_selects_the_calendars_bank_holidays(surrey_mapping):
    """A policy set to Scotland counts 2 January 2026 as a holiday."""
    surrey_mapping["calendar"]["region"] = "scotland"
    calendar = Policy.from_mapping(surrey_mapping, source="test").working_calendar()
    assert not calendar.is_working_day(date(2026, 1, 2))


# ----- properties -----------------------------------------------------------------------------

REGIONS = st.sampled_from(["england-and-wales", "scotland", "northern-ireland"])
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2045, 12, 31))


@st.composite
def calendars_and_starts(draw):
    """A region, a start date, and up to eight closure days in the months after it."""
    start = draw(DAYS)
    offsets = draw(st.frozensets(st.integers(min_value=-30, max_value=120), max_size=8))
    closures = frozenset(start + timedelta(days=n) for n in offsets)
    return WorkingCalendar(draw(REGIONS), closures), start


@settings(deadline=None)
@given(calendars_and_starts(), st.integers(min_value=-70, max_value=70))
def test_adding_n_working_days_then_counting_back_gives_n(calendar_and_start, n):
    """working_days_between(d, working_days_after(d, n)) == n for any start, region, closure."""
    calendar, start = calendar_and_start
    assert calendar.working_days_between(start, calendar.working_days_after(start, n)) == n


@settings(deadline=None)
@given(calendars_and_starts(), st.integers(min_value=1, max_value=70))
def test_a_positive_count_never_lands_on_a_weekend_a_holiday_or_a_closure(calendar_and_start, n):
    """Day N for N > 0 is always a working day, after the start."""
    calendar, start = calendar_and_start
    result = calendar.working_days_after(start, n)
    assert result > start
    assert result.weekday() < 5
    assert result not in calendar.closures
    assert calendar.holiday_name(result) is None


@settings(deadline=None)
@given(calendars_and_starts(), st.integers(min_value=0, max_value=70))
def test_counting_back_n_working_days_from_a_working_day_inverts_counting_forward(
        calendar_and_start, n):
    """From a working day, N working days on and then N back returns to the same day."""
    calendar, start = calendar_and_start
    while not calendar.is_working_day(start):
        start += timedelta(days=1)
    forward = calendar.working_days_after(start, n)
    assert calendar.working_days_after(forward, -n) == start


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(min_value=-1200, max_value=1200))
def test_months_after_clamps_to_the_months_last_day_and_never_overflows(start, months):
    """The result is N months on, on the same day or on the month's last day if that is earlier."""

    result = months_after(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    next_month_first = date(result.year + result.month // 12, result.month % 12 + 1, 1)
    last_day = (next_month_first - timedelta(days=1)).day
    assert result.day == min(start.day, last_day)


@given(DAYS, st.integers(min_value=0, max_value=520))
def test_weeks_after_is_always_seven_days_a_week(start, weeks):
    """N weeks on is exactly 7·N calendar days later, on the same weekday."""
    result = weeks_after(start, weeks)
    assert (result - start).days == 7 * weeks
    assert result.weekday() == start.weekday()
