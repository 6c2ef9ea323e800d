"""The ASYE journey (surrey §4.1 schedule, national framework reviews): phases to the final.

sw1 enrols on Mon 5 Jan 2026 with tm1 as supervisor. Surrey's phases: weekly to 3 months
(Sun 5 Apr 2026), fortnightly to 9 months (Mon 5 Oct 2026), 4-weekly after.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.states.errors import EventRejected
from oversight.states.events import (
    AsyeEnrolled,
    AsyePaused,
    AsyeResumed,
    FinalAssessmentRecorded,
    ReviewHeld,
    SupervisionHeld,
)
from oversight.states.machines import AsyeJourney
from oversight.states.values import EntityRef, TaskChange
from tests.unit.portfolio import full_portfolio

ENROLLED = date(2026, 1, 5)
FORTNIGHTLY_FROM, MONTHLY_FROM = date(2026, 4, 5), date(2026, 10, 5)
PHASE_TIMERS = {"phase:fortnightly", "phase:monthly"}


def held(on: date, supervisee: str = "sw1") -> SupervisionHeld:
    return SupervisionHeld(on=on, supervisor="tm1", supervisee=supervisee, minutes=90)


def review(name: str, on: date) -> ReviewHeld:
    return ReviewHeld(on=on, worker="sw1", review=name)


def final(outcome: str, on: date, extended_to: date | None = None) -> FinalAssessmentRecorded:
    return FinalAssessmentRecorded(on=on, worker="sw1", outcome=outcome, extended_to=extended_to)


@pytest.fixture
def journey(lifeline):
    """sw1's ASYE, just enrolled."""
    line = lifeline(AsyeJourney, "sw1")
    line.begin(AsyeEnrolled(on=ENROLLED, worker="sw1", supervisor="tm1"))
    return line


def due_dates(line) -> dict[str, date]:
    return {key: date.fromisoformat(task["due"]) for key, task in line.tasks.items()}


# ----- enrolment and phases -------------------------------------------------------------------


def test_enrolment_starts_the_weekly_phase(journey):
    """asye_enrolled creates the journey and moves enrolled → weekly at once."""
    step = journey.step
    assert step.created and step.state == "weekly"
    assert step.entity == EntityRef("asye", "sw1")
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger, record.cause) == (
        "enrolled", "weekly", "enter_weekly", "event:asye_enrolled")
    assert record.rule.rule == "asye.phases.weekly"


def test_enrolment_arms_the_surrey_phase_boundaries_at_three_and_nine_months(journey):
    """phase:fortnightly fires on 5 Apr 2026 and phase:monthly on 5 Oct 2026."""
    timers = {t.name: t for t in journey.step.arm}
    assert timers["phase:fortnightly"].fires_on == FORTNIGHTLY_FROM
    assert timers["phase:monthly"].fires_on == MONTHLY_FROM
    assert timers["phase:monthly"].rule.rule == "asye.phases.monthly"
    assert timers["phase:monthly"].basis.interval == "9 months"
    assert journey.data["phase_starts"] == {"weekly": "2026-01-05", "fortnightly": "2026-04-05",
                                           "monthly": "2026-10-05"}


def test_enrolment_opens_the_reviews_the_final_assessment_and_the_first_weekly_supervision(journey):
    """tm1 owes reviews at 3 and 6 months, the final at 12, and a session a week after enrolment.

    3 months after Mon 5 Jan 2026 is Sun 5 Apr (Easter Sunday), then Easter Monday: due Tue 7 Apr;
    6 months is Sun 5 Jul: due Mon 6 Jul. The phase timers stay on the Sundays (not deadlines).
    """
    opened = {t.key: (t.type, t.assignee, t.assignee_role, t.due) for t in journey.step.opened}
    assert opened == {
        "review:three_month": ("asye_review", "tm1", "supervisor", date(2026, 4, 7)),
        "review:six_month": ("asye_review", "tm1", "supervisor", date(2026, 7, 6)),
        "final:1": ("asye_final_assessment", "tm1", "assessor", date(2027, 1, 5)),
        "supervision:2": ("asye_supervision", "tm1", "supervisor", date(2026, 1, 12)),
    }
    assert {t.name: t.fires_on for t in journey.step.arm if t.name.startswith("task:")} == {
        "task:review:three_month": date(2026, 4, 8),
        "task:review:six_month": date(2026, 7, 7),
        "task:final:1": date(2027, 1, 6),
        "task:supervision:2": date(2026, 1, 13),
    }
    assert all(t.subject == "worker:sw1" for t in journey.step.opened)


