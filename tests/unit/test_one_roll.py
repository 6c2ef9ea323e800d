"""Shifts first, one roll last (DOMAIN.md): a pause, or the days an absence runs, moves the date
the arithmetic gave; the move off a non-working day is made once, to the final date.

The ASYE cases are Surrey's (reviews at 3 and 6 months, the final at 12, weekly for 3 months).
Every date below is worked by hand, with its weekday and the days it skipped.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.states.calendar import WorkingCalendar
from oversight.states.events import (
    AgreementSigned,
    AsyeEnrolled,
    AsyePaused,
    AsyeResumed,
    FinalAssessmentRecorded,
    RelationshipStarted,
    SupervisionHeld,
    SupervisorAbsenceStarted,
)
from oversight.states.machines import AsyeJourney, SupervisoryRelationship
from oversight.states.policy.rules import Interval, shifted
from oversight.states.views.asye_progress import asye_progress
from tests.unit.portfolio import full_portfolio


def due_dates(line) -> dict[str, date]:
    return {key: date.fromisoformat(task["due"]) for key, task in line.tasks.items()}


def enrolled(lifeline, on: date):
    line = lifeline(AsyeJourney, "sw1")
    line.begin(AsyeEnrolled(on=on, worker="sw1", supervisor="tm1"))
    return line


def pause(line, on: date, resumed: date):
    line.apply(AsyePaused(on=on, worker="sw1"))
    return line.apply(AsyeResumed(on=resumed, worker="sw1"))


# ----- DOMAIN.md's example: started Fri 31 Jul 2026, paused 10 days ---------------------------


@pytest.fixture
def july(lifeline):
    """sw1 enrols on Fri 31 Jul 2026. At 3 months: Sat 31 Oct, moved to Mon 2 Nov (weekend)."""
    line = enrolled(lifeline, date(2026, 7, 31))
    assert due_dates(line)["review:three_month"] == date(2026, 11, 2)
    return line


def test_a_ten_day_pause_moves_the_3_month_review_from_sat_31_oct_to_tue_10_nov(july):
    """Paused Mon 3 Aug, back Thu 13 Aug (10 days): Sat 31 Oct + 10 = Tue 10 Nov 2026, a working
    day; not Mon 2 Nov + 10 = Thu 12 Nov, the rolled date shifted."""
    pause(july, date(2026, 8, 3), date(2026, 8, 13))
    assert due_dates(july)["review:three_month"] == date(2026, 11, 10)


def test_a_ten_day_pause_moves_every_open_date_from_the_date_before_its_roll(july):
    """6 months: Sun 31 Jan 2027 + 10 = Wed 10 Feb (not Mon 1 Feb + 10 = Thu 11 Feb); 12 months:
    Sat 31 Jul 2027 + 10 = Tue 10 Aug (not Mon 2 Aug + 10 = Thu 12 Aug); the first session,
    Fri 7 Aug 2026, a working day already: + 10 = Mon 17 Aug."""
    pause(july, date(2026, 8, 3), date(2026, 8, 13))
    assert due_dates(july) == {"review:three_month": date(2026, 11, 10),
                               "review:six_month": date(2027, 2, 10),
                               "final:1": date(2027, 8, 10), "supervision:2": date(2026, 8, 17)}


def test_why_shows_the_count_then_the_pause_then_nothing_to_roll(july):
    """The moved task's arithmetic reads in the order it was done; it goes to its timer and, as
    an audit line, to the history."""
    step = pause(july, date(2026, 8, 3), date(2026, 8, 13))
    [change] = [c for c in step.changed if c.key == "review:three_month"]
    expected = ("3 months after Fri 31 Jul 2026 = Sat 31 Oct 2026, + 10 days paused = "
                "Tue 10 Nov 2026")
    assert change.basis is not None and change.basis.explain() == expected
    timer = july.armed["task:review:three_month"]
    assert timer.fires_on == date(2026, 11, 11)  # the day after Tue 10 Nov
    assert timer.basis is not None and timer.basis.explain() == expected
    assert (f"review:three_month moved for the pause: {expected}", "asye.reviews.three_month") \
        in [(r.trigger, r.rule.rule if r.rule else None) for r in step.transitions]


def test_two_pauses_add_up_before_the_one_roll(july):
    """1 day (Mon 3 to Tue 4 Aug) then 9 (Mon 10 to Wed 19 Aug): Sat 31 Oct + 1 = Sun 1 Nov,
    + 9 = Tue 10 Nov, as one pause of 10. Rolled after the first (Mon 2 Nov) it would be Wed 11
    Nov; rolled twice over, Thu 12 Nov."""
    first = pause(july, date(2026, 8, 3), date(2026, 8, 4))
    assert due_dates(july)["review:three_month"] == date(2026, 11, 2)  # Sun 1 Nov, moved (weekend)
    [change] = [c for c in first.changed if c.key == "review:three_month"]
    assert change.basis is not None and change.basis.explain() == (
        "3 months after Fri 31 Jul 2026 = Sat 31 Oct 2026, + 1 day paused = Sun 1 Nov 2026, "
        "moved to Mon 2 Nov 2026 (weekend)")
    second = pause(july, date(2026, 8, 10), date(2026, 8, 19))
    assert due_dates(july)["review:three_month"] == date(2026, 11, 10)
    [change] = [c for c in second.changed if c.key == "review:three_month"]
    assert change.basis is not None and change.basis.explain() == (
        "3 months after Fri 31 Jul 2026 = Sat 31 Oct 2026, + 10 days paused = Tue 10 Nov 2026")


def test_a_phase_start_moves_by_the_pause_and_says_so_without_a_roll(july):
    """Fortnightly from 3 months, Sat 31 Oct 2026, + 10 = Tue 10 Nov: a phase's start is no
    deadline and is never rolled."""
    step = pause(july, date(2026, 8, 3), date(2026, 8, 13))
    timer = {t.name: t for t in step.arm}["phase:fortnightly"]
    assert timer.fires_on == date(2026, 11, 10)
    assert timer.basis is not None and timer.basis.explain() == (
        "3 months after Fri 31 Jul 2026 = Sat 31 Oct 2026, + 10 days paused = Tue 10 Nov 2026")


def test_a_passed_journeys_progress_shows_the_end_the_pause_moved_rolled_once(july):
    """Passed on Tue 10 Aug 2027: its progress gives the end as Sat 31 Jul 2027 + 10 = Tue 10
    Aug, not the planned end rolled first (Mon 2 Aug) + 10 = Thu 12 Aug."""
    pause(july, date(2026, 8, 3), date(2026, 8, 13))
    for item in full_portfolio("sw1", date(2027, 6, 1)):
        july.apply(item)
    july.apply(FinalAssessmentRecorded(on=date(2027, 8, 10), worker="sw1", outcome="passed"))
    found = asye_progress(worker="sw1", state=july.state, data=july.data, policy=july.policy,
                          as_of=date(2027, 9, 1))
    assert (found.planned_end, found.end) == (date(2027, 8, 2), date(2027, 8, 10))


# ----- the case: a 43-day pause ---------------------------------------------------------


def test_a_43_day_pause_gives_mon_18_may_and_mon_17_aug_not_20_may_and_18_aug(lifeline):
    """Enrolled Mon 5 Jan 2026, away Mon 2 Feb to Tue 17 Mar (28 days to 2 Mar, 15 more: 43).
    3 months: Sun 5 Apr + 43 = Mon 18 May (rolled first to Tue 7 Apr past Easter Monday, + 43
    would be Wed 20 May); 6 months: Sun 5 Jul + 43 = Mon 17 Aug (rolled first to Mon 6 Jul,
    + 43 would be Tue 18 Aug)."""
    line = enrolled(lifeline, date(2026, 1, 5))
    assert due_dates(line)["review:three_month"] == date(2026, 4, 7)  # Sun 5, Easter Mon 6 Apr
    step = pause(line, date(2026, 2, 2), date(2026, 3, 17))
    assert due_dates(line)["review:three_month"] == date(2026, 5, 18)
    assert due_dates(line)["review:six_month"] == date(2026, 8, 17)
    [change] = [c for c in step.changed if c.key == "review:six_month"]
    assert change.basis is not None and change.basis.explain() == (
        "6 months after Mon 5 Jan 2026 = Sun 5 Jul 2026, + 43 days paused = Mon 17 Aug 2026")


def test_a_pause_onto_a_weekend_is_rolled_once_at_the_end(lifeline):
    """Enrolled Mon 5 Jan 2026, away Mon 2 Feb to Fri 13 Mar (39 days): 3 months, Sun 5 Apr,
    + 39 = Thu 14 May; 6 months, Sun 5 Jul, + 39 = Thu 13 Aug; 12 months, Tue 5 Jan 2027, + 39
    = Sat 13 Feb 2027, moved to Mon 15 Feb (weekend)."""
    line = enrolled(lifeline, date(2026, 1, 5))
    step = pause(line, date(2026, 2, 2), date(2026, 3, 13))
    assert due_dates(line)["final:1"] == date(2027, 2, 15)
    [change] = [c for c in step.changed if c.key == "final:1"]
    assert change.basis is not None and change.basis.explain() == (
        "12 months after Mon 5 Jan 2026 = Tue 5 Jan 2027, + 39 days paused = Sat 13 Feb 2027, "
        "moved to Mon 15 Feb 2027 (weekend)")


def test_a_task_already_due_before_the_pause_keeps_its_date_and_its_timer(lifeline):
    """Enrolled Mon 5 Jan 2026, seen Mon 26 Jan: the next session is due Mon 2 Feb. The pause of
    Wed 4 Feb is recorded before any sweep; resumed Wed 4 Mar, the session missed before the
    pause stays due Mon 2 Feb and its timer (Tue 3 Feb) is armed again, so a sweep breaches it;
    the 3-month review, Sun 5 Apr + 28 = Sun 3 May, moves past the May Day bank holiday (Mon 4 May)
    to Tue 5 May."""
    line = enrolled(lifeline, date(2026, 1, 5))
    line.apply(SupervisionHeld(on=date(2026, 1, 26), supervisor="tm1", supervisee="sw1",
                               minutes=90))
    pause(line, date(2026, 2, 4), date(2026, 3, 4))
    assert due_dates(line)["supervision:3"] == date(2026, 2, 2)
    assert due_dates(line)["review:three_month"] == date(2026, 5, 5)
    assert line.armed["task:supervision:3"].fires_on == date(2026, 2, 3)
    line.sweep(date(2026, 3, 4))
    assert line.tasks["supervision:3"]["state"] in ("breached", "escalated")


# ----- the arithmetic itself ---------------------------------------------------------------------


def test_a_working_day_count_shifted_onto_a_saturday_moves_to_monday():
    """Wed 25 Mar 2026 + 10 working days = Fri 10 Apr (Good Friday 3 Apr and Easter Monday
    6 Apr skipped); + 1 day = Sat 11 Apr, moved to Mon 13 Apr (weekend)."""
    calendar = WorkingCalendar()
    basis = Interval(working_days=10).basis(date(2026, 3, 25), calendar)
    moved = shifted(basis, 1, calendar)
    assert (moved.result, moved.unmoved, moved.shifted_days) == (
        date(2026, 4, 13), date(2026, 4, 11), 1)
    assert moved.explain() == (
        "10 working days after Wed 25 Mar 2026 = Fri 10 Apr 2026, skipping Fri 3 Apr 2026 "
        "(Good Friday), Mon 6 Apr 2026 (Easter Monday), + 1 day paused = Sat 11 Apr 2026, "
        "moved to Mon 13 Apr 2026 (weekend)")


def test_under_the_previous_working_day_convention_the_shift_also_comes_first():
    """3 months after Mon 5 Jan 2026 = Sun 5 Apr; + 43 = Mon 18 May, a working day, kept. The
    rolled date (back past Sat 4 and Good Friday 3 Apr to Thu 2 Apr) + 43 would be Fri 15 May."""
    calendar = WorkingCalendar(non_working_day="previous")
    basis = Interval(months=3).basis(date(2026, 1, 5), calendar)
    assert basis.result == date(2026, 4, 2)
    moved = shifted(basis, 43, calendar)
    assert (moved.result, moved.unmoved) == (date(2026, 5, 18), None)


# ----- a supervisor's absence: the threshold is not rolled, the response is, once -------------


def test_an_absence_whose_four_weeks_end_on_a_bank_holiday_is_answered_a_week_after_it(lifeline):
    """tm1 away from Mon 27 Apr 2026: 4 weeks on is Mon 25 May, the Spring bank holiday, kept
    (a threshold is not a deadline); within the following week: Mon 1 Jun 2026. Rolled first
    (Tue 26 May) it would be Tue 2 Jun. The sweep that notices it on Tue 26 May changes nothing."""
    line = lifeline(SupervisoryRelationship, SupervisoryRelationship.entity_id("tm1", "sw2"))
    line.begin(RelationshipStarted(on=date(2026, 3, 2), supervisor="tm1", supervisee="sw2"))
    line.apply(AgreementSigned(on=date(2026, 3, 2), supervisor="tm1", supervisee="sw2"))
    line.apply(SupervisorAbsenceStarted(on=date(2026, 4, 27), supervisor="tm1", planned=False))
    assert line.armed["absence_threshold"].fires_on == date(2026, 5, 25)
    step = line.fire("absence_threshold", date(2026, 5, 26))
    [task] = step.opened
    assert (task.type, task.due, task.basis.start) == (
        "alternative_supervision", date(2026, 6, 1), date(2026, 5, 25))
