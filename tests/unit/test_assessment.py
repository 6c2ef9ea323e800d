"""The Child and Family Assessment (surrey §4.1): states, timers, oversight tasks, escalations.

Every date is the DOMAIN.md worked example: a C&F started Wed 25 Mar 2026 has day 10 Fri 10 Apr,
day 20 Fri 24 Apr, day 35 Mon 18 May and day 45 Tue 2 Jun 2026.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.states.directory import StaffMember
from oversight.states.errors import EventRejected
from oversight.states.events import (
    AssessmentCompleted,
    AssessmentExtended,
    AssessmentStarted,
    OversightRecorded,
)
from oversight.states.machines import ChildAndFamilyAssessment
from oversight.states.policy.model import Policy
from oversight.states.values import EntityRef, TaskChange

STARTED = date(2026, 3, 25)
DAY10, DAY15, DAY20 = date(2026, 4, 10), date(2026, 4, 17), date(2026, 4, 24)
DAY35, DAY45 = date(2026, 5, 18), date(2026, 6, 2)


def started(on: date = STARTED, manager: str = "tm1") -> AssessmentStarted:
    return AssessmentStarted(on=on, child="c1", worker="sw1", manager=manager)


def oversight(point: str, on: date) -> OversightRecorded:
    return OversightRecorded(on=on, child="c1", point=point)


@pytest.fixture
def assessment(lifeline):
    """The worked example's assessment of child c1, just allocated to sw1 under tm1."""
    line = lifeline(ChildAndFamilyAssessment, "c1")
    line.begin(started())
    return line


def opened_summary(step):
    return {t.key: (t.type, t.assignee, t.assignee_role, t.due) for t in step.opened}


def armed_summary(step):
    return {t.name: t.fires_on for t in step.arm}


# ----- allocation -----------------------------------------------------------------------------


def test_allocation_opens_the_four_oversight_points_and_the_completion_task_on_the_example_dates(
        assessment):
    """tm1 owes oversight on days 0, 10, 20 and 35; sw1 owes completion on day 35."""
    step = assessment.step
    assert step.created and step.state == "allocated"
    assert step.entity == EntityRef("assessment", "c1")
    assert opened_summary(step) == {
        "mo:allocation": ("management_oversight", "tm1", "manager", STARTED),
        "mo:day10": ("management_oversight", "tm1", "manager", DAY10),
        "mo:day20": ("management_oversight", "tm1", "manager", DAY20),
        "mo:day35": ("management_oversight", "tm1", "manager", DAY35),
        "complete": ("complete_assessment", "sw1", "worker", DAY35),
    }
    assert all(t.raised_on == STARTED and t.subject == "child:c1" for t in step.opened)


def test_allocation_arms_each_task_timer_the_day_after_it_is_due_and_the_day35_and_limit_timers(
        assessment):
    """Task timers fire the day after the due date; day35 on day 35; limit the day after day 45."""
    assert armed_summary(assessment.step) == {
        "task:mo:allocation": date(2026, 3, 26),
        "task:mo:day10": date(2026, 4, 11),
        "task:mo:day20": date(2026, 4, 25),
        "task:mo:day35": date(2026, 5, 19),
        "task:complete": date(2026, 5, 19),
        "day35": DAY35,
        "limit": date(2026, 6, 3),
    }
    assert assessment.step.disarm == ()


def test_every_task_opened_at_allocation_cites_its_surrey_rule_and_the_dates_it_came_from(
        assessment):
    """Each task names surrey §4.1, its rule path, and the start and interval behind its date."""
    tasks = {t.key: t for t in assessment.step.opened}
    day10 = tasks["mo:day10"]
    assert (day10.rule.authority, day10.rule.section, day10.rule.rule) == (
        "surrey", "4.1", "assessment.oversight_points.day10")
    assert (day10.basis.start, day10.basis.interval, day10.basis.result) == (
        STARTED, "10 working days", DAY10)
    assert tasks["complete"].rule.rule == "assessment.completion"
    assert [d for d, _ in tasks["mo:day35"].basis.skipped] == [
        date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4)]


def test_the_limit_timer_cites_the_45_day_limit_and_its_basis(assessment):
    """The limit timer's basis is day 45, Tue 2 Jun 2026, with four bank holidays skipped."""
    limit = next(t for t in assessment.step.arm if t.name == "limit")
    assert limit.rule.rule == "assessment.extended_limit"
    assert limit.basis.result == DAY45
    assert len(limit.basis.skipped) == 4


