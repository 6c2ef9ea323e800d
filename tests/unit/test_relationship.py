"""The supervisory relationship (surrey §4.1, §4.3, §4.4): agreement, cadence, absence, eligibility.

tm1 starts supervising sw2 (qualified, 4-weekly) on Mon 2 Mar 2026; tm1's line manager is hos1.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.directory import StaffMember
from oversight.states.errors import UnknownEntity
from oversight.states.events import (
    AgreementReviewed,
    AgreementSigned,
    AlternativeSupervisionArranged,
    RelationshipEnded,
    RelationshipStarted,
    SupervisionHeld,
    SupervisorAbsenceStarted,
    SupervisorReturned,
)
from oversight.states.machines import SupervisoryRelationship
from oversight.states.policy.model import Policy
from oversight.states.values import EntityRef, TaskChange

STARTED = date(2026, 3, 2)
AWAY = date(2026, 4, 13)          # tm1's absence starts
THRESHOLD = date(2026, 5, 11)     # four weeks later


def started(supervisee: str = "sw2", on: date = STARTED) -> RelationshipStarted:
    return RelationshipStarted(on=on, supervisor="tm1", supervisee=supervisee)


def signed(on: date, supervisee: str = "sw2") -> AgreementSigned:
    return AgreementSigned(on=on, supervisor="tm1", supervisee=supervisee)


def held(on: date, supervisee: str = "sw2") -> SupervisionHeld:
    return SupervisionHeld(on=on, supervisor="tm1", supervisee=supervisee, minutes=90)


def away(on: date = AWAY, planned: bool = False) -> SupervisorAbsenceStarted:
    return SupervisorAbsenceStarted(on=on, supervisor="tm1", planned=planned)


def back(on: date) -> SupervisorReturned:
    return SupervisorReturned(on=on, supervisor="tm1")


def arranged(on: date, with_whom: str | None = "tm2") -> AlternativeSupervisionArranged:
    return AlternativeSupervisionArranged(on=on, supervisor="tm1", supervisee="sw2",
                                          arranged_with=with_whom)


def ended(on: date, reason: str = "moved") -> RelationshipEnded:
    return RelationshipEnded(on=on, supervisor="tm1", supervisee="sw2", reason=reason)


@pytest.fixture
def pending(lifeline):
    """tm1 and sw2 on the day they start, agreement not yet signed."""
    line = lifeline(SupervisoryRelationship, SupervisoryRelationship.entity_id("tm1", "sw2"))
    line.begin(started())
    return line


@pytest.fixture
def active(pending):
    """The same pair once the agreement is signed on the first day."""
    pending.apply(signed(STARTED))
    return pending


@pytest.fixture
def absent(active):
    """tm1 away from Mon 13 Apr 2026."""
    active.apply(away())
    return active


def opened_summary(step):
    return {t.key: (t.type, t.assignee, t.assignee_role, t.due) for t in step.opened}


# ----- the start and the agreement ------------------------------------------------------------


def test_the_relationship_id_joins_supervisor_and_supervisee():
    """tm1 supervising sw2 is the entity relationship:tm1:sw2."""
    assert SupervisoryRelationship.entity_id("tm1", "sw2") == "tm1:sw2"


def test_a_relationship_with_a_qualified_worker_opens_the_agreement_and_a_four_weekly_session(
        pending):
    """The agreement is due on day one (§6) and the first session 4 weeks on (§4.1)."""
    step = pending.step
    assert step.created and step.state == "agreement_pending"
    assert step.entity == EntityRef("relationship", "tm1:sw2")
    assert opened_summary(step) == {
        "agreement": ("supervision_agreement", "tm1", "supervisor", STARTED),
        "supervision:1": ("personal_supervision", "tm1", "supervisor", date(2026, 3, 30)),
    }
    rules = {t.key: (t.rule.rule, t.rule.section) for t in step.opened}
    assert rules == {"agreement": ("relationship.agreement", "6"),
                     "supervision:1": ("personal_supervision.roles.qualified_social_worker", "4.1")}
    assert {t.name: t.fires_on for t in step.arm} == {
        "task:agreement": date(2026, 3, 3), "task:supervision:1": date(2026, 3, 31)}
    assert step.data["role"] == "qualified_social_worker" and step.data["signed"] is False
    assert [r.trigger for r in step.transitions] == ["relationship started"]


def test_an_asye_supervisee_gets_no_cadence_task_because_the_asye_journey_keeps_it(lifeline):
    """tm1 supervising sw1 (ASYE) opens only the agreement."""
    step = lifeline(SupervisoryRelationship, "tm1:sw1").begin(started("sw1"))
    assert opened_summary(step) == {"agreement": ("supervision_agreement", "tm1", "supervisor",
                                                  STARTED)}
    assert step.data["role"] == "asye"


def test_a_supervisee_missing_from_the_directory_is_refused_as_unknown(lifeline):
    """The staff record gives the role, so a stranger cannot start a relationship."""
    with pytest.raises(UnknownEntity, match="no staff member 'sw9'"):
        lifeline(SupervisoryRelationship, "tm1:sw9").begin(started("sw9"))


def test_signing_the_agreement_makes_the_relationship_active_and_closes_its_task(pending):
    """agreement_pending → active; Surrey times no review, so nothing new opens."""
    step = pending.apply(signed(STARTED))
    assert step.state == "active"
    assert step.data["signed"] is True
    assert step.changed == (TaskChange("agreement", "closed", STARTED),)
    assert step.disarm == ("task:agreement",)
    assert step.opened == ()
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger, record.rule.section) == (
        "agreement_pending", "active", "sign_agreement", "6")


def test_an_unsigned_agreement_escalates_to_the_supervisors_line_manager(pending):
    """Not signed on day one: hos1 gets agreement^ due Tue 10 Mar 2026."""
    step = pending.fire("task:agreement")
    assert step.changed == (TaskChange("agreement", "escalated", date(2026, 3, 3)),)
    assert opened_summary(step) == {"agreement^": ("escalation", "hos1", "line_manager",
                                                   date(2026, 3, 10))}


def test_signing_late_closes_the_agreement_and_its_escalation(pending):
    """Signed on 4 Mar: agreement and agreement^ both close."""
    pending.fire("task:agreement")
    step = pending.apply(signed(date(2026, 3, 4)))
    assert step.changed == (TaskChange("agreement", "closed", date(2026, 3, 4)),
                            TaskChange("agreement^", "closed", date(2026, 3, 4)))
    assert "task:agreement^" not in pending.armed


@pytest.fixture
def reviewed_yearly(lifeline, surrey_mapping):
    """A relationship under Surrey's file edited to review the agreement yearly (devon §4)."""
    surrey_mapping["relationship"]["agreement"]["review_every"] = {"months": 12}
    policy = Policy.from_mapping(surrey_mapping, source="test")
    line = lifeline(SupervisoryRelationship, "tm1:sw2", policy=policy)
    line.begin(started())
    return line


