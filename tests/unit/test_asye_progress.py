"""ASYE progress (issue 7 §1): sessions against the cadence with their gaps, reviews, pauses,
the portfolio's evidence and the outcome, on journeys with known answers.

sw1 enrols on Mon 5 Jan 2026 under Surrey's schedule: weekly to Sun 5 Apr 2026, fortnightly to
Mon 5 Oct 2026, 4-weekly after; reviews at 3 and 6 months; the final assessment on 5 Jan 2027.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oversight.states.errors import EventInvalid, EventRejected
from oversight.states.events import (
    AsyeEnrolled,
    AsyeEvidenceRecorded,
    AsyePaused,
    AsyeResumed,
    FinalAssessmentRecorded,
    ReviewHeld,
    SupervisionHeld,
    parse_event,
)
from oversight.states.machines import AsyeJourney
from oversight.states.views.asye_progress import asye_progress
from tests.unit.portfolio import full_portfolio

ENROLLED = date(2026, 1, 5)
WEEKLY_SESSIONS = [date(2026, 1, 12) + timedelta(weeks=n) for n in range(12)]  # 12 Jan … 30 Mar


def held(on: date) -> SupervisionHeld:
    return SupervisionHeld(on=on, supervisor="tm1", supervisee="sw1", minutes=90)


def evidence(kind: str, on: date, at: str | None = None) -> AsyeEvidenceRecorded:
    return AsyeEvidenceRecorded(on=on, worker="sw1", kind=kind, at=at)


def progress(line, as_of: date):
    return asye_progress(worker="sw1", state=line.state, data=line.data, policy=line.policy,
                         as_of=as_of)


@pytest.fixture
def journey(lifeline):
    """sw1's ASYE, just enrolled."""
    line = lifeline(AsyeJourney, "sw1")
    line.begin(AsyeEnrolled(on=ENROLLED, worker="sw1", supervisor="tm1"))
    return line


@pytest.fixture
def three_fortnights_missed(journey):
    """Weekly sessions on time to 6 Apr, one fortnightly on 20 Apr, then nothing until 10 Jun."""
    for day in [*WEEKLY_SESSIONS, date(2026, 4, 6), date(2026, 4, 20)]:
        journey.apply(held(day))
    journey.sweep(date(2026, 4, 5))  # the fortnightly phase begins
    journey.apply(ReviewHeld(on=date(2026, 4, 2), worker="sw1", review="three_month"))
    journey.apply(held(date(2026, 6, 10)))
    return journey


# ----- sessions against the cadence -----------------------------------------------------------


def test_an_asye_with_three_missed_fortnightly_sessions_shows_three_gaps_with_their_dates(
        three_fortnights_missed):
    """Due Tue 5 May (4 May is May Day), 19 May and 2 Jun with no session: three gaps (a missed
    date runs on from its due day); the late 10 Jun session restarts the cadence."""
    found = progress(three_fortnights_missed, date(2026, 6, 15))
    assert [(g.due, g.phase) for g in found.gaps] == [
        (date(2026, 5, 5), "fortnightly"), (date(2026, 5, 19), "fortnightly"),
        (date(2026, 6, 2), "fortnightly")]
    assert found.late_sessions == [date(2026, 6, 10)]
    assert found.next_session_due == date(2026, 6, 24)


def test_sessions_held_against_those_required_are_counted_by_phase(three_fortnights_missed):
    """Weekly: 13 due dates all met; fortnightly: 4 due so far, 1 met, 3 missed, 3 sessions held."""
    weekly, fortnightly, monthly = progress(three_fortnights_missed, date(2026, 6, 15)).phases
    assert (weekly.required, weekly.held_on_time, weekly.held, weekly.gaps) == (13, 13, 12, [])
    assert (fortnightly.required, fortnightly.held_on_time, fortnightly.held) == (4, 1, 3)
    assert fortnightly.gaps == [date(2026, 5, 5), date(2026, 5, 19), date(2026, 6, 2)]
    assert (fortnightly.starts, fortnightly.ends, fortnightly.every) == (
        date(2026, 4, 5), date(2026, 10, 5), "2 weeks")
    assert (monthly.required, monthly.held) == (0, 0)


def test_the_phase_and_the_day_the_next_phase_starts_are_shown(three_fortnights_missed):
    """On 15 Jun 2026 sw1 is fortnightly; the 4-weekly phase starts on 5 Oct 2026."""
    found = progress(three_fortnights_missed, date(2026, 6, 15))
    assert (found.phase, found.next_phase, found.next_phase_starts) == (
        "fortnightly", "monthly", date(2026, 10, 5))


def test_a_due_date_is_not_a_gap_on_its_own_day_only_the_day_after(journey):
    """The first session is due 12 Jan: on 12 Jan nothing is missed, on 13 Jan one gap."""
    assert progress(journey, date(2026, 1, 12)).gaps == []
    assert progress(journey, date(2026, 1, 12)).next_session_due == date(2026, 1, 12)
    assert [g.due for g in progress(journey, date(2026, 1, 13)).gaps] == [date(2026, 1, 12)]