def test_allocation_is_recorded_in_the_audit_trail(assessment):
    """One audit line, caused by the assessment_started event."""
    [record] = assessment.step.transitions
    assert (record.source, record.dest, record.cause, record.on) == (
        "allocated", "allocated", "event:assessment_started", STARTED)


def test_an_authority_closure_day_pushes_every_later_oversight_point_a_working_day_on(
        lifeline, surrey_mapping):
    """A closure on Thu 9 Apr 2026 moves day 10 to Mon 13 Apr and day 35 to Tue 19 May."""
    surrey_mapping["calendar"]["closures"] = [date(2026, 4, 9)]
    policy = Policy.from_mapping(surrey_mapping, source="test")
    step = lifeline(ChildAndFamilyAssessment, "c1", policy=policy).begin(started())
    due = {t.key: t.due for t in step.opened}
    assert due["mo:day10"] == date(2026, 4, 13)
    assert due["mo:day35"] == date(2026, 5, 19)


# ----- oversight recorded ---------------------------------------------------------------------


def test_oversight_recorded_at_allocation_closes_its_task_and_starts_the_work(assessment):
    """allocated → in_progress; the allocation point is closed and its timer disarmed."""
    step = assessment.apply(oversight("allocation", STARTED))
    assert step.state == "in_progress"
    assert step.changed == (TaskChange("mo:allocation", "closed", STARTED),)
    assert step.disarm == ("task:mo:allocation",)
    assert "mo:allocation" not in step.data["tasks"]
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger) == (
        "allocated", "in_progress", "begin_work")
    assert record.rule.rule == "assessment.oversight_points.allocation"


def test_the_first_oversight_recorded_starts_the_work_whichever_point_it_is(assessment):
    """An oversight at day 10 with none at allocation still moves allocated → in_progress."""
    step = assessment.apply(oversight("day10", DAY10))
    assert step.state == "in_progress"
    assert step.changed == (TaskChange("mo:day10", "closed", DAY10),)
    assert "mo:allocation" in step.data["tasks"]


def test_oversight_at_day_10_while_in_progress_closes_only_the_day_10_point(assessment):
    """The state stays in_progress and only mo:day10 is closed."""
    assessment.apply(oversight("allocation", STARTED))
    step = assessment.apply(oversight("day10", date(2026, 4, 9)))
    assert step.state == "in_progress"
    assert step.changed == (TaskChange("mo:day10", "closed", date(2026, 4, 9)),)
    assert step.disarm == ("task:mo:day10",)
    assert set(step.data["tasks"]) == {"mo:day20", "mo:day35", "complete"}
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger) == ("in_progress", "in_progress",
                                                           "note_oversight")


def test_oversight_recorded_for_a_point_already_closed_changes_no_task(assessment):
    """A second record of the allocation oversight finds nothing left to close."""
    assessment.apply(oversight("allocation", STARTED))
    step = assessment.apply(oversight("allocation", date(2026, 3, 26)))
    assert step.state == "in_progress"
    assert step.changed == ()


def test_oversight_for_a_point_the_policy_does_not_have_is_refused_naming_the_points(assessment):
    """An unknown point is refused with the policy's points listed, and nothing changes."""
    machine = assessment.load()
    before = (machine.state, machine.data)
    with pytest.raises(EventRejected) as refused:
        machine.apply(oversight("day99", DAY10))
    assert "unknown oversight point 'day99'" in str(refused.value)
    assert "allocation, day10, day20, day35" in str(refused.value)
    assert (machine.state, machine.data) == before


# ----- day 35 ---------------------------------------------------------------------------------


def test_the_day35_timer_makes_the_assessment_due_on_monday_18_may(assessment):
    """in_progress → due when day 35 arrives."""
    assessment.apply(oversight("allocation", STARTED))
    step = assessment.fire("day35")
    assert step.state == "due"
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger, record.cause, record.on) == (
        "in_progress", "due", "reach_day35", "timer:day35", DAY35)
    assert step.opened == () and step.changed == ()


def test_the_day35_timer_makes_an_assessment_without_any_oversight_due_too(assessment):
    """allocated → due: the work never formally started but the clock ran."""
    assert assessment.fire("day35").state == "due"