def test_a_policy_with_a_yearly_review_opens_the_review_when_the_agreement_is_signed(
        reviewed_yearly):
    """Signed 2 Mar 2026: the review is due 2 Mar 2027."""
    step = reviewed_yearly.apply(signed(STARTED))
    assert opened_summary(step) == {"agreement_review:2": ("agreement_review", "tm1", "supervisor",
                                                           date(2027, 3, 2))}


def test_reviewing_the_agreement_closes_the_review_and_sets_the_next_a_year_on(reviewed_yearly):
    """Reviewed early on Sat 20 Feb 2027: a year on is Sun 20 Feb 2028, so due Mon 21 Feb."""
    reviewed_yearly.apply(signed(STARTED))
    on = date(2027, 2, 20)
    step = reviewed_yearly.apply(AgreementReviewed(on=on, supervisor="tm1", supervisee="sw2"))
    assert step.state == "active"
    assert step.changed == (TaskChange("agreement_review:2", "closed", on),)
    assert opened_summary(step) == {"agreement_review:3": ("agreement_review", "tm1", "supervisor",
                                                           date(2028, 2, 21))}
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger) == ("active", "active", "review_agreement")


def test_reviewing_the_agreement_under_surrey_records_it_without_a_task(active):
    """Surrey reviews 'when required': the event is accepted and nothing is timed."""
    step = active.apply(AgreementReviewed(on=date(2026, 9, 1), supervisor="tm1", supervisee="sw2"))
    assert step.state == "active"
    assert step.opened == () and step.changed == ()
    assert [r.trigger for r in step.transitions] == ["review_agreement"]