def test_with_no_session_at_all_the_gaps_follow_the_weekly_cadence_from_the_missed_dates(journey):
    """No session in January: gaps on 12, 19 and 26 Jan by 1 Feb; next due 2 Feb."""
    found = progress(journey, date(2026, 2, 1))
    assert [g.due for g in found.gaps] == [date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 26)]
    assert found.next_session_due == date(2026, 2, 2)
    assert found.to_json()["totals"] == {"required": 3, "held_on_time": 0, "held": 0, "gaps": 3}


# ----- reviews, pauses, the end date ----------------------------------------------------------


def test_review_points_are_held_planned_or_overdue(three_fortnights_missed):
    """Three-month review held on 2 Apr (due Tue 7 Apr: Sun 5 Apr moved past Easter Monday); the
    six-month one due Mon 6 Jul (Sun 5 Jul moved) is overdue by 10 Jul."""
    before = {r.review: (r.planned, r.held_on, r.status)
              for r in progress(three_fortnights_missed, date(2026, 6, 15)).reviews}
    assert before == {"three_month": (date(2026, 4, 7), date(2026, 4, 2), "held"),
                      "six_month": (date(2026, 7, 6), None, "planned")}
    after = progress(three_fortnights_missed, date(2026, 7, 10))
    assert [(r.review, r.status) for r in after.reviews] == [("three_month", "held"),
                                                             ("six_month", "overdue")]
    assert (after.final.planned, after.final.status) == (date(2027, 1, 5), "planned")


def test_a_pause_of_four_weeks_moves_the_reviews_the_phases_and_the_end_date(journey):
    """Away 2 Feb to 2 Mar 2026: the end moves from 5 Jan to 2 Feb 2027, fortnightly from 3 May."""
    for day in WEEKLY_SESSIONS[:3]:  # 12, 19 and 26 Jan
        journey.apply(held(day))
    journey.apply(AsyePaused(on=date(2026, 2, 2), worker="sw1"))
    paused = progress(journey, date(2026, 2, 20))
    assert [(p.on, p.resumed) for p in paused.pauses] == [(date(2026, 2, 2), None)]
    assert paused.next_session_due is None and paused.gaps == []
    journey.apply(AsyeResumed(on=date(2026, 3, 2), worker="sw1"))
    found = progress(journey, date(2026, 3, 2))
    assert [(p.on, p.resumed, p.days) for p in found.pauses] == [
        (date(2026, 2, 2), date(2026, 3, 2), 28)]
    assert (found.planned_end, found.end, found.paused_days) == (
        date(2027, 1, 5), date(2027, 2, 2), 28)
    # Sun 3 May + May Day: Tue 5 May; Sun 2 Aug: Mon 3 Aug.
    assert [r.planned for r in found.reviews] == [date(2026, 5, 5), date(2026, 8, 3)]
    assert found.next_phase_starts == date(2026, 5, 3)
    # The session due 2 Feb (set on 26 Jan) moved to 2 Mar: nothing was missed while away.
    assert found.gaps == [] and found.next_session_due == date(2026, 3, 2)


def test_nothing_falls_due_while_the_pause_lasts(journey):
    """Paused on 2 Feb with the next session due that day: no gap by 1 Mar, no date is due."""
    for day in WEEKLY_SESSIONS[:3]:  # 12, 19 and 26 Jan
        journey.apply(held(day))
    journey.apply(AsyePaused(on=date(2026, 2, 2), worker="sw1"))
    found = progress(journey, date(2026, 3, 1))
    assert found.gaps == [] and found.next_session_due is None
    assert found.phase == "weekly"


# ----- evidence and the final assessment ------------------------------------------------------


def test_evidence_is_counted_against_the_national_frameworks_requirement(journey):
    """Two observations, one of each feedback, the six-month reflection: what is short is listed."""
    for item in [evidence("direct_observation", date(2026, 2, 9)),
                 evidence("direct_observation", date(2026, 5, 11)),
                 evidence("service_user_feedback", date(2026, 3, 2)),
                 evidence("professional_feedback", date(2026, 4, 13)),
                 evidence("critical_reflection", date(2026, 7, 1), at="six_month")]:
        journey.apply(item)
    found = progress(journey, date(2026, 7, 2))
    assert [(e.kind, e.recorded, e.required) for e in found.evidence] == [
        ("direct_observation", 2, 3), ("service_user_feedback", 1, 3),
        ("professional_feedback", 1, 3), ("critical_reflection:six_month", 1, 1),
        ("critical_reflection:twelve_month", 0, 1)]
    assert found.evidence_missing == [
        "1 more direct observation (2 of 3 recorded)",
        "2 more pieces of feedback from people who use services (1 of 3 recorded)",
        "2 more pieces of feedback from other professionals (1 of 3 recorded)",
        "the critical reflection at twelve months"]