def test_the_fortnightly_phase_timer_moves_the_journey_to_fortnightly_after_three_months(journey):
    """weekly → fortnightly on 5 Apr 2026."""
    step = journey.fire("phase:fortnightly")
    assert step.state == "fortnightly"
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger, record.on) == (
        "weekly", "fortnightly", "enter_fortnightly", FORTNIGHTLY_FROM)
    assert record.rule.rule == "asye.phases.fortnightly"


def test_the_monthly_phase_timer_moves_the_journey_to_monthly_after_nine_months(journey):
    """fortnightly → monthly on 5 Oct 2026."""
    journey.fire("phase:fortnightly")
    step = journey.fire("phase:monthly")
    assert step.state == "monthly"
    assert [(r.source, r.dest) for r in step.transitions] == [("fortnightly", "monthly")]


def test_a_journey_whose_fortnightly_timer_never_fired_goes_straight_to_monthly(journey):
    """weekly → monthly when only the nine-month timer is swept."""
    assert journey.fire("phase:monthly").state == "monthly"


def test_a_phase_timer_fired_twice_changes_nothing_the_second_time(journey):
    """The second firing finds the journey already fortnightly."""
    first = journey.fire("phase:fortnightly")
    second = journey.load().fire("phase:fortnightly", FORTNIGHTLY_FROM)
    assert second.state == "fortnightly" and second.data == first.data
    assert (second.transitions, second.arm, second.disarm, second.opened, second.changed) == (
        (), (), (), (), ())


def test_a_late_fortnightly_timer_does_not_move_a_monthly_journey_back(journey):
    """Phases only move forward."""
    journey.fire("phase:monthly")
    step = journey.load().fire("phase:fortnightly", MONTHLY_FROM)
    assert step.state == "monthly" and step.transitions == ()


# ----- supervision against the cadence --------------------------------------------------------


@pytest.mark.parametrize(
    ("held_on", "next_due", "phase"),
    [
        (date(2026, 1, 12), date(2026, 1, 19), "weekly"),
        # A week after Sat 4 Apr is Sat 11 Apr: due Mon 13 Apr; a fortnight after Sun 5 Apr is
        # Sun 19 Apr: Mon 20 Apr; after Sun 4 Oct, Sun 18 Oct: Mon 19 Oct. Counted from the day
        # held.
        (date(2026, 4, 4), date(2026, 4, 13), "weekly"),
        (date(2026, 4, 5), date(2026, 4, 20), "fortnightly"),
        (date(2026, 10, 4), date(2026, 10, 19), "fortnightly"),
        (date(2026, 10, 5), date(2026, 11, 2), "monthly"),
    ],
)
def test_the_next_supervision_is_due_one_interval_after_the_session_by_the_phase_of_that_day(
        journey, held_on, next_due, phase):
    """The interval in force on the day of the session counts, even before the phase timer fires."""
    step = journey.apply(held(held_on))
    assert step.state == "weekly"
    assert TaskChange("supervision:2", "closed", held_on) in step.changed
    [task] = step.opened
    assert (task.key, task.type, task.assignee, task.due) == (
        "supervision:3", "asye_supervision", "tm1", next_due)
    assert task.rule.rule == f"asye.phases.{phase}"
    assert task.basis.start == held_on
    assert {t.name: t.fires_on for t in step.arm} == {
        "task:supervision:3": date.fromordinal(next_due.toordinal() + 1)}
    assert "task:supervision:2" in step.disarm