def test_firing_the_day35_timer_twice_changes_nothing_the_second_time(assessment):
    """The second firing finds the assessment already due."""
    first = assessment.fire("day35")
    second = assessment.load().fire("day35", DAY35)
    assert second.state == "due"
    assert second.data == first.data
    assert (second.transitions, second.arm, second.disarm, second.opened, second.changed) == (
        (), (), (), (), ())


# ----- extension ------------------------------------------------------------------------------


def test_extension_at_day_35_moves_to_extended_with_completion_due_on_day_45(assessment):
    """The decision to extend closes the day-35 oversight and replaces the completion task."""
    assessment.apply(oversight("allocation", STARTED))
    assessment.fire("day35")
    step = assessment.apply(AssessmentExtended(on=DAY35, child="c1"))
    assert step.state == "extended"
    assert step.data["extended"] is True
    assert step.changed == (TaskChange("mo:day35", "closed", DAY35),
                            TaskChange("complete", "withdrawn", DAY35))
    assert opened_summary(step) == {
        "complete:extended": ("complete_assessment", "sw1", "worker", DAY45)}
    [task] = step.opened
    assert (task.basis.start, task.basis.interval) == (STARTED, "45 working days")
    assert task.rule.rule == "assessment.extended_limit"
    assert armed_summary(step) == {"task:complete:extended": date(2026, 6, 3)}
    assert set(step.disarm) == {"task:mo:day35", "task:complete", "day35"}
    assert [(r.source, r.dest, r.trigger) for r in step.transitions] == [
        ("due", "extended", "extend")]


def test_extension_can_be_decided_before_day_35_and_disarms_the_day35_timer(assessment):
    """in_progress → extended; the day35 timer will not make it due afterwards."""
    assessment.apply(oversight("allocation", STARTED))
    step = assessment.apply(AssessmentExtended(on=DAY20, child="c1"))
    assert step.state == "extended"
    assert "day35" in step.disarm
    assert "day35" not in assessment.armed
    assert assessment.load().fire("day35", DAY35).state == "extended"


def test_extension_straight_from_allocation_is_accepted(assessment):
    """allocated → extended: a recorded decision is enough."""
    assert assessment.apply(AssessmentExtended(on=DAY10, child="c1")).state == "extended"


def test_the_limit_timer_makes_an_extended_assessment_overdue_the_day_after_day_45(assessment):
    """extended → overdue on Wed 3 Jun 2026."""
    assessment.apply(AssessmentExtended(on=DAY35, child="c1"))
    step = assessment.fire("limit")
    assert step.state == "overdue"
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger, record.on) == (
        "extended", "overdue", "overrun", date(2026, 6, 3))
    assert record.rule.rule == "assessment.extended_limit"


def test_the_limit_timer_makes_an_unextended_due_assessment_overdue(assessment):
    """due → overdue: day 45 is the statutory maximum with or without an extension."""
    assessment.fire("day35")
    assert assessment.fire("limit").state == "overdue"


def test_an_assessment_left_alone_runs_to_overdue_with_every_obligation_escalated(assessment):
    """With no events at all the sweep makes it due on day 35 and overdue after day 45."""
    steps = assessment.sweep(date(2026, 6, 30))
    moves = [(r.source, r.dest, r.on) for s in steps for r in s.transitions if r.source != r.dest]
    assert moves == [("allocated", "due", DAY35), ("due", "overdue", date(2026, 6, 3))]
    assert assessment.state == "overdue"
    states = {key: task["state"] for key, task in assessment.tasks.items()}
    assert states["complete"] == "escalated"
    assert states["complete^"] == "escalated"
    assert states["complete^^"] == "breached"
    assert states["mo:day10"] == "escalated"
    assert states["mo:day10^"] == "breached"
    assert assessment.armed == {}


# ----- completion -----------------------------------------------------------------------------


def test_early_completion_withdraws_points_not_yet_due_and_brings_the_day35_point_to_completion(
        assessment):
    """Completed on day 15: day 20 is withdrawn, the day-35 oversight falls due on completion."""
    assessment.apply(oversight("allocation", STARTED))
    assessment.apply(oversight("day10", DAY10))
    step = assessment.apply(AssessmentCompleted(on=DAY15, child="c1"))
    assert step.state == "completed"
    assert step.changed == (TaskChange("complete", "closed", DAY15),
                            TaskChange("mo:day20", "withdrawn", DAY15),
                            TaskChange("mo:day35", "rescheduled", DAY15, DAY15))
    assert step.data["tasks"]["mo:day35"]["due"] == DAY15.isoformat()
    assert set(step.disarm) == {"task:complete", "task:mo:day20", "day35", "limit"}
    assert set(step.data["tasks"]) == {"mo:day35"}
    assert step.data["tasks"]["mo:day35"]["state"] == "open"
    assert set(assessment.armed) == {"task:mo:day35"}