def test_a_final_assessment_passed_while_evidence_is_short_is_refused_saying_what_is_missing(
        journey):
    """Everything but one professional's feedback and the twelve-month reflection: refused."""
    portfolio = full_portfolio("sw1", date(2026, 12, 1))
    for item in portfolio[:8] + [portfolio[9]]:  # not the third professional's, nor twelve months
        journey.apply(item)
    machine = journey.load()
    before = (machine.state, machine.data)
    with pytest.raises(EventRejected) as refused:
        machine.apply(FinalAssessmentRecorded(on=date(2027, 1, 5), worker="sw1", outcome="passed"))
    assert str(refused.value) == (
        "asye:sw1 is 'weekly' and does not accept 'final_assessment_recorded': the portfolio is "
        "short of evidence: 1 more piece of feedback from other professionals (2 of 3 recorded); "
        "the critical reflection at twelve months")
    assert (machine.state, machine.data) == before


def test_a_failed_or_extended_final_assessment_needs_no_complete_portfolio(journey):
    """Only a pass needs the evidence: an extension is recorded with none."""
    step = journey.apply(FinalAssessmentRecorded(on=date(2027, 1, 5), worker="sw1",
                                                 outcome="extended", extended_to=date(2027, 4, 5)))
    assert step.state == "extended"
    found = progress(journey, date(2027, 1, 6))
    assert found.end == date(2027, 4, 5)
    assert found.extensions == [{"on": "2027-01-05", "to": "2027-04-05"}]


def test_with_the_portfolio_complete_the_pass_is_recorded_and_shown_as_the_outcome(journey):
    """Passed on 5 Jan 2027: the outcome and its date; no phase, no session due."""
    for item in full_portfolio("sw1", date(2026, 12, 1)):
        journey.apply(item)
    journey.apply(FinalAssessmentRecorded(on=date(2027, 1, 5), worker="sw1", outcome="passed"))
    found = progress(journey, date(2027, 2, 1))
    assert (found.outcome, found.outcome_on, found.final.status) == (
        "passed", date(2027, 1, 5), "passed")
    assert found.phase is None and found.next_session_due is None
    assert found.evidence_missing == []
    assert {r.status for r in found.reviews} == {"withdrawn"}


def test_evidence_is_recorded_in_the_audit_trail_citing_the_national_framework(journey):
    """An internal transition citing asye.evidence; the record keeps kind, day and point."""
    step = journey.apply(evidence("critical_reflection", date(2026, 7, 1), at="six_month"))
    [record] = step.transitions
    assert (record.source, record.dest, record.trigger, record.rule.rule, record.rule.section) == (
        "weekly", "weekly", "add_evidence", "asye.evidence", "Portfolio")
    assert record.rule.source == "ASYE framework" and record.rule.adopted_by == ""
    assert step.data["evidence"] == [
        {"kind": "critical_reflection", "on": "2026-07-01", "at": "six_month"}]


def test_a_reflection_at_a_point_the_policy_does_not_name_is_refused(journey):
    """A nine-month reflection is not one the framework asks for."""
    with pytest.raises(EventRejected, match="no critical reflection 'nine_month'; this policy "
                                            "asks for six_month, twelve_month"):
        journey.load().apply(evidence("critical_reflection", date(2026, 10, 1), at="nine_month"))


def test_evidence_after_the_journey_ended_is_refused(journey):
    """A failed journey takes no more evidence."""
    journey.apply(FinalAssessmentRecorded(on=date(2027, 1, 5), worker="sw1", outcome="failed"))
    with pytest.raises(EventRejected,
                       match="'failed' and does not accept 'asye_evidence_recorded'"):
        journey.load().apply(evidence("direct_observation", date(2027, 1, 6)))


@pytest.mark.parametrize(("fields", "reason"), [
    ({"kind": "critical_reflection"}, "'at' names the point"),
    ({"kind": "direct_observation", "at": "six_month"}, "'at' names the point"),
    ({"kind": "portfolio_page"}, "kind"),
])
def test_an_evidence_event_with_a_wrong_kind_or_point_does_not_parse(fields, reason):
    """parse_event names the problem."""
    with pytest.raises(EventInvalid, match=reason):
        parse_event({"type": "asye_evidence_recorded", "on": "2026-07-01", "worker": "sw1",
                     **fields})


def test_a_policy_may_set_its_own_evidence_numbers(surrey_mapping, lifeline, team):
    """An `evidence` section with 2 direct observations and one reflection replaces the defaults."""
    from oversight.states.policy.model import Policy

    surrey_mapping["asye"]["evidence"] = {
        "direct_observations": 2, "critical_reflections": ["twelve_month"],
        "cite": {"section": "5.2", "quote": "two direct observations"}}
    policy = Policy.from_mapping(surrey_mapping, source="test")
    assert policy.asye.evidence.direct_observations == 2
    assert policy.asye.evidence.service_user_feedback == 3
    line = lifeline(AsyeJourney, "sw1", policy=policy)
    line.begin(AsyeEnrolled(on=ENROLLED, worker="sw1", supervisor="tm1"))
    assert [e.required for e in progress(line, ENROLLED).evidence] == [2, 3, 3, 1]
