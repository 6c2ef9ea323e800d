"""Team activities (the policies' ``team_activities``): each one held opens the next.

Team t1 is led by tm1; sw2 is a staff member whose line manager is tm1; tm1 is a supervisor whose
line manager is hos1. Each authority's test runs under its own file in config/policies.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.errors import EventRejected, UnknownEntity
from oversight.states.events import TeamActivityHeld, TeamActivityStarted
from oversight.states.events.registry import DomainEvent, parse_event
from oversight.states.machines import KINDS, TeamCadence
from oversight.states.values import TaskChange

STARTED = date(2026, 3, 2)   # Mon


def started(activity: str, owner: str, on: date = STARTED, lead: str | None = None):
    return TeamActivityStarted(on=on, activity=activity, owner=owner, lead=lead)


def held(activity: str, owner: str, on: date, lead: str | None = None) -> TeamActivityHeld:
    return TeamActivityHeld(on=on, activity=activity, owner=owner, lead=lead)


@pytest.fixture
def cadence(lifeline):
    """A factory: an activity started under an authority's policy."""

    def make(authority: str, activity: str, owner: str, on: date = STARTED,
             lead: str | None = None):
        line = lifeline(TeamCadence, TeamCadence.entity_id(activity, owner),
                        policy=load_policy(authority))
        line.begin(started(activity, owner, on, lead))
        return line

    return make


@pytest.fixture
def first_held(lifeline):
    """A factory: an activity the store first hears of when it is held."""

    def make(authority: str, activity: str, owner: str, on: date, lead: str | None = None):
        line = lifeline(TeamCadence, TeamCadence.entity_id(activity, owner),
                        policy=load_policy(authority))
        line.begin(held(activity, owner, on, lead))
        return line

    return make


def due_task(line):
    """The one activity task still held: (key, assignee, due)."""
    [(key, task)] = [(k, t) for k, t in line.tasks.items() if t["type"] == line.data["activity"]]
    return key, task["assignee"], date.fromisoformat(task["due"])


def refused(line, event: DomainEvent, reason: str) -> None:
    machine = line.load()
    state, data = machine.state, copy.deepcopy(machine.data)
    with pytest.raises(EventRejected, match=reason):
        machine.apply(event)
    assert (machine.state, machine.data) == (state, data)


def test_team_cadence_is_registered_as_its_own_kind():
    """``team_activity`` names TeamCadence; its events parse by type."""
    assert KINDS["team_activity"] is TeamCadence
    assert TeamCadence.entity_id("appraisal", "sw2") == "appraisal:sw2"
    event = parse_event({"type": "team_activity_held", "on": "2026-03-02",
                         "activity": "appraisal", "owner": "sw2"})
    assert isinstance(event, TeamActivityHeld)


# ----- the rules of each policy file ---------------------------------------------------------


def test_devon_s7_group_supervision_is_due_a_month_after_the_team_starts(cadence):
    """Team t1 from Mon 2 Mar 2026: the first group supervision is due Thu 2 Apr, from tm1."""
    line = cadence("devon", "group_supervision", "t1", lead="tm1")
    [task] = line.step.opened
    assert (task.key, task.type, task.assignee, task.subject, task.due) == (
        "group_supervision:1", "group_supervision", "tm1", "team:t1", date(2026, 4, 2))
    assert (task.rule.authority, task.rule.section) == ("devon", "7")


def test_devon_s7_group_supervision_held_on_31_january_is_next_due_after_28_february(first_held):
    """A month after the 31st is clamped to the month's last day, Sat 28 Feb 2026; the weekend
    moves the deadline to Mon 2 Mar."""
    line = first_held("devon", "group_supervision", "t1", date(2026, 1, 31), lead="tm1")
    assert due_task(line) == ("group_supervision:1", "tm1", date(2026, 3, 2))
    assert line.step.opened[0].basis.unmoved == date(2026, 2, 28)