def test_a_supervision_held_is_recorded_as_an_internal_transition_citing_its_phase(journey):
    """The audit line shows the session in the weekly phase, with no change of state."""
    [record] = journey.apply(held(date(2026, 1, 12))).transitions
    assert (record.source, record.dest, record.trigger) == ("weekly", "weekly", "hold_supervision")
    assert record.rule.rule == "asye.phases.weekly"


def test_a_session_with_another_supervisee_is_refused(journey):
    """sw2's session is not sw1's ASYE supervision."""
    machine = journey.load()
    before = (machine.state, machine.data)
    with pytest.raises(EventRejected, match="another supervisee's session"):
        machine.apply(held(date(2026, 1, 12), supervisee="sw2"))
    assert (machine.state, machine.data) == before


def test_a_missed_weekly_supervision_escalates_to_the_supervisors_line_manager(journey):
    """tm1 misses the session due 12 Jan: hos1 gets supervision:2^ due 5 working days later."""
    step = journey.fire("task:supervision:2")
    assert step.changed == (TaskChange("supervision:2", "escalated", date(2026, 1, 13)),)
    [escalation] = step.opened
    assert (escalation.key, escalation.assignee, escalation.assignee_role, escalation.due) == (
        "supervision:2^", "hos1", "line_manager", date(2026, 1, 20))


def test_a_late_session_closes_the_missed_one_and_its_escalation_and_sets_the_next(journey):
    """Held on 15 Jan: supervision:2 and supervision:2^ close; the next is due 22 Jan."""
    journey.fire("task:supervision:2")
    step = journey.apply(held(date(2026, 1, 15)))
    assert step.changed == (TaskChange("supervision:2", "closed", date(2026, 1, 15)),
                            TaskChange("supervision:2^", "closed", date(2026, 1, 15)))
    assert [(t.key, t.due) for t in step.opened] == [("supervision:3", date(2026, 1, 22))]


# ----- reviews --------------------------------------------------------------------------------


def test_holding_the_three_month_review_closes_its_task(journey):
    """review_held closes review:three_month and records the review without a change of state."""
    step = journey.apply(review("three_month", date(2026, 4, 1)))
    assert step.state == "weekly"
    assert step.changed == (TaskChange("review:three_month", "closed", date(2026, 4, 1)),)
    assert step.disarm == ("task:review:three_month",)
    [record] = step.transitions
    assert (record.trigger, record.rule.rule) == ("hold_review", "asye.reviews.three_month")


def test_holding_the_six_month_review_closes_only_its_task(journey):
    """The three-month review stays owed."""
    step = journey.apply(review("six_month", date(2026, 7, 1)))
    assert step.changed == (TaskChange("review:six_month", "closed", date(2026, 7, 1)),)
    assert "review:three_month" in step.data["tasks"]


def test_a_review_the_policy_does_not_have_is_refused_naming_its_reviews(journey):
    """Surrey times no nine-month review."""
    machine = journey.load()
    before = (machine.state, machine.data)
    with pytest.raises(EventRejected, match="unknown review 'nine_month'; this policy has "
                                            "three_month, six_month"):
        machine.apply(review("nine_month", date(2026, 10, 1)))
    assert (machine.state, machine.data) == before


def test_a_missed_review_escalates_to_the_supervisors_line_manager(journey):
    """The review due Tue 7 Apr 2026 (5 Apr moved past Easter) is missed; swept on Wed 8 Apr,
    hos1 is asked within 5 working days: Thu 9, Fri 10, Mon 13, Tue 14, Wed 15 Apr."""
    step = journey.fire("task:review:three_month")
    [escalation] = step.opened
    assert (escalation.key, escalation.assignee, escalation.due) == (
        "review:three_month^", "hos1", date(2026, 4, 15))
    assert escalation.basis.start == date(2026, 4, 8)


# ----- pause and resumption -------------------------------------------------------------------


@pytest.fixture
def paused(journey):
    """sw1 held a session on 26 Jan (next due 2 Feb) and went on leave on 2 Feb 2026."""
    journey.apply(held(date(2026, 1, 26)))
    journey.apply(AsyePaused(on=date(2026, 2, 2), worker="sw1"))
    return journey


