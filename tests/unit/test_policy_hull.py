"""Hull's policy (config/policies/hull.yaml) driven through the machines, rule by rule.

Each test names the section of the July 2018 policy whose rule produces the due date it checks
(§3 Individual Supervision). Staff chain: dcs1 > hos1 > tm1 (supervisor) > sw.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.events import AgreementSigned
from oversight.states.values import TaskChange
from tests.unit.policy_scenarios import (
    AWAY,
    STARTED,
    assessment,
    asye,
    asye_session_after,
    away,
    dues,
    only,
    opened,
    relationship,
    session_after,
    supervisee,
)

# ----- §3 personal supervision ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["qualified_social_worker", "family_support_worker",
                                  "practitioner", "manager"])
def test_hull_s3_all_practitioners_are_supervised_at_least_once_a_month(lifeline, role):
    """Started Mon 2 Mar: first due Thu 2 Apr; held Tue 31 Mar, next due Thu 30 Apr (clamped)."""
    line = relationship(lifeline, "hull", supervisee(role))
    assert only(line.step, "personal_supervision").due == date(2026, 4, 2)
    task = session_after(line, date(2026, 3, 31))
    assert task.due == date(2026, 4, 30)
    assert (task.rule.section, task.rule.rule) == ("3", f"personal_supervision.roles.{role}")


def test_hull_s3_social_workers_in_training_have_1_5_hours_a_week(lifeline):
    """Held Fri 6 Mar: next due Fri 13 Mar; the cadence asks 90 minutes of each week."""
    task = session_after(relationship(lifeline, "hull", supervisee("student")), date(2026, 3, 6))
    assert (task.due, task.rule.section) == (date(2026, 3, 13), "3")
    assert load_policy("hull").cadence_for("student").minimum_minutes == 90


@pytest.mark.parametrize(("held_on", "next_due"), [
    (date(2026, 6, 1), date(2026, 6, 15)),   # Mon, the last day of the first 3 months: fortnightly
    (date(2026, 6, 2), date(2026, 7, 2)),    # Tue, 3 months after the return: monthly
])
def test_hull_s3_after_a_change_of_role_or_long_absence_fortnightly_for_3_months_then_monthly(
        lifeline, held_on, next_due):
    """sw returns Mon 2 Mar 2026 (the staff record's start): first session due Mon 16 Mar."""
    line = relationship(lifeline, "hull", supervisee("returner", started=STARTED))
    assert only(line.step, "personal_supervision").due == date(2026, 3, 16)
    task = session_after(line, held_on)
    assert task.due == next_due
    assert (task.rule.section, task.rule.rule) == ("3", "personal_supervision.roles.returner")


@pytest.mark.parametrize(("held_on", "next_due", "phase"), [
    (date(2026, 2, 13), date(2026, 2, 20), "weekly"),       # first six weeks: to Mon 16 Feb
    (date(2026, 2, 16), date(2026, 3, 2), "fortnightly"),   # up to six months: Sun 5 Jul
    (date(2026, 7, 3), date(2026, 7, 17), "fortnightly"),
    (date(2026, 7, 6), date(2026, 8, 6), "monthly"),        # monthly thereafter
])
def test_hull_s3_nqsw_weekly_for_six_weeks_fortnightly_to_six_months_then_monthly(
        lifeline, held_on, next_due, phase):
    """Enrolled Mon 5 Jan 2026."""
    task = asye_session_after(asye(lifeline, "hull"), held_on)
    assert task.due == next_due
    assert (task.rule.section, task.rule.rule) == ("3", f"asye.phases.{phase}")


def test_hull_s3_asye_reviews_follow_the_national_framework(lifeline):
    """Sun 5 Apr, Sun 5 Jul 2026 and the final on Tue 5 Jan 2027."""
    line = asye(lifeline, "hull")
    assert {k: v for k, v in dues(line).items() if not k.startswith("supervision")} == {
        # 3 months after Mon 5 Jan 2026 is Sun 5 Apr (Easter): Easter Monday skipped, Tue 7 Apr;
        # 6 months is Sun 5 Jul: Mon 6 Jul. The deadlines move; the phase boundaries do not.
        "review:three_month": date(2026, 4, 7), "review:six_month": date(2026, 7, 6),
        "final:1": date(2027, 1, 5)}


# ----- the Child and Family Assessment (Working Together 2023) --------------------------------


def test_hull_an_assessment_is_due_by_working_together_day_45_and_overdue_after(
        lifeline):
    """Started Wed 25 Mar 2026: completion due Tue 2 Jun, overdue from Wed 3 Jun. The policy states
    no timescale: the task cites Working Together 2023, which no local section adopts."""
    line = assessment(lifeline, "hull")
    [task] = line.step.opened
    assert (task.rule.source, task.rule.section, task.rule.adopted_by) == (
        "Working Together 2023", "Chapter 3", "")
    assert opened(line.step) == {"complete": ("complete_assessment", "sw", "worker",
                                              date(2026, 6, 2))}
    assert line.fire("limit").state == "overdue"
    assert line.step.transitions[0].on == date(2026, 6, 3)


# ----- §3 the relationship --------------------------------------------------------------------


def test_hull_s3_the_supervision_contract_is_due_on_the_first_day_and_not_reviewed_on_a_timer(
        lifeline):
    """Due Mon 2 Mar; signing it times nothing further."""
    line = relationship(lifeline, "hull", supervisee("qualified_social_worker"))
    task = only(line.step, "supervision_agreement")
    assert (task.due, task.rule.section) == (STARTED, "3")
    assert line.apply(AgreementSigned(on=STARTED, supervisor="tm1", supervisee="sw")).opened == ()


def test_hull_s3_unplanned_absence_over_two_weeks_sends_the_supervisee_to_the_line_manager(
        lifeline):
    """Away unplanned Mon 13 Apr: after two weeks, Mon 27 Apr, sw reports by Tue 5 May."""
    line = relationship(lifeline, "hull", supervisee("qualified_social_worker"))
    line.apply(away(AWAY, planned=False))
    assert line.armed["absence_threshold"].fires_on == date(2026, 4, 27)
    step = line.fire("absence_threshold")
    assert opened(step) == {"alternative:2": ("alternative_supervision", "sw", "supervisee",
                                              date(2026, 5, 5))}  # early May bank holiday skipped
    assert only(step, "alternative_supervision").rule.section == "3"


def test_hull_s3_planned_leave_of_the_supervisor_arms_no_absence_threshold(lifeline):
    """The rule is for unplanned leave only."""
    line = relationship(lifeline, "hull", supervisee("qualified_social_worker"))
    step = line.apply(away(AWAY, planned=True))
    assert step.arm == () and "absence_threshold" not in line.armed


def test_hull_s3_a_missed_session_goes_to_the_supervisors_line_manager_and_no_further(lifeline):
    """Due Thu 2 Apr and missed: hos1 by Mon 13 Apr (Easter skipped); then breached."""
    line = relationship(lifeline, "hull", supervisee("qualified_social_worker"))
    step = line.fire("task:supervision:1")
    assert opened(step) == {"supervision:1^": ("escalation", "hos1", "line_manager",
                                               date(2026, 4, 13))}
    assert only(step, "escalation").rule.section == "3"
    last = line.fire("task:supervision:1^")
    assert last.changed == (TaskChange("supervision:1^", "breached", date(2026, 4, 14)),)
