"""Sunderland's policy (config/policies/sunderland.yaml) driven through the machines, rule by rule.

Each test names the section whose rule produces the due date it checks ("Appendix 1", the
supervision agreement template, is never cited: what only it says is a file's note). Staff chain:
dcs1 > hos1 > tm1 (supervisor) > sw.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.events import AgreementReviewed, AgreementSigned
from oversight.states.events.child_supervision import (
    CaseDetailsChanged,
    ChildAllocated,
    ChildSupervisionHeld,
)
from oversight.states.machines import ChildSupervision
from oversight.states.values import TaskChange
from tests.unit.policy_scenarios import (
    STARTED,
    assessment,
    asye,
    asye_session_after,
    away,
    directory,
    dues,
    only,
    opened,
    relationship,
    session_after,
    supervisee,
    supervisor,
)

# ----- §4 personal supervision ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["qualified_social_worker", "manager"])
def test_sunderland_s4_2_supervision_is_never_less_often_than_monthly(lifeline, role):
    """Started Mon 2 Mar: first due Thu 2 Apr; held Tue 31 Mar, next due Thu 30 Apr (clamped)."""
    line = relationship(lifeline, "sunderland", supervisee(role))
    assert only(line.step, "personal_supervision").due == date(2026, 4, 2)
    task = session_after(line, date(2026, 3, 31))
    assert task.due == date(2026, 4, 30)
    assert (task.rule.section, task.rule.rule) == ("4.2", f"personal_supervision.roles.{role}")


def test_sunderland_s4_1_an_asye_has_no_personal_cadence_because_the_asye_journey_keeps_it(
        lifeline):
    """follows: asye."""
    line = relationship(lifeline, "sunderland", supervisee("asye"))
    assert set(opened(line.step)) == {"agreement"}


@pytest.mark.parametrize(("held_on", "next_due", "phase"), [
    (date(2026, 2, 13), date(2026, 2, 20), "weekly"),       # first six weeks: to Mon 16 Feb
    (date(2026, 2, 16), date(2026, 3, 2), "fortnightly"),   # to six months: Sun 5 Jul
    (date(2026, 7, 3), date(2026, 7, 17), "fortnightly"),
    (date(2026, 7, 6), date(2026, 8, 6), "monthly"),        # monthly thereafter
])
def test_sunderland_s4_1_nqsw_weekly_for_six_weeks_fortnightly_to_six_months_then_monthly(
        lifeline, held_on, next_due, phase):
    """Enrolled Mon 5 Jan 2026."""
    task = asye_session_after(asye(lifeline, "sunderland"), held_on)
    assert task.due == next_due
    assert (task.rule.section, task.rule.rule) == ("4.1", f"asye.phases.{phase}")


def test_sunderland_asye_reviews_follow_the_national_framework_no_section_adopts(lifeline):
    """3 and 6 months and the final at 12, sourced from the framework alone."""
    line = asye(lifeline, "sunderland")
    assert {k: v for k, v in dues(line).items() if not k.startswith("supervision")} == {
        # 3 months after Mon 5 Jan 2026 is Sun 5 Apr (Easter): Easter Monday skipped, Tue 7 Apr;
        # 6 months is Sun 5 Jul: Mon 6 Jul. The deadlines move; the phase boundaries do not.
        "review:three_month": date(2026, 4, 7), "review:six_month": date(2026, 7, 6),
        "final:1": date(2027, 1, 5)}
    final = only(line.step, "asye_final_assessment").rule
    # The framework states the 12 months; only the agreement template (Appendix 1) names the
    # ASYE, and a template is no citation: the framework is applied by sunderland.
    assert (final.source, final.section, final.adopted_by) == ("ASYE framework", "Reviews", "")
    assert str(final) == "ASYE framework Reviews (applied by sunderland)"


# ----- the Child and Family Assessment (Working Together 2023) --------------------------------


def test_sunderland_an_assessment_is_due_by_working_together_day_45_and_overdue_after(
        lifeline):
    """Started Wed 25 Mar 2026: completion due Tue 2 Jun, overdue from Wed 3 Jun. The policy states
    no timescale: the task cites Working Together 2023, which no local section adopts."""
    line = assessment(lifeline, "sunderland")
    [task] = line.step.opened
    assert (task.rule.source, task.rule.section, task.rule.adopted_by) == (
        "Working Together 2023", "Chapter 3", "")
    assert opened(line.step) == {"complete": ("complete_assessment", "sw", "worker",
                                              date(2026, 6, 2))}
    assert line.armed["day35"].fires_on == date(2026, 6, 2)
    assert line.fire("day35").state == "due"
    assert line.fire("limit").state == "overdue"
    assert line.step.transitions[0].on == date(2026, 6, 3)


# ----- §3 and §4.2 the relationship ---------------------------------------------------------


def test_sunderland_s3_1_the_agreement_is_due_at_the_start_and_reviewed_six_monthly(lifeline):
    """Signed Mon 2 Mar: review due Wed 2 Sep; reviewed Tue 1 Sep, the next due Mon 1 Mar 2027."""
    line = relationship(lifeline, "sunderland", supervisee("qualified_social_worker"))
    assert only(line.step, "supervision_agreement").due == STARTED
    step = line.apply(AgreementSigned(on=STARTED, supervisor="tm1", supervisee="sw"))
    review = only(step, "agreement_review")
    assert (review.due, review.rule.section) == (date(2026, 9, 2), "3.1")
    assert "6 months is this file's choice" in review.rule.note
    step = line.apply(AgreementReviewed(on=date(2026, 9, 1), supervisor="tm1", supervisee="sw"))
    assert only(step, "agreement_review").due == date(2027, 3, 1)


@pytest.mark.parametrize("planned", [False, True])
def test_sunderland_s4_2_no_supervision_for_a_month_is_referred_to_the_line_manager(
        lifeline, planned):
    """Away Mon 13 Apr (sick or not): after a month, Wed 13 May, sw refers it by Wed 20 May."""
    line = relationship(lifeline, "sunderland", supervisee("qualified_social_worker"))
    line.apply(away(planned=planned))
    assert line.armed["absence_threshold"].fires_on == date(2026, 5, 13)
    step = line.fire("absence_threshold")
    assert opened(step) == {"alternative:2": ("alternative_supervision", "sw", "supervisee",
                                              date(2026, 5, 20))}
    assert only(step, "alternative_supervision").rule.section == "4.2"


def test_sunderland_s6_2_a_missed_session_goes_to_a_senior_manager_and_no_further(lifeline):
    """Due Thu 2 Apr and missed: hos1, as senior manager, by Mon 13 Apr (Easter skipped)."""
    line = relationship(lifeline, "sunderland", supervisee("qualified_social_worker"))
    step = line.fire("task:supervision:1")
    assert opened(step) == {"supervision:1^": ("escalation", "hos1", "senior_manager",
                                               date(2026, 4, 13))}
    assert only(step, "escalation").rule.section == "6.2"
    last = line.fire("task:supervision:1^")
    assert last.opened == ()
    assert last.changed == (TaskChange("supervision:1^", "breached", date(2026, 4, 14)),)


def test_sunderland_sets_no_supervisor_eligibility_so_a_newly_qualified_supervisor_is_not_flagged(
        lifeline):
    """Only Surrey (§4.4) asks for two years' post-qualification experience."""
    line = relationship(lifeline, "sunderland", supervisee("qualified_social_worker"),
                        others=(supervisor(qualified=date(2025, 7, 1)),))
    assert "eligibility" not in opened(line.step)