# ----- personal supervision -------------------------------------------------------------------


def test_a_session_held_closes_the_one_due_and_sets_the_next_four_weeks_on(active):
    """Held Fri 27 Mar 2026: supervision:1 closes and supervision:2 is due Fri 24 Apr."""
    step = active.apply(held(date(2026, 3, 27)))
    assert step.state == "active"
    assert step.changed == (TaskChange("supervision:1", "closed", date(2026, 3, 27)),)
    assert opened_summary(step) == {"supervision:2": ("personal_supervision", "tm1", "supervisor",
                                                      date(2026, 4, 24))}
    assert {t.name: t.fires_on for t in step.arm} == {"task:supervision:2": date(2026, 4, 25)}
    [record] = step.transitions
    assert (record.trigger, record.rule.rule) == (
        "hold_supervision", "personal_supervision.roles.qualified_social_worker")


def test_a_session_is_accepted_before_the_agreement_is_signed(pending):
    """Supervision can start while the agreement is pending; the state does not move. Held Mon 9
    Mar 2026, 4 weeks on is Easter Monday 6 Apr: due Tue 7 Apr."""
    step = pending.apply(held(date(2026, 3, 9)))
    assert step.state == "agreement_pending"
    assert [(t.key, t.due) for t in step.opened] == [("supervision:2", date(2026, 4, 7))]


def test_a_missed_session_escalates_from_the_supervisor_to_their_line_manager(active):
    """supervision:1 due 30 Mar is missed: hos1 must act by Thu 9 Apr (Easter skipped)."""
    step = active.fire("task:supervision:1")
    assert opened_summary(step) == {"supervision:1^": ("escalation", "hos1", "line_manager",
                                                       date(2026, 4, 9))}


def test_a_session_for_an_asye_supervisee_sets_no_next_task_here(lifeline):
    """The ASYE journey keeps an ASYE's cadence; the relationship only records the session."""
    line = lifeline(SupervisoryRelationship, "tm1:sw1")
    line.begin(started("sw1"))
    step = line.apply(held(date(2026, 3, 9), supervisee="sw1"))
    assert step.opened == () and step.changed == ()
    assert [r.trigger for r in step.transitions] == ["hold_supervision"]


def test_a_passed_asye_puts_the_supervisee_on_the_qualified_four_weekly_cadence(lifeline):
    """sw1 passes on Mon 1 Feb 2027: the next personal supervision is due four weeks later."""
    from oversight.states.events import FinalAssessmentRecorded

    line = lifeline(SupervisoryRelationship, "tm1:sw1")
    line.begin(started("sw1"))
    step = line.apply(FinalAssessmentRecorded(on=date(2027, 2, 1), worker="sw1", outcome="passed"))
    assert step.data["role"] == "qualified_social_worker"
    assert [(t.type, t.due) for t in step.opened] == [("personal_supervision", date(2027, 3, 1))]
    assert [r.trigger for r in step.transitions] == ["note_asye_outcome"]


def test_a_failed_asye_leaves_the_relationships_role_as_it_was(lifeline):
    """Only a pass changes the cadence; a fail is recorded and nothing else."""
    from oversight.states.events import FinalAssessmentRecorded

    line = lifeline(SupervisoryRelationship, "tm1:sw1")
    line.begin(started("sw1"))
    step = line.apply(FinalAssessmentRecorded(on=date(2027, 2, 1), worker="sw1", outcome="failed"))
    assert step.data["role"] == "asye" and step.opened == ()


# ----- supervisor absence ---------------------------------------------------------------------


def test_the_supervisors_absence_moves_to_supervisor_absent_and_arms_the_four_week_threshold(
        absent):
    """active → supervisor_absent; absence_threshold fires 4 weeks later, on 11 May 2026."""
    step = absent.step
    assert step.state == "supervisor_absent"
    [timer] = step.arm
    assert (timer.name, timer.fires_on, timer.rule.rule, timer.rule.section) == (
        "absence_threshold", THRESHOLD, "relationship.supervisor_absence", "4.3")
    assert (timer.basis.start, timer.basis.interval) == (AWAY, "4 weeks")
    assert step.data["absence"] == {"on": "2026-04-13", "planned": False}
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger) == ("active", "supervisor_absent",
                                                           "supervisor_leaves")