def test_devon_s8_each_staff_member_has_an_appraisal_a_year_on_with_their_line_manager(cadence):
    """sw2 from Mon 2 Mar 2026: due Tue 2 Mar 2027, assigned to tm1, sw2's line manager."""
    line = cadence("devon", "appraisal", "sw2")
    assert due_task(line) == ("appraisal:1", "tm1", date(2027, 3, 2))
    assert line.step.opened[0].subject == "staff_member:sw2"
    assert line.step.opened[0].rule.section == "8"


def test_devon_s8_an_appraisal_held_on_29_february_is_next_due_on_28_february(cadence):
    """Held Tue 29 Feb 2028 (a leap day): due Wed 28 Feb 2029."""
    line = cadence("devon", "appraisal", "sw2")
    line.apply(held("appraisal", "sw2", date(2028, 2, 29)))
    assert due_task(line)[2] == date(2029, 2, 28)


def test_hull_s3_each_team_holds_a_reflective_discussion_every_month(first_held):
    """Held Tue 10 Mar 2026: the next is due Fri 10 Apr 2026."""
    line = first_held("hull", "reflective_discussion", "t1", date(2026, 3, 10), lead="tm1")
    assert due_task(line) == ("reflective_discussion:1", "tm1", date(2026, 4, 10))
    assert line.step.opened[0].rule.section == "3"


def test_surrey_s4_3_family_safeguarding_sessions_are_planned_at_the_start_then_every_6_months(
        cadence):
    """sw2 from Mon 2 Mar 2026: the plan is due within 5 working days (Tue 3 … Mon 9 Mar), from
    tm1; made on Mon 9 Mar, it is renewed 6 months on, Wed 9 Sep 2026."""
    line = cadence("surrey", "family_safeguarding_session_plan", "sw2")
    assert due_task(line) == ("family_safeguarding_session_plan:1", "tm1", date(2026, 3, 9))
    assert line.step.opened[0].rule.section == "4.3"
    line.apply(held("family_safeguarding_session_plan", "sw2", date(2026, 3, 9)))
    assert due_task(line)[2] == date(2026, 9, 9)


def test_devon_s4_2_a_years_session_dates_are_planned_at_the_start_then_every_year(cadence):
    """sw2 from Mon 2 Mar 2026: the year's dates are planned by Mon 9 Mar (5 working days), with
    tm1; planned on Fri 6 Mar, the next year's are due Mon 8 Mar 2027 (6 Mar is a Saturday)."""
    line = cadence("devon", "session_plan", "sw2")
    assert due_task(line) == ("session_plan:1", "tm1", date(2026, 3, 9))
    assert line.step.opened[0].rule.section == "4.2"
    line.apply(held("session_plan", "sw2", date(2026, 3, 6)))
    assert due_task(line)[2] == date(2027, 3, 8)


def test_surrey_s4_3_the_supervision_summary_is_closed_monthly(cadence):
    """sw2's workbook summary from Mon 2 Mar 2026: closed by Thu 2 Apr, from tm1."""
    line = cadence("surrey", "supervision_summary", "sw2")
    assert due_task(line) == ("supervision_summary:1", "tm1", date(2026, 4, 2))


def test_surrey_s4_1_a_managers_children_are_supervised_every_6_weeks(cadence):
    """tm1 from Mon 2 Mar 2026: the child/carer supervision of a manager is due from hos1 six
    weeks on, Mon 13 Apr 2026."""
    line = cadence("surrey", "manager_child_supervision", "tm1")
    assert due_task(line) == ("manager_child_supervision:1", "hos1", date(2026, 4, 13))
    assert line.step.opened[0].rule.section == "4.1"


def test_hull_s4_each_supervisor_is_observed_twice_a_year(cadence):
    """tm1 from Mon 2 Mar 2026: due Wed 2 Sep 2026, arranged by hos1; held 31 Aug, six months on
    is Sun 28 Feb 2027, so due Mon 1 Mar."""
    line = cadence("hull", "peer_observation", "tm1")
    assert due_task(line) == ("peer_observation:1", "hos1", date(2026, 9, 2))
    assert line.step.opened[0].rule.section == "4"
    line.apply(held("peer_observation", "tm1", date(2026, 8, 31)))
    assert due_task(line) == ("peer_observation:2", "hos1", date(2027, 3, 1))