# ----- §6 the plan for permanence ---------------------------------------------------------------


def looked_after_child(lifeline, case_type: str = "cla", plan: str = "none"):
    """c1, allocated to sw under tm1 on Mon 2 Mar 2026."""
    line = lifeline(ChildSupervision, "c1", policy=load_policy("sunderland"),
                    directory=directory(supervisee("qualified_social_worker")))
    line.begin(ChildAllocated(on=STARTED, child="c1", worker="sw", manager="tm1",
                              case_type=case_type, plan=plan))
    return line


def test_sunderland_s6_a_looked_after_childs_permanence_plan_is_due_before_the_4_month_review(
        lifeline):
    """Looked after from Mon 2 Mar 2026: discussed by Thu 2 Jul 2026 (4 months), from tm1."""
    line = looked_after_child(lifeline)
    [task] = [t for t in line.step.opened if t.type == "permanence_discussion"]
    assert (task.assignee, task.due) == ("tm1", date(2026, 7, 2))
    assert (task.rule.section, task.rule.rule, task.rule.quote) == (
        "6", "child_supervision.permanence_plan", "Plan for permanence at 4 month LAC Review")


def test_sunderland_s6_a_child_coming_into_care_later_counts_from_that_day(lifeline):
    """A CIN child from 2 Mar; a CLA plan from Mon 16 Mar: due Thu 16 Jul 2026."""
    line = looked_after_child(lifeline, case_type="cin")
    assert "permanence_discussion" not in {t.type for t in line.step.opened}
    step = line.apply(CaseDetailsChanged(on=date(2026, 3, 16), child="c1", plan="cla"))
    [task] = [t for t in step.opened if t.type == "permanence_discussion"]
    assert task.due == date(2026, 7, 16)


def test_sunderland_s6_a_discussion_of_the_child_meets_the_permanence_discussion(lifeline):
    """Discussed Wed 3 Jun 2026, before the review: the task closes that day."""
    line = looked_after_child(lifeline)
    [key] = [k for k, t in line.tasks.items() if t["type"] == "permanence_discussion"]
    step = line.apply(ChildSupervisionHeld(on=date(2026, 6, 3), child="c1", worker="sw"))
    assert TaskChange(key, "closed", date(2026, 6, 3)) in step.changed