def test_the_absence_threshold_opens_alternative_supervision_for_the_supervisors_line_manager(
        absent):
    """After 4 weeks hos1 must arrange alternative supervision within a week, by 18 May 2026."""
    step = absent.fire("absence_threshold")
    assert step.state == "supervisor_absent"
    assert opened_summary(step) == {"alternative:2": ("alternative_supervision", "hos1",
                                                      "line_manager", date(2026, 5, 18))}
    [task] = step.opened
    assert (task.rule.rule, task.basis.start, task.basis.interval) == (
        "relationship.supervisor_absence", THRESHOLD, "1 week")
    assert {t.name: t.fires_on for t in step.arm} == {"task:alternative:2": date(2026, 5, 19)}
    assert [r.trigger for r in step.transitions] == ["absence passed its threshold"]


def test_the_absence_threshold_fired_twice_opens_one_alternative_task(absent):
    """A repeat firing of the threshold timer changes nothing the second time."""
    absent.fire("absence_threshold")
    first = absent.step
    step = absent.load().fire("absence_threshold", THRESHOLD)
    assert step.data == first.data
    assert (step.transitions, step.arm, step.opened, step.changed) == ((), (), (), ())


def test_arranging_alternative_supervision_closes_its_task(absent):
    """supervisor_absent → alternative_arranged; alternative:2 closes; the stand-in is kept."""
    absent.fire("absence_threshold")
    step = absent.apply(arranged(date(2026, 5, 15)))
    assert step.state == "alternative_arranged"
    assert step.changed == (TaskChange("alternative:2", "closed", date(2026, 5, 15)),)
    assert step.data["alternative_supervisor"] == "tm2"
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger) == (
        "supervisor_absent", "alternative_arranged", "arrange_alternative")


def test_alternative_supervision_arranged_before_the_threshold_means_the_timer_opens_nothing(
        absent):
    """Arranged a week in: the threshold timer is disarmed; firing a stale copy opens nothing."""
    step = absent.apply(arranged(date(2026, 4, 20)))
    assert "absence_threshold" in step.disarm
    step = absent.fire("absence_threshold", date(2026, 5, 11))
    assert step.state == "alternative_arranged"
    assert step.opened == () and step.transitions == ()


def test_alternative_supervision_not_arranged_in_time_is_breached_when_no_one_is_above(absent):
    """hos1 misses the week and has no line manager: the task is breached."""
    absent.fire("absence_threshold")
    step = absent.fire("task:alternative:2")
    assert step.changed == (TaskChange("alternative:2", "breached", date(2026, 5, 19)),)


def test_the_supervisors_return_after_alternative_arrangements_makes_the_relationship_active(
        absent):
    """alternative_arranged → active; the threshold timer is disarmed and the absence forgotten."""
    absent.apply(arranged(date(2026, 4, 20)))
    step = absent.apply(back(date(2026, 6, 1)))
    assert step.state == "active"
    assert "absence_threshold" in step.disarm
    assert "absence" not in step.data and "alternative_supervisor" not in step.data
    assert "absence_threshold" not in absent.armed
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger) == (
        "alternative_arranged", "active", "supervisor_back")


def test_the_supervisors_return_withdraws_an_alternative_task_still_open(absent):
    """Back on 14 May before hos1 arranged anything: alternative:2 is withdrawn."""
    absent.fire("absence_threshold")
    step = absent.apply(back(date(2026, 5, 14)))
    assert step.state == "active"
    assert step.changed == (TaskChange("alternative:2", "withdrawn", date(2026, 5, 14)),)
    assert "task:alternative:2" in step.disarm


def test_the_supervisors_return_withdraws_an_alternative_task_already_breached(absent):
    """Once the supervisor is back nothing can fulfil the breached task, so it is withdrawn too."""
    absent.fire("absence_threshold")
    absent.fire("task:alternative:2")
    step = absent.apply(back(date(2026, 5, 25)))
    assert step.changed == (TaskChange("alternative:2", "withdrawn", date(2026, 5, 25)),)
    assert not any(t["type"] == "alternative_supervision" for t in step.data["tasks"].values())