def test_a_pause_disarms_every_phase_timer_and_every_open_task_timer(paused):
    """Nothing falls due while the worker is away: no timer is left armed."""
    step = paused.step
    assert step.state == "paused"
    assert set(step.disarm) == PHASE_TIMERS | {
        "task:review:three_month", "task:review:six_month", "task:final:1", "task:supervision:3"}
    assert step.arm == () and step.opened == () and step.changed == ()
    assert paused.armed == {}
    assert step.data["paused"] == {"on": "2026-02-02", "from": "weekly"}
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger) == ("weekly", "paused", "pause")


def test_resumption_moves_every_later_phase_boundary_by_the_length_of_the_pause(paused):
    """Four weeks away: fortnightly from 3 May, monthly from 2 Nov 2026."""
    step = paused.apply(AsyeResumed(on=date(2026, 3, 2), worker="sw1"))
    assert step.state == "weekly"
    timers = {t.name: t for t in step.arm}
    assert timers["phase:fortnightly"].fires_on == date(2026, 5, 3)
    assert timers["phase:monthly"].fires_on == date(2026, 11, 2)
    assert timers["phase:monthly"].basis.shifted_days == 28
    assert step.data["phase_starts"]["fortnightly"] == "2026-05-03"
    assert step.data["shifted"] == 28
    assert "paused" not in step.data
    record = step.transitions[0]  # then a line for each task the pause moved
    assert (record.source, record.dest, record.trigger) == ("paused", "weekly", "resume_weekly")


def test_resumption_reschedules_every_open_task_by_the_length_of_the_pause(paused):
    """Reviews, the final and the next session all move 28 days, and their timers follow; a date
    moved onto a non-working day moves on: Tue 7 Apr + 28 = Tue 5 May; Mon 6 Jul + 28 = Mon 3 Aug
    (from the unmoved Sundays, Sun 3 May + Mon 4 May bank holiday and Sun 2 Aug, the same days)."""
    step = paused.apply(AsyeResumed(on=date(2026, 3, 2), worker="sw1"))
    on = date(2026, 3, 2)
    assert set(step.changed) == {
        TaskChange("review:three_month", "rescheduled", on, date(2026, 5, 5)),
        TaskChange("review:six_month", "rescheduled", on, date(2026, 8, 3)),
        TaskChange("final:1", "rescheduled", on, date(2027, 2, 2)),
        TaskChange("supervision:3", "rescheduled", on, date(2026, 3, 2)),
    }
    assert due_dates(paused) == {"review:three_month": date(2026, 5, 5),
                                 "review:six_month": date(2026, 8, 3),
                                 "final:1": date(2027, 2, 2), "supervision:3": date(2026, 3, 2)}
    assert {n: t.fires_on for n, t in paused.armed.items() if n.startswith("task:")} == {
        "task:review:three_month": date(2026, 5, 6), "task:review:six_month": date(2026, 8, 4),
        "task:final:1": date(2027, 2, 3), "task:supervision:3": date(2026, 3, 3)}


def test_after_resumption_the_cadence_follows_the_moved_boundaries(paused):
    """On 20 Apr 2026 the journey is still weekly: the fortnightly phase now starts 3 May."""
    paused.apply(AsyeResumed(on=date(2026, 3, 2), worker="sw1"))
    step = paused.apply(held(date(2026, 4, 20)))
    [task] = step.opened
    assert (task.due, task.rule.rule) == (date(2026, 4, 27), "asye.phases.weekly")


def test_no_phase_or_task_timer_fires_during_the_pause_and_the_sweep_resumes_after_it(paused):
    """A sweep through the pause fires nothing; after it the boundary comes four weeks late."""
    assert paused.sweep(date(2026, 3, 1)) == []
    paused.apply(AsyeResumed(on=date(2026, 3, 2), worker="sw1"))
    paused.apply(held(date(2026, 3, 2)))
    paused.sweep(date(2026, 5, 2))
    assert paused.state == "weekly"
    paused.sweep(date(2026, 5, 3))
    assert paused.state == "fortnightly"