def test_completion_keeps_an_oversight_point_that_was_already_due_and_missed(assessment):
    """The day-10 point, due before a day-15 completion and never recorded, is still owed."""
    assessment.apply(oversight("allocation", STARTED))
    step = assessment.apply(AssessmentCompleted(on=DAY15, child="c1"))
    assert set(step.data["tasks"]) == {"mo:day10", "mo:day35"}
    assert TaskChange("mo:day10", "withdrawn", DAY15) not in step.changed


def test_oversight_recorded_after_completion_closes_the_day35_point_and_stays_completed(assessment):
    """The completion oversight is still accepted once the assessment is completed."""
    assessment.apply(AssessmentCompleted(on=DAY15, child="c1"))
    step = assessment.apply(oversight("day35", date(2026, 4, 20)))
    assert step.state == "completed"
    assert step.changed == (TaskChange("mo:day35", "closed", date(2026, 4, 20)),)


def test_completing_an_extended_assessment_closes_the_day_45_task(assessment):
    """extended → completed: day 45 task closed, limit disarmed, missed points still owed."""
    assessment.apply(AssessmentExtended(on=DAY35, child="c1"))
    step = assessment.apply(AssessmentCompleted(on=date(2026, 5, 28), child="c1"))
    assert step.state == "completed"
    assert TaskChange("complete:extended", "closed", date(2026, 5, 28)) in step.changed
    assert "limit" in step.disarm
    # The earlier points were never recorded: they are still owed after completion.
    assert set(assessment.armed) == {"task:mo:allocation", "task:mo:day10", "task:mo:day20"}


def test_an_overdue_assessment_can_still_be_completed(assessment):
    """overdue → completed, closing the escalated completion task and its escalations."""
    assessment.sweep(date(2026, 6, 3))
    assert assessment.state == "overdue"
    step = assessment.apply(AssessmentCompleted(on=date(2026, 6, 10), child="c1"))
    assert step.state == "completed"
    closed = {c.key for c in step.changed if c.change == "closed"}
    assert {"complete", "complete^", "complete^^"} <= closed


def test_a_stale_limit_timer_does_nothing_to_a_completed_assessment(assessment):
    """Completion disarms the limit; if it fires anyway nothing changes."""
    assessment.apply(AssessmentCompleted(on=DAY15, child="c1"))
    step = assessment.load().fire("limit", date(2026, 6, 3))
    assert step.state == "completed"
    assert step.transitions == () and step.changed == ()


# ----- breach and escalation ------------------------------------------------------------------


def test_a_missed_day_10_oversight_escalates_to_the_managers_line_manager_due_5_working_days_later(
        assessment):
    """tm1 misses day 10: the task is escalated and hos1 gets mo:day10^ due Fri 17 Apr 2026."""
    step = assessment.fire("task:mo:day10")
    assert step.state == "allocated"
    assert step.changed == (TaskChange("mo:day10", "escalated", date(2026, 4, 11)),)
    [escalation] = step.opened
    assert (escalation.key, escalation.type, escalation.assignee, escalation.assignee_role) == (
        "mo:day10^", "escalation", "hos1", "line_manager")
    assert (escalation.escalates, escalation.level, escalation.due) == ("mo:day10", 1,
                                                                       date(2026, 4, 17))
    assert (escalation.basis.start, escalation.basis.interval) == (date(2026, 4, 11),
                                                                  "5 working days")
    assert escalation.subject == "child:c1"
    assert (escalation.rule.rule, escalation.rule.section) == ("escalation", "4.3")
    assert armed_summary(step) == {"task:mo:day10^": date(2026, 4, 18)}
    assert step.data["tasks"]["mo:day10"]["state"] == "escalated"
    assert [r.trigger for r in step.transitions] == ["breach management_oversight"]


def test_an_escalation_to_someone_with_no_line_manager_is_marked_breached(assessment):
    """hos1 misses the escalation and has no line manager: mo:day10^ is breached, nothing opens."""
    assessment.fire("task:mo:day10")
    step = assessment.fire("task:mo:day10^")
    assert step.changed == (TaskChange("mo:day10^", "breached", date(2026, 4, 18)),)
    assert step.opened == () and step.arm == ()
    assert step.data["tasks"]["mo:day10^"]["state"] == "breached"