def test_the_supervisors_return_withdraws_an_escalated_alternative_task_and_its_escalation(
        lifeline, team_with):
    """With a director above hos1, the escalation chasing the director ends when tm1 is back."""
    directory = team_with(
        StaffMember("hos1", "senior_manager", started=date(2012, 9, 3), line_manager="dcs1"),
        StaffMember("dcs1", "senior_manager", started=date(2010, 1, 4)))
    line = lifeline(SupervisoryRelationship, "tm1:sw2", directory=directory)
    line.begin(started())
    line.apply(signed(STARTED))
    line.apply(away())
    line.fire("absence_threshold")
    line.fire("task:alternative:2")
    assert line.tasks["alternative:2^"]["assignee"] == "dcs1"
    step = line.apply(back(date(2026, 5, 25)))
    assert step.changed == (TaskChange("alternative:2", "withdrawn", date(2026, 5, 25)),
                            TaskChange("alternative:2^", "withdrawn", date(2026, 5, 25)))
    assert "task:alternative:2^" not in line.armed


def test_a_return_before_the_agreement_was_signed_goes_back_to_agreement_pending(pending):
    """agreement_pending → supervisor_absent → agreement_pending, the agreement still owed."""
    pending.apply(away(date(2026, 3, 9)))
    assert pending.state == "supervisor_absent"
    step = pending.apply(back(date(2026, 3, 16)))
    assert step.state == "agreement_pending"
    assert [(r.source, r.dest, r.trigger) for r in step.transitions] == [
        ("supervisor_absent", "agreement_pending", "supervisor_back_unsigned")]
    assert "agreement" in step.data["tasks"]


def test_a_stale_threshold_timer_after_the_return_opens_nothing(absent):
    """The supervisor came back after two weeks; a late threshold firing finds them present."""
    absent.apply(back(date(2026, 4, 27)))
    step = absent.load().fire("absence_threshold", THRESHOLD)
    assert step.state == "active" and step.opened == ()


def test_a_policy_for_unplanned_absence_only_arms_no_threshold_for_planned_leave(lifeline,
                                                                                 surrey_mapping):
    """Under Hull-style rules planned leave is noted and timed by nothing."""
    surrey_mapping["relationship"]["supervisor_absence"]["applies_to"] = "unplanned"
    policy = Policy.from_mapping(surrey_mapping, source="test")
    line = lifeline(SupervisoryRelationship, "tm1:sw2", policy=policy)
    line.begin(started())
    step = line.apply(away(planned=True))
    assert step.state == "supervisor_absent"
    assert step.arm == ()
    assert step.notes == (
        "planned absence: this policy's absence rule applies to unplanned leave only",)
    unplanned = line.apply(back(date(2026, 4, 20)))
    assert unplanned.state == "agreement_pending"
    assert [t.name for t in line.apply(away(date(2026, 4, 27))).arm] == ["absence_threshold"]


def test_a_policy_where_the_supervisee_reports_the_absence_gives_the_task_to_the_supervisee(
        lifeline, surrey_mapping):
    """Hull §3: after two weeks the supervisee reports to the supervisor's line manager."""
    absence = surrey_mapping["relationship"]["supervisor_absence"]
    absence.update(threshold={"weeks": 2}, respond_within={"working_days": 5},
                   response="supervisee_reports_to_line_manager")
    policy = Policy.from_mapping(surrey_mapping, source="test")
    line = lifeline(SupervisoryRelationship, "tm1:sw2", policy=policy)
    line.begin(started())
    line.apply(away())
    assert line.armed["absence_threshold"].fires_on == date(2026, 4, 27)
    step = line.fire("absence_threshold")
    assert opened_summary(step) == {"alternative:2": ("alternative_supervision", "sw2",
                                                      "supervisee", date(2026, 5, 5))}


# ----- the end --------------------------------------------------------------------------------


def test_ending_the_relationship_withdraws_every_task_and_disarms_every_timer(active):
    """active → ended when sw2 moves team; the next session is withdrawn."""
    on = date(2026, 3, 20)
    step = active.apply(ended(on))
    assert step.state == "ended"
    assert step.changed == (TaskChange("supervision:1", "withdrawn", on),)
    assert set(step.disarm) == {"task:supervision:1", "absence_threshold"}
    assert step.data["tasks"] == {}
    assert step.data["ended"] == {"on": "2026-03-20", "reason": "moved"}
    assert active.armed == {}
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger) == ("active", "ended", "end")