def test_two_pauses_add_up_and_only_boundaries_still_ahead_move_again(paused):
    """28 days then 14 days: fortnightly stays 3 May (already passed), monthly moves to 16 Nov."""
    paused.apply(AsyeResumed(on=date(2026, 3, 2), worker="sw1"))
    paused.sweep(date(2026, 5, 31))
    assert paused.state == "fortnightly"
    paused.apply(AsyePaused(on=date(2026, 6, 1), worker="sw1"))
    step = paused.apply(AsyeResumed(on=date(2026, 6, 15), worker="sw1"))
    assert step.state == "fortnightly"
    assert step.data["shifted"] == 42
    assert step.data["phase_starts"] == {"weekly": "2026-01-05", "fortnightly": "2026-05-03",
                                         "monthly": "2026-11-16"}
    assert {t.name for t in step.arm} >= {"phase:monthly"}
    assert "phase:fortnightly" not in {t.name for t in step.arm}


def test_a_boundary_reached_on_the_day_of_the_pause_is_crossed_on_resumption(journey):
    """Paused on 5 Apr 2026 before the fortnightly timer fired: the journey resumes fortnightly."""
    journey.apply(AsyePaused(on=FORTNIGHTLY_FROM, worker="sw1"))
    step = journey.apply(AsyeResumed(on=date(2026, 4, 19), worker="sw1"))
    assert step.state == "fortnightly"
    assert [(r.source, r.dest) for r in step.transitions if r.source != r.dest] == [
        ("paused", "fortnightly")]
    assert step.data["phase_starts"]["fortnightly"] == "2026-04-05"
    assert step.data["phase_starts"]["monthly"] == "2026-10-19"


def test_a_journey_paused_while_fortnightly_resumes_fortnightly(journey):
    """paused → fortnightly, the phase it left."""
    journey.fire("phase:fortnightly")
    journey.apply(AsyePaused(on=date(2026, 5, 4), worker="sw1"))
    assert journey.apply(AsyeResumed(on=date(2026, 6, 1), worker="sw1")).state == "fortnightly"


def test_resuming_a_journey_that_is_not_paused_is_refused(journey):
    """asye_resumed while weekly is refused naming the entity, the state and the event."""
    machine = journey.load()
    before = (machine.state, machine.data)
    with pytest.raises(EventRejected) as refused:
        machine.apply(AsyeResumed(on=date(2026, 2, 1), worker="sw1"))
    assert str(refused.value).startswith("asye:sw1 is 'weekly' and does not accept 'asye_resumed'")
    assert (machine.state, machine.data) == before


# ----- the final assessment -------------------------------------------------------------------


@pytest.fixture
def year_end(journey):
    """sw1 in the monthly phase, reviews held, the portfolio complete, a session on 28 Dec 2026."""
    journey.fire("phase:fortnightly")
    journey.fire("phase:monthly")
    journey.apply(review("three_month", date(2026, 4, 1)))
    journey.apply(review("six_month", date(2026, 7, 1)))
    for evidence in full_portfolio("sw1", date(2026, 12, 14)):
        journey.apply(evidence)
    journey.apply(held(date(2026, 12, 28)))
    return journey


def test_a_final_assessment_passed_ends_the_journey_closing_the_final_and_withdrawing_the_rest(
        year_end):
    """monthly → passed; final:1 closed, the next session withdrawn, no timer left armed."""
    on = date(2027, 1, 5)
    step = year_end.apply(final("passed", on))
    assert step.state == "passed"
    assert step.changed == (TaskChange("final:1", "closed", on),
                            TaskChange("supervision:3", "withdrawn", on))
    assert step.data["tasks"] == {}
    assert year_end.armed == {}
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger, record.rule.rule) == (
        "monthly", "passed", "pass_final", "asye.final")