def test_hull_s4_each_teams_reflective_discussions_are_observed_twice_a_year(cadence):
    """Team t1 from Mon 2 Mar 2026: due Wed 2 Sep 2026."""
    line = cadence("hull", "reflective_discussion_observation", "t1", lead="tm1")
    assert due_task(line)[2] == date(2026, 9, 2)


def test_hull_s4_the_supervision_quality_report_is_due_every_six_months(cadence):
    """From Wed 1 Jul 2026 six months is Fri 1 Jan 2027, New Year's Day, then the weekend: due
    Mon 4 Jan; held Fri 18 Dec, the next is due Fri 18 Jun 2027."""
    line = cadence("hull", "supervision_quality_report", "hull", date(2026, 7, 1), lead="hos1")
    assert due_task(line) == ("supervision_quality_report:1", "hos1", date(2027, 1, 4))
    assert line.step.opened[0].subject == "authority:hull"
    line.apply(held("supervision_quality_report", "hull", date(2026, 12, 18)))
    assert due_task(line)[2] == date(2027, 6, 18)


def test_sunderland_s4_3_a_schedule_started_in_january_is_due_by_the_end_of_that_january(cadence):
    """sw2 from Mon 5 Jan 2026: the end of January is Sat 31 Jan 2026; the file keeps it in
    January (non_working_day: previous), so it is due Fri 30 Jan."""
    line = cadence("sunderland", "supervision_schedule", "sw2", date(2026, 1, 5))
    assert due_task(line) == ("supervision_schedule:1", "tm1", date(2026, 1, 30))
    task = line.step.opened[0]
    assert (task.rule.section, task.basis.interval) == ("4.3", "to the end of the next January")


def test_sunderland_s4_3_a_schedule_started_after_january_is_due_the_next_january(cadence):
    """From Mon 2 Mar 2026: the end of January is Sun 31 Jan 2027, so due Fri 29 Jan 2027."""
    assert due_task(cadence("sunderland", "supervision_schedule", "sw2"))[2] == date(2027, 1, 29)


@pytest.mark.parametrize("held_on", [date(2026, 1, 20), date(2026, 2, 5), date(2026, 12, 10)])
def test_sunderland_s4_3_a_schedule_prepared_in_2026_makes_the_next_due_in_january_2027(
        held_on, cadence):
    """In time, late or early, the next schedule is due by Fri 29 Jan 2027 (31 Jan is a Sunday)."""
    line = cadence("sunderland", "supervision_schedule", "sw2", date(2026, 1, 5))
    line.apply(held("supervision_schedule", "sw2", held_on))
    assert due_task(line)[2] == date(2027, 1, 29)


# ----- states and transitions ----------------------------------------------------------------


def test_holding_it_closes_the_task_and_opens_the_next(cadence):
    """started → running; group_supervision:1 closed, :2 due a month after the day held."""
    line = cadence("devon", "group_supervision", "t1", lead="tm1")
    step = line.apply(held("group_supervision", "t1", date(2026, 3, 20)))
    assert step.state == "running"
    assert [(r.source, r.dest, r.trigger) for r in step.transitions] == [
        ("started", "running", "hold")]
    assert step.changed == (TaskChange("group_supervision:1", "closed", date(2026, 3, 20)),)
    assert due_task(line) == ("group_supervision:2", "tm1", date(2026, 4, 20))
    assert set(line.armed) == {"task:group_supervision:2"}
    assert line.data["last_held"] == "2026-03-20"


def test_an_activity_first_heard_of_when_held_starts_running(first_held):
    """No start event: the held one starts the entity, already running."""
    line = first_held("devon", "group_supervision", "t1", date(2026, 3, 20), lead="tm1")
    assert line.step.created and line.state == "running"
    assert [r.trigger for r in line.step.transitions] == ["first heard of when held", "hold"]


