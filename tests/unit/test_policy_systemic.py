"""The systemic-practice authority's policy (config/policies/systemic.yaml) through the machines.

Each test names the section whose rule produces the due date it checks. The policy has no
agreement, absence or escalation rule; the file's choices for them are tested as ``file choice``.
Staff chain: dcs1 > hos1 > tm1 (supervisor) > sw.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.states.values import TaskChange
from tests.unit.policy_scenarios import (
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

# ----- §6 personal supervision ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["qualified_social_worker", "family_support_worker",
                                  "practitioner"])
def test_systemic_s6_all_practitioners_are_seen_every_4_weeks(lifeline, role):
    """Started Mon 2 Mar: first due Mon 30 Mar; held Fri 6 Mar, next due Tue 7 Apr (4 weeks on is
    Fri 3 Apr, Good Friday; Sat, Sun and Easter Monday skipped)."""
    line = relationship(lifeline, "systemic", supervisee(role))
    assert only(line.step, "personal_supervision").due == date(2026, 3, 30)
    task = session_after(line, date(2026, 3, 6))
    assert task.due == date(2026, 4, 7)
    assert (task.rule.section, task.rule.rule) == ("6", f"personal_supervision.roles.{role}")


def test_systemic_s6_student_social_workers_are_seen_weekly(lifeline):
    """Held Fri 6 Mar: next due Fri 13 Mar (the move to fortnightly is agreed, not timed)."""
    line = relationship(lifeline, "systemic", supervisee("student"))
    task = session_after(line, date(2026, 3, 6))
    assert (task.due, task.rule.section) == (date(2026, 3, 13), "6")


def test_systemic_s6_names_no_cadence_for_managers_so_none_is_timed(lifeline):
    """The policy covers practitioners, students and NQSWs only."""
    line = relationship(lifeline, "systemic", supervisee("manager"))
    assert opened(line.step) == {}


@pytest.mark.parametrize(("held_on", "next_due", "phase"), [
    (date(2026, 2, 13), date(2026, 2, 20), "weekly"),       # first six weeks: to Mon 16 Feb
    (date(2026, 2, 16), date(2026, 3, 2), "fortnightly"),   # to the six-month review: Sun 5 Jul
    (date(2026, 7, 3), date(2026, 7, 17), "fortnightly"),
    (date(2026, 7, 6), date(2026, 8, 6), "monthly"),        # at least monthly thereafter
])
def test_systemic_s6_asye_weekly_six_weeks_fortnightly_to_the_six_month_review_then_monthly(
        lifeline, held_on, next_due, phase):
    """Enrolled Mon 5 Jan 2026."""
    task = asye_session_after(asye(lifeline, "systemic"), held_on)
    assert task.due == next_due
    assert (task.rule.section, task.rule.rule) == ("6", f"asye.phases.{phase}")


def test_systemic_s6_the_six_month_review_and_the_frameworks_three_month_review_and_final(lifeline):
    """Sun 5 Apr, Sun 5 Jul, and the final on Tue 5 Jan 2027."""
    line = asye(lifeline, "systemic")
    assert {k: v for k, v in dues(line).items() if not k.startswith("supervision")} == {
        # 3 months after Mon 5 Jan 2026 is Sun 5 Apr (Easter): Easter Monday skipped, Tue 7 Apr;
        # 6 months is Sun 5 Jul: Mon 6 Jul. The deadlines move; the phase boundaries do not.
        "review:three_month": date(2026, 4, 7), "review:six_month": date(2026, 7, 6),
        "final:1": date(2027, 1, 5)}
    six = next(t for t in line.step.opened if t.key == "review:six_month")
    # The framework times it; §6 names "the six-month review" and so adopts it.
    assert (six.rule.source, six.rule.section, six.rule.adopted_by) == (
        "ASYE framework", "Reviews", "6")


# ----- the Child and Family Assessment (Working Together 2023) --------------------------------


def test_systemic_an_assessment_is_due_by_working_together_day_45_and_overdue_after(
        lifeline):
    """Started Wed 25 Mar 2026: completion due Tue 2 Jun, overdue from Wed 3 Jun. The policy states
    no timescale: the task cites Working Together 2023, which no local section adopts."""
    line = assessment(lifeline, "systemic")
    [task] = line.step.opened
    assert (task.rule.source, task.rule.section, task.rule.adopted_by) == (
        "Working Together 2023", "Chapter 3", "")
    assert opened(line.step) == {"complete": ("complete_assessment", "sw", "worker",
                                              date(2026, 6, 2))}
    assert line.fire("limit").state == "overdue"
    assert line.step.transitions[0].on == date(2026, 6, 3)


# ----- the relationship (file choices: the policy has no such rules) --------------------------


def test_systemic_asks_for_no_agreement_so_a_relationship_is_active_from_its_first_day(lifeline):
    """No agreement task is opened and none can be pending."""
    line = relationship(lifeline, "systemic", supervisee("qualified_social_worker"))
    assert line.step.state == "active"
    assert "supervision_agreement" not in {t.type for t in line.step.opened}


def test_systemic_sets_no_absence_rule_so_a_supervisors_absence_is_tracked_but_not_timed(lifeline):
    """The state changes to supervisor_absent; no threshold timer is armed."""
    line = relationship(lifeline, "systemic", supervisee("qualified_social_worker"))
    step = line.apply(away())
    assert step.state == "supervisor_absent"
    assert "absence_threshold" not in line.armed


def test_systemic_s6_file_choice_a_missed_session_goes_to_the_line_manager_and_no_further(lifeline):
    """Due Mon 30 Mar and missed: hos1 by Thu 9 Apr (Easter skipped); then breached."""
    line = relationship(lifeline, "systemic", supervisee("qualified_social_worker"))
    step = line.fire("task:supervision:1")
    assert opened(step) == {"supervision:1^": ("escalation", "hos1", "line_manager",
                                               date(2026, 4, 9))}
    last = line.fire("task:supervision:1^")
    assert last.changed == (TaskChange("supervision:1^", "breached", date(2026, 4, 10)),)