def test_a_final_assessment_failed_ends_the_journey_as_failed(year_end):
    """monthly → failed, with the same closing of tasks."""
    step = year_end.apply(final("failed", date(2027, 1, 5)))
    assert step.state == "failed"
    assert TaskChange("final:1", "closed", date(2027, 1, 5)) in step.changed
    assert year_end.armed == {}


def test_a_journey_passed_early_withdraws_the_reviews_and_the_phase_timers(journey):
    """Passed in the weekly phase: reviews withdrawn, phase timers disarmed."""
    for evidence in full_portfolio("sw1", date(2026, 3, 2)):
        journey.apply(evidence)
    step = journey.apply(final("passed", date(2026, 3, 2)))
    assert step.state == "passed"
    assert {c.key for c in step.changed if c.change == "withdrawn"} == {
        "review:three_month", "review:six_month", "supervision:2"}
    assert PHASE_TIMERS <= set(step.disarm)
    assert journey.armed == {}


def test_an_extended_final_assessment_moves_to_extended_with_a_new_final_on_the_date_decided(
        year_end):
    """monthly → extended; final:1 closes and final:4 is due 5 Apr 2027."""
    on = date(2027, 1, 5)
    step = year_end.apply(final("extended", on, extended_to=date(2027, 4, 5)))
    assert step.state == "extended"
    assert step.changed == (TaskChange("final:1", "closed", on),)
    [task] = step.opened
    assert (task.key, task.type, task.assignee, task.due) == (
        "final:4", "asye_final_assessment", "tm1", date(2027, 4, 5))
    assert (task.basis.start, task.basis.interval) == (on, "extension to the date decided")
    assert {t.name: t.fires_on for t in step.arm} == {"task:final:4": date(2027, 4, 6)}


def test_an_extended_journey_keeps_its_monthly_cadence_and_can_then_pass(year_end):
    """Sessions are still owed 4-weekly during the extension; passing ends it."""
    year_end.apply(final("extended", date(2027, 1, 5), extended_to=date(2027, 4, 5)))
    step = year_end.apply(held(date(2027, 1, 25)))
    assert [(t.due, t.rule.rule) for t in step.opened] == [
        (date(2027, 2, 22), "asye.phases.monthly")]
    assert year_end.apply(final("passed", date(2027, 4, 1))).state == "passed"


def test_an_extended_journey_paused_resumes_extended(year_end):
    """extended → paused → extended."""
    year_end.apply(final("extended", date(2027, 1, 5), extended_to=date(2027, 4, 5)))
    year_end.apply(AsyePaused(on=date(2027, 2, 1), worker="sw1"))
    step = year_end.apply(AsyeResumed(on=date(2027, 2, 15), worker="sw1"))
    assert step.state == "extended"
    assert date.fromisoformat(step.data["tasks"]["final:4"]["due"]) == date(2027, 4, 19)


def test_an_extended_journey_can_be_extended_again_to_a_later_date(year_end):
    """extended → extended: final:4 closes and final:5 is due on the new date."""
    year_end.apply(final("extended", date(2027, 1, 5), extended_to=date(2027, 4, 5)))
    step = year_end.apply(final("extended", date(2027, 4, 1), extended_to=date(2027, 7, 5)))
    assert step.state == "extended"
    assert step.changed == (TaskChange("final:4", "closed", date(2027, 4, 1)),)
    assert [(t.key, t.due) for t in step.opened] == [("final:5", date(2027, 7, 5))]
    assert [(r.source, r.dest, r.trigger) for r in step.transitions] == [
        ("extended", "extended", "extend")]


@pytest.mark.parametrize("extended_to", [None, date(2027, 1, 5), date(2027, 1, 4)])
def test_an_extension_without_a_later_date_is_refused(year_end, extended_to):
    """extended_to is required and must come after the decision; nothing changes when refused."""
    machine = year_end.load()
    before = (machine.state, machine.data)
    with pytest.raises(EventRejected, match="needs 'extended_to'"):
        machine.apply(final("extended", date(2027, 1, 5), extended_to=extended_to))
    assert (machine.state, machine.data) == before
