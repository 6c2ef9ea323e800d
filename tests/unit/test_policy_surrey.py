"""Surrey's policy (config/policies/surrey.yaml) driven through the machines, rule by rule.

Each test names the section of the December 2024 policy whose rule produces the due date it
checks. Staff chain: dcs1 > hos1 > tm1 (supervisor) > sw.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.events import AgreementSigned, AssessmentExtended
from oversight.states.values import TaskChange
from tests.unit.policy_scenarios import (
    ASSESSED,
    ENROLLED,
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
    supervisor,
)

HELD = date(2026, 3, 6)  # Fri


# ----- §4.1 personal supervision --------------------------------------------------------------


@pytest.mark.parametrize(("role", "section", "first_due", "next_due"), [
    ("student", "4.1", date(2026, 3, 9), date(2026, 3, 13)),                   # weekly
    # 4 weekly: 4 weeks after Fri 6 Mar is Fri 3 Apr 2026, Good Friday; Sat 4, Sun 5 and Easter
    # Monday 6 Apr are not working days either, so the deadline is Tue 7 Apr.
    ("qualified_social_worker", "4.1", date(2026, 3, 30), date(2026, 4, 7)),
    ("family_support_worker", "4.1", date(2026, 3, 30), date(2026, 4, 7)),
    ("practitioner", "4.1", date(2026, 3, 30), date(2026, 4, 7)),
    ("residential", "4.1", date(2026, 3, 30), date(2026, 4, 7)),
    ("independent_chair", "4.1", date(2026, 3, 30), date(2026, 4, 7)),
    ("lado", "4.1", date(2026, 3, 30), date(2026, 4, 7)),
    ("manager", "4.1", date(2026, 4, 27), date(2026, 5, 1)),                   # 4-8 weekly: 8
    ("senior_manager", "4.1", date(2026, 4, 27), date(2026, 5, 1)),            # as managers
])
def test_surrey_s4_1_personal_supervision_falls_due_one_role_interval_after_the_last_session(
        lifeline, role, section, first_due, next_due):
    """Started Mon 2 Mar, a session held Fri 6 Mar: the next is due one interval later."""
    line = relationship(lifeline, "surrey", supervisee(role))
    first = only(line.step, "personal_supervision")
    assert first.due == first_due
    task = session_after(line, HELD)
    assert task.due == next_due
    assert (task.rule.authority, task.rule.section, task.rule.rule) == (
        "surrey", section, f"personal_supervision.roles.{role}")


def test_surrey_s4_1_residential_staff_are_seen_4_weekly_and_the_5_4_monthly_is_a_recorded_conflict(
        lifeline):
    """The table groups residential staff with qualified workers; §5.4 says monthly."""
    task = session_after(relationship(lifeline, "surrey", supervisee("residential")),
                         date(2026, 1, 30))
    assert task.due == date(2026, 2, 27)  # 4 weeks, not 28 Feb (a month)
    cadence = load_policy("surrey").cadence_for("residential")
    assert [c.section for c in cadence.cite.conflicts_with] == ["5.4"]


def test_surrey_s4_1_an_asye_supervisee_has_no_personal_cadence_because_the_asye_journey_keeps_it(
        lifeline):
    """follows: asye."""
    line = relationship(lifeline, "surrey", supervisee("asye", started=ENROLLED))
    assert opened(line.step) == {"agreement": ("supervision_agreement", "tm1", "supervisor",
                                               STARTED)}


# ----- §4.1 and §5.2 the ASYE ---------------------------------------------------------------


@pytest.mark.parametrize(("held_on", "next_due", "phase"), [
    (date(2026, 4, 3), date(2026, 4, 10), "weekly"),        # first 3 months: to Sun 5 Apr
    (date(2026, 4, 6), date(2026, 4, 20), "fortnightly"),   # next six months: to Mon 5 Oct
    (date(2026, 10, 2), date(2026, 10, 16), "fortnightly"),
    (date(2026, 10, 5), date(2026, 11, 2), "monthly"),      # 4 weekly thereafter
])
def test_surrey_s4_1_asye_weekly_for_3_months_bi_weekly_for_6_then_4_weekly(
        lifeline, held_on, next_due, phase):
    """Enrolled Mon 5 Jan 2026: the interval in force on the day of the session counts."""
    task = asye_session_after(asye(lifeline, "surrey"), held_on)
    assert task.due == next_due
    assert (task.rule.section, task.rule.rule) == ("4.1", f"asye.phases.{phase}")


def test_surrey_s5_2_asye_reviews_at_3_and_6_months_and_the_final_assessment_at_12(lifeline):
    """The national framework's points, cited to §5.2's objectives."""
    line = asye(lifeline, "surrey")
    assert {k: v for k, v in dues(line).items() if not k.startswith("supervision")} == {
        # 3 months after Mon 5 Jan 2026 is Sun 5 Apr (Easter Sunday): Easter Monday skipped, Tue 7
        # Apr; 6 months is Sun 5 Jul: Mon 6 Jul; 12 months is Tue 5 Jan 2027, a working day.
        "review:three_month": date(2026, 4, 7), "review:six_month": date(2026, 7, 6),
        "final:1": date(2027, 1, 5)}
    final = only(line.step, "asye_final_assessment")
    assert (final.rule.source, final.rule.section, final.rule.adopted_by) == (
        "ASYE framework", "Reviews", "5.2")
    assert final.rule.quote == "the final assessment at 12 months"


# ----- §4.1 the Child and Family Assessment ---------------------------------------------------


def test_surrey_s4_1_cf_oversight_at_allocation_and_days_10_20_35_with_completion_at_day_35(
        lifeline):
    """Started Wed 25 Mar 2026: DOMAIN.md's worked example."""
    step = assessment(lifeline, "surrey").step
    assert opened(step) == {
        "mo:allocation": ("management_oversight", "tm1", "manager", ASSESSED),
        "mo:day10": ("management_oversight", "tm1", "manager", date(2026, 4, 10)),
        "mo:day20": ("management_oversight", "tm1", "manager", date(2026, 4, 24)),
        "mo:day35": ("management_oversight", "tm1", "manager", date(2026, 5, 18)),
        "complete": ("complete_assessment", "sw", "worker", date(2026, 5, 18)),
    }
    assert {t.rule.section for t in step.opened} == {"4.1"}