def test_ending_during_an_absence_withdraws_the_alternative_task_and_the_threshold(absent):
    """supervisor_absent → ended: nothing stays armed."""
    absent.fire("absence_threshold")
    step = absent.apply(ended(date(2026, 5, 13), reason="left"))
    assert step.state == "ended"
    assert {c.key for c in step.changed} == {"supervision:1", "alternative:2"}
    assert {c.change for c in step.changed} == {"withdrawn"}
    assert absent.armed == {}


def test_ending_before_the_agreement_is_signed_withdraws_the_agreement(pending):
    """agreement_pending → ended."""
    step = pending.apply(ended(date(2026, 3, 3)))
    assert step.state == "ended"
    assert {c.key for c in step.changed} == {"agreement", "supervision:1"}


def test_ending_with_alternative_arrangements_in_place_is_accepted(absent):
    """alternative_arranged → ended."""
    absent.apply(arranged(date(2026, 4, 20)))
    assert absent.apply(ended(date(2026, 5, 1))).state == "ended"


# ----- supervisor eligibility -----------------------------------------------------------------


def supervisor_qualified(on: date, line_manager: str | None = "hos1") -> StaffMember:
    return StaffMember("tm1", "manager", started=date(2025, 9, 1), line_manager=line_manager,
                       qualified=on)


def test_a_supervisor_qualified_under_two_years_before_gets_an_eligibility_task_for_their_manager(
        lifeline, team_with):
    """tm1 qualified 10 Jan 2025: hos1 must act on §4.4 on day one; eligible from 10 Jan 2027."""
    line = lifeline(SupervisoryRelationship, "tm1:sw2",
                    directory=team_with(supervisor_qualified(date(2025, 1, 10))))
    step = line.begin(started())
    tasks = {t.key: t for t in step.opened}
    task = tasks["eligibility"]
    assert (task.type, task.assignee, task.assignee_role, task.due) == (
        "supervisor_eligibility", "hos1", "line_manager", STARTED)
    assert (task.rule.rule, task.rule.section) == ("relationship.supervisor_eligibility", "4.4")
    assert step.notes == ("supervisor qualified 2025-01-10: eligible from 2027-01-10",)
    assert line.armed["task:eligibility"].fires_on == date(2026, 3, 3)


@pytest.mark.parametrize(("qualified", "flagged"), [
    (date(2024, 3, 2), False),   # exactly two years before the start
    (date(2024, 3, 3), True),    # one day short
    (date(2012, 7, 1), False),
])
def test_eligibility_is_flagged_only_for_less_than_two_years_after_qualifying(
        lifeline, team_with, qualified, flagged):
    """Two years to the day is enough (§4.4: a minimum of two years)."""
    line = lifeline(SupervisoryRelationship, "tm1:sw2",
                    directory=team_with(supervisor_qualified(qualified)))
    step = line.begin(started())
    assert ("eligibility" in {t.key for t in step.opened}) is flagged


def test_surrey_s4_4_a_supervisor_with_no_qualified_date_gets_a_data_quality_task_not_a_pass(
        lifeline, team_with):
    """No date, no check: hos1 is asked for the date on day one, citing §4.4's two years."""
    member = StaffMember("tm1", "manager", started=date(2025, 9, 1), line_manager="hos1")
    line = lifeline(SupervisoryRelationship, "tm1:sw2", directory=team_with(member))
    step = line.begin(started())
    tasks = {t.key: t for t in step.opened}
    assert "eligibility" not in tasks
    task = tasks["eligibility_unknown"]
    assert (task.type, task.assignee, task.assignee_role, task.due) == (
        "supervisor_qualified_date_missing", "hos1", "line_manager", STARTED)
    assert (task.rule.rule, task.rule.section) == ("relationship.supervisor_eligibility", "4.4")
    assert step.notes == ("tm1 has no qualified date: the 24 months after qualifying cannot be "
                          "checked until the staff record gives it",)


def test_a_policy_with_no_eligibility_rule_asks_for_no_qualified_date(lifeline, team_with):
    """Sunderland sets no eligibility: a supervisor without a date raises nothing."""
    member = StaffMember("tm1", "manager", started=date(2025, 9, 1), line_manager="hos1")
    line = lifeline(SupervisoryRelationship, "tm1:sw2", policy=load_policy("sunderland"),
                    directory=team_with(member))
    step = line.begin(started())
    assert not {"eligibility", "eligibility_unknown"} & {t.key for t in step.opened}