def test_a_missed_completion_escalates_to_the_team_manager_then_the_senior_manager_then_is_breached(
        assessment):
    """sw1 → tm1 (line manager) → hos1 (senior manager) → breached when the chain is exhausted."""
    first = assessment.fire("task:complete")
    [to_manager] = first.opened
    assert (to_manager.key, to_manager.assignee, to_manager.assignee_role, to_manager.level,
            to_manager.due) == ("complete^", "tm1", "line_manager", 1, date(2026, 5, 27))
    second = assessment.fire("task:complete^")
    assert second.changed == (TaskChange("complete^", "escalated", date(2026, 5, 28)),)
    [to_senior] = second.opened
    assert (to_senior.key, to_senior.assignee, to_senior.assignee_role, to_senior.level,
            to_senior.escalates, to_senior.due) == (
        "complete^^", "hos1", "senior_manager", 2, "complete^", date(2026, 6, 4))
    third = assessment.fire("task:complete^^")
    assert third.changed == (TaskChange("complete^^", "breached", date(2026, 6, 5)),)
    assert third.opened == ()


def test_the_chain_ends_after_the_senior_manager_even_when_someone_is_above_them(
        lifeline, team_with):
    """Surrey's chain has two steps: a director above hos1 is never asked."""
    directory = team_with(
        StaffMember("hos1", "senior_manager", started=date(2012, 9, 3), line_manager="dcs1"),
        StaffMember("dcs1", "senior_manager", started=date(2010, 1, 4)))
    line = lifeline(ChildAndFamilyAssessment, "c1", directory=directory)
    line.begin(started())
    line.fire("task:complete")
    line.fire("task:complete^")
    step = line.fire("task:complete^^")
    assert step.changed == (TaskChange("complete^^", "breached", date(2026, 6, 5)),)
    assert step.opened == ()


def test_a_missed_task_whose_assignee_has_no_known_line_manager_is_breached_without_escalation(
        lifeline):
    """An agency manager absent from the directory: the allocation point is simply breached."""
    line = lifeline(ChildAndFamilyAssessment, "c1")
    line.begin(started(manager="agency7"))
    step = line.fire("task:mo:allocation")
    assert step.changed == (TaskChange("mo:allocation", "breached", date(2026, 3, 26)),)
    assert step.opened == ()


def test_firing_a_task_timer_twice_changes_nothing_the_second_time(assessment):
    """The second firing finds the task already escalated."""
    first = assessment.fire("task:mo:day10")
    second = assessment.load().fire("task:mo:day10", date(2026, 4, 11))
    assert second.data == first.data
    assert (second.transitions, second.arm, second.disarm, second.opened, second.changed) == (
        (), (), (), (), ())


def test_a_task_timer_for_an_oversight_already_recorded_changes_nothing(assessment):
    """Met on time, the day-10 point cannot be breached by a late sweep."""
    assessment.apply(oversight("day10", DAY10))
    step = assessment.load().fire("task:mo:day10", date(2026, 4, 11))
    assert step.changed == () and step.opened == ()


def test_oversight_recorded_late_closes_the_breached_point_and_all_its_escalations(assessment):
    """Day 10 recorded a week late closes mo:day10 and hos1's mo:day10^, disarming its timer."""
    assessment.fire("task:mo:day10")
    step = assessment.apply(oversight("day10", date(2026, 4, 16)))
    assert step.changed == (TaskChange("mo:day10", "closed", date(2026, 4, 16)),
                            TaskChange("mo:day10^", "closed", date(2026, 4, 16)))
    assert "task:mo:day10^" in step.disarm
    assert "mo:day10" not in step.data["tasks"] and "mo:day10^" not in step.data["tasks"]
    assert "task:mo:day10^" not in assessment.armed


def test_completion_after_two_escalations_closes_the_whole_chain(assessment):
    """complete, complete^ and complete^^ all close when the assessment is completed."""
    assessment.fire("task:complete")
    assessment.fire("task:complete^")
    step = assessment.apply(AssessmentCompleted(on=date(2026, 6, 1), child="c1"))
    assert [c for c in step.changed if c.key.startswith("complete")] == [
        TaskChange("complete", "closed", date(2026, 6, 1)),
        TaskChange("complete^", "closed", date(2026, 6, 1)),
        TaskChange("complete^^", "closed", date(2026, 6, 1)),
    ]