def test_surrey_s4_1_an_assessment_extended_at_day_35_is_due_by_day_45_and_overdue_after(lifeline):
    """Extended on Mon 18 May: due Tue 2 Jun; the limit fires Wed 3 Jun. The 45 days are Working
    Together 2023's, restated (adopted) by §4.1."""
    line = assessment(lifeline, "surrey")
    step = line.apply(AssessmentExtended(on=date(2026, 5, 18), child="c1"))
    assert only(step, "complete_assessment").due == date(2026, 6, 2)
    rule = only(step, "complete_assessment").rule
    assert (rule.source, rule.section, rule.adopted_by) == ("Working Together 2023", "Chapter 3",
                                                            "4.1")
    assert line.armed["limit"].fires_on == date(2026, 6, 3)
    assert line.fire("limit").state == "overdue"


# ----- §4.3 and §4.4 the relationship ---------------------------------------------------------


def test_surrey_s4_3_the_agreement_is_due_on_the_first_day_and_reviewed_only_when_required(
        lifeline):
    """Appendix 2: at the start; 'reviewed when required' times nothing."""
    line = relationship(lifeline, "surrey", supervisee("qualified_social_worker"))
    assert only(line.step, "supervision_agreement").due == STARTED
    step = line.apply(AgreementSigned(on=STARTED, supervisor="tm1", supervisee="sw"))
    assert step.state == "active" and step.opened == ()


def test_surrey_s4_3_a_supervisor_absent_over_four_weeks_gets_alternative_within_the_week(
        lifeline):
    """Away Mon 13 Apr: the threshold fires Mon 11 May; hos1 arranges by Mon 18 May."""
    line = relationship(lifeline, "surrey", supervisee("qualified_social_worker"))
    line.apply(away(planned=True))  # any absence counts under Surrey
    assert line.armed["absence_threshold"].fires_on == date(2026, 5, 11)
    step = line.fire("absence_threshold")
    assert opened(step) == {"alternative:2": ("alternative_supervision", "hos1", "line_manager",
                                              date(2026, 5, 18))}
    assert only(step, "alternative_supervision").rule.section == "4.3"


def test_surrey_s4_4_a_supervisor_qualified_under_two_years_is_flagged_to_their_line_manager(
        lifeline):
    """tm1 qualified 10 Jan 2025: hos1 must act on day one; eligible from 10 Jan 2027."""
    line = relationship(lifeline, "surrey", supervisee("qualified_social_worker"),
                        others=(supervisor(qualified=date(2025, 1, 10)),))
    task = only(line.step, "supervisor_eligibility")
    assert (task.assignee, task.due, task.rule.section) == ("hos1", STARTED, "4.4")
    assert line.step.notes == ("supervisor qualified 2025-01-10: eligible from 2027-01-10",)


def test_surrey_s4_3_a_missed_session_escalates_to_the_line_manager_then_a_senior_manager(lifeline):
    """Due Mon 30 Mar and missed: hos1 by Thu 9 Apr (Easter skipped), then dcs1 by Fri 17 Apr."""
    line = relationship(lifeline, "surrey", supervisee("qualified_social_worker"))
    first = line.fire("task:supervision:1")
    assert opened(first) == {"supervision:1^": ("escalation", "hos1", "line_manager",
                                                date(2026, 4, 9))}
    assert only(first, "escalation").rule.section == "4.3"
    second = line.fire("task:supervision:1^")
    assert opened(second) == {"supervision:1^^": ("escalation", "dcs1", "senior_manager",
                                                  date(2026, 4, 17))}
    third = line.fire("task:supervision:1^^")
    assert third.opened == ()
    assert third.changed == (TaskChange("supervision:1^^", "breached", date(2026, 4, 18)),)