def test_a_missed_activity_falls_behind_is_escalated_and_runs_again_once_held(cadence):
    """Due Thu 2 Apr: on Fri 3 Apr it is overdue and escalated to hos1; held, running again."""
    line = cadence("devon", "group_supervision", "t1", lead="tm1")
    step = line.fire("task:group_supervision:1")
    assert step.state == "overdue"
    assert [(r.source, r.dest, r.trigger) for r in step.transitions if r.source != r.dest] == [
        ("started", "overdue", "fall_behind")]
    assert [(t.key, t.assignee) for t in step.opened] == [("group_supervision:1^", "hos1")]
    again = line.apply(held("group_supervision", "t1", date(2026, 4, 8)))
    assert again.state == "running"
    assert {c.key for c in again.changed} == {"group_supervision:1", "group_supervision:1^"}
    assert due_task(line)[2] == date(2026, 5, 8)


def test_a_running_activity_falls_behind_too(cadence):
    """running → overdue when the next due date passes."""
    line = cadence("devon", "group_supervision", "t1", lead="tm1")
    line.apply(held("group_supervision", "t1", date(2026, 3, 20)))
    assert line.fire("task:group_supervision:2").state == "overdue"


def test_an_escalation_missed_in_turn_keeps_it_overdue(cadence):
    """hos1 has no line manager: the escalation is breached, the state stays overdue."""
    line = cadence("devon", "group_supervision", "t1", lead="tm1")
    line.fire("task:group_supervision:1")
    step = line.fire("task:group_supervision:1^")
    assert step.state == "overdue"
    assert line.tasks["group_supervision:1^"]["state"] == "breached"


# ----- refusals ------------------------------------------------------------------------------


def test_an_unknown_activity_is_refused_naming_the_known_ones(lifeline):
    """Devon has group supervision, appraisal and the year's session plan."""
    line = lifeline(TeamCadence, "peer_observation:tm1", policy=load_policy("devon"))
    with pytest.raises(EventRejected, match="unknown activity 'peer_observation'; this policy has "
                                            "group_supervision, appraisal, session_plan"):
        line.begin(started("peer_observation", "tm1"))


@pytest.mark.parametrize("authority", ["systemic"])
def test_a_policy_without_team_activities_refuses_them(authority, lifeline):
    """The systemic authority times no team activity."""
    line = lifeline(TeamCadence, "appraisal:sw2", policy=load_policy(authority))
    with pytest.raises(EventRejected, match="this policy has no team activities"):
        line.begin(started("appraisal", "sw2"))


def test_a_team_activity_without_a_lead_is_refused(lifeline):
    """A team is not a person: someone must answer for its group supervision."""
    line = lifeline(TeamCadence, "group_supervision:t1", policy=load_policy("devon"))
    with pytest.raises(EventRejected, match="kept per team: name its lead"):
        line.begin(started("group_supervision", "t1"))


def test_an_activity_of_a_stranger_is_refused_as_unknown(lifeline):
    """An appraisal for someone the directory does not hold."""
    line = lifeline(TeamCadence, "appraisal:sw9", policy=load_policy("devon"))
    with pytest.raises(UnknownEntity, match="no staff member 'sw9'"):
        line.begin(started("appraisal", "sw9"))


def test_an_event_of_another_kind_is_refused_unchanged(cadence):
    """A started activity cannot be started again, nor take another kind's event."""
    line = cadence("devon", "appraisal", "sw2")
    refused(line, started("appraisal", "sw2"), "not an event of this kind")


@pytest.mark.parametrize(("authority", "activities"), [
    ("devon", {"group_supervision", "appraisal", "session_plan"}),
    ("hull", {"reflective_discussion", "peer_observation", "reflective_discussion_observation",
              "supervision_quality_report"}),
    ("sunderland", {"supervision_schedule"}),
    ("surrey", {"family_safeguarding_session_plan", "supervision_summary",
                "manager_child_supervision"}),
    ("systemic", set()),
])
def test_the_seeded_policies_team_activities_are_those_tested_above(authority, activities):
    """Each seeded file's activities have a due-date test here; any other file's activities
    fall due in the conformance suite's simulated year."""
    assert {a.activity for a in load_policy(authority).team_activities} == activities
