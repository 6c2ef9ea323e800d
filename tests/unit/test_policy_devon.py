"""Devon's policy (config/policies/devon.yaml) driven through the machines, rule by rule.

Each test names the section of the February 2025 policy whose rule produces the due date it
checks. Staff chain: dcs1 > hos1 > tm1 (supervisor) > sw.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.events import AgreementSigned
from oversight.states.values import TaskChange
from tests.unit.policy_scenarios import (
    STARTED,
    assessment,
    asye,
    asye_session_after,
    away,
    dues,
    held,
    only,
    opened,
    relationship,
    session_after,
    supervisee,
)

ROLES = ["qualified_social_worker", "family_support_worker", "practitioner", "manager"]

# ----- §4.1 personal supervision ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("held_on", "next_due"), [
    (date(2026, 4, 10), date(2026, 4, 17)),   # Fri, still in the first six weeks: weekly
    (date(2026, 4, 13), date(2026, 5, 13)),   # Mon, six weeks after the start: monthly
])
def test_devon_s4_1_weekly_in_the_first_six_weeks_of_employment_then_monthly(
        lifeline, role, held_on, next_due):
    """sw starts work Mon 2 Mar 2026, with tm1 the same day: first session due Mon 9 Mar."""
    line = relationship(lifeline, "devon", supervisee(role, started=STARTED))
    assert only(line.step, "personal_supervision").due == date(2026, 3, 9)
    task = session_after(line, held_on)
    assert task.due == next_due
    assert (task.rule.section, task.rule.rule) == ("4.1", f"personal_supervision.roles.{role}")


def test_devon_s4_1_the_six_weeks_count_from_employment_not_from_the_relationship(lifeline):
    """Started work Mon 5 Jan, new supervisor from Mon 9 Feb: weekly to Mon 16 Feb, then monthly."""
    line = relationship(lifeline, "devon", supervisee("qualified_social_worker",
                                                      started=date(2026, 1, 5)),
                        on=date(2026, 2, 9))
    assert only(line.step, "personal_supervision").due == date(2026, 2, 16)
    assert session_after(line, date(2026, 2, 16)).due == date(2026, 3, 16)


def test_devon_s4_1_a_newcomers_supervision_is_reviewed_after_the_first_six_weeks(lifeline):
    """Started work Mon 2 Mar 2026: six weeks end Mon 13 Apr; the review is due 5 working days
    on (Tue 14, Wed 15, Thu 16, Fri 17, Mon 20 Apr), owed by tm1 and cited to §4.1."""
    line = relationship(lifeline, "devon", supervisee("qualified_social_worker",
                                                      started=STARTED))
    review = only(line.step, "induction_review")
    assert (review.assignee, review.due) == ("tm1", date(2026, 4, 20))
    assert (review.rule.section, review.rule.rule) == (
        "4.1", "personal_supervision.induction_review")


def test_devon_s4_1_the_review_is_made_at_the_first_session_from_the_end_of_six_weeks(lifeline):
    """A session on Fri 10 Apr (still in the six weeks) leaves it open; Mon 13 Apr closes it."""
    line = relationship(lifeline, "devon", supervisee("qualified_social_worker",
                                                      started=STARTED))
    line.apply(held(date(2026, 4, 10)))
    assert line.tasks["induction_review"]["state"] == "open"
    step = line.apply(held(date(2026, 4, 13)))
    assert TaskChange("induction_review", "closed", date(2026, 4, 13)) in step.changed


def test_devon_s4_1_staff_long_in_post_owe_no_induction_review(lifeline):
    """In post since 2021: the first six weeks were long ago."""
    line = relationship(lifeline, "devon", supervisee("qualified_social_worker"))
    assert "induction_review" not in {t.type for t in line.step.opened}


@pytest.mark.parametrize("role", ROLES)
def test_devon_s4_1_established_staff_part_time_or_agency_alike_are_seen_monthly(lifeline, role):
    """In post since 2021: from Mon 2 Mar, first due Thu 2 Apr; held Tue 31 Mar, next Thu 30 Apr."""
    line = relationship(lifeline, "devon", supervisee(role))
    assert only(line.step, "personal_supervision").due == date(2026, 4, 2)
    assert session_after(line, date(2026, 3, 31)).due == date(2026, 4, 30)
    assert "agency" in load_policy("devon").cadence_for(role).cite.note


# ----- §5.2 newly qualified social workers ----------------------------------------------------


@pytest.mark.parametrize(("held_on", "next_due", "phase"), [
    (date(2026, 2, 13), date(2026, 2, 20), "weekly"),       # first 6 weeks: to Mon 16 Feb
    (date(2026, 2, 16), date(2026, 3, 2), "fortnightly"),   # 6 weeks to 6 months: Sun 5 Jul
    (date(2026, 7, 3), date(2026, 7, 17), "fortnightly"),
    (date(2026, 7, 6), date(2026, 8, 6), "monthly"),
    (date(2027, 6, 30), date(2027, 7, 30), "monthly"),      # still monthly in the second year
])
def test_devon_s5_2_nqsw_weekly_6_weeks_fortnightly_to_6_months_monthly_to_the_end_of_year_2(
        lifeline, held_on, next_due, phase):
    """Enrolled Mon 5 Jan 2026."""
    task = asye_session_after(asye(lifeline, "devon"), held_on)
    assert task.due == next_due
    assert (task.rule.section, task.rule.rule) == ("5.2", f"asye.phases.{phase}")


def test_devon_s5_2_the_final_assessment_ends_the_two_year_programme_with_framework_reviews(
        lifeline):
    """Reviews Sun 5 Apr and Sun 5 Jul 2026; the final on Wed 5 Jan 2028."""
    line = asye(lifeline, "devon")
    assert {k: v for k, v in dues(line).items() if not k.startswith("supervision")} == {
        # 3 months after Mon 5 Jan 2026 is Sun 5 Apr (Easter): Easter Monday skipped, Tue 7 Apr;
        # 6 months is Sun 5 Jul: Mon 6 Jul. The deadlines move; the phase boundaries do not.
        "review:three_month": date(2026, 4, 7), "review:six_month": date(2026, 7, 6),
        "final:1": date(2028, 1, 5)}
    assert line.armed["phase:monthly"].fires_on == date(2026, 7, 5)


def test_devon_s5_2_applies_over_the_conflicting_4_1_two_weekly_for_three_months(lifeline):
    """Held Mon 2 Feb (week 5): weekly by §5.2, not two-weekly by §4.1; §4.1 is on record."""
    task = asye_session_after(asye(lifeline, "devon"), date(2026, 2, 2))
    assert task.due == date(2026, 2, 9)
    weekly = load_policy("devon").asye.phases[0]
    assert [c.section for c in weekly.cite.conflicts_with] == ["4.1"]
    assert "applies §5.2" in weekly.cite.note


# ----- the Child and Family Assessment (Working Together 2023) --------------------------------


def test_devon_an_assessment_is_due_by_working_together_day_45_and_overdue_after(
        lifeline):
    """Started Wed 25 Mar 2026: completion due Tue 2 Jun, overdue from Wed 3 Jun. The policy states
    no timescale: the task cites Working Together 2023, which no local section adopts."""
    line = assessment(lifeline, "devon")
    [task] = line.step.opened
    assert (task.rule.source, task.rule.section, task.rule.adopted_by) == (
        "Working Together 2023", "Chapter 3", "")
    assert opened(line.step) == {"complete": ("complete_assessment", "sw", "worker",
                                              date(2026, 6, 2))}
    assert line.fire("limit").state == "overdue"
    assert line.step.transitions[0].on == date(2026, 6, 3)


# ----- §4 the relationship --------------------------------------------------------------------


def test_devon_s4_the_agreement_is_due_at_the_start_and_reviewed_every_12_months(lifeline):
    """Signed Mon 2 Mar 2026: review due Tue 2 Mar 2027."""
    line = relationship(lifeline, "devon", supervisee("qualified_social_worker"))
    assert only(line.step, "supervision_agreement").due == STARTED
    step = line.apply(AgreementSigned(on=STARTED, supervisor="tm1", supervisee="sw"))
    review = only(step, "agreement_review")
    assert (review.due, review.rule.section) == (date(2027, 3, 2), "4")


def test_devon_sets_no_absence_rule_so_a_supervisors_absence_is_tracked_but_not_timed(lifeline):
    """Devon's policy says nothing of an absent supervisor: the state changes, no timer is armed."""
    line = relationship(lifeline, "devon", supervisee("qualified_social_worker"))
    step = line.apply(away())
    assert step.state == "supervisor_absent"
    assert "absence_threshold" not in line.armed
    assert step.notes == ("this policy sets no time limit on a supervisor's absence",)


def test_devon_s1_file_choice_a_missed_session_goes_to_the_line_manager_and_no_further(lifeline):
    """Due Thu 2 Apr and missed: hos1 by Mon 13 Apr (Easter skipped); then breached."""
    line = relationship(lifeline, "devon", supervisee("qualified_social_worker"))
    step = line.fire("task:supervision:1")
    assert opened(step) == {"supervision:1^": ("escalation", "hos1", "line_manager",
                                               date(2026, 4, 13))}
    last = line.fire("task:supervision:1^")
    assert last.changed == (TaskChange("supervision:1^", "breached", date(2026, 4, 14)),)
