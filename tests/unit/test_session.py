"""One supervision session (the policies' ``sessions``): recording, signing, cancellation,
length and preparation.

tm1 supervises sw2; tm1's line manager is hos1. A session is planned on Mon 2 Mar 2026 for
Tue 10 Mar 2026. Each authority's rule test runs under its own file in config/policies.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.errors import EventInvalid, EventRejected
from oversight.states.events import (
    DomainEvent,
    ReturnedToWork,
    SessionCancelled,
    SessionPlanned,
    SessionPrepared,
    SessionRecorded,
    SessionRescheduled,
    SessionSigned,
    SupervisionHeld,
    SupervisorReturned,
    parse_event,
)
from oversight.states.machines import KINDS, SupervisionSession
from oversight.states.machines.session import before
from oversight.states.policy.rules import Interval
from oversight.states.values import EntityRef, TaskChange

PLANNED_ON = date(2026, 3, 2)   # Mon
FOR = date(2026, 3, 10)         # Tue


def planned(for_date: date = FOR, on: date = PLANNED_ON, **more) -> SessionPlanned:
    return SessionPlanned(on=on, supervisor="tm1", supervisee="sw2", session="s1",
                          for_date=for_date, **more)


def held(on: date = FOR, minutes: int | None = 90, session: str | None = "s1") -> SupervisionHeld:
    return SupervisionHeld(on=on, supervisor="tm1", supervisee="sw2", minutes=minutes,
                           session=session)


def cancelled(on: date, reason: str = "other", returned_on: date | None = None) -> SessionCancelled:
    return SessionCancelled(on=on, session="s1", reason=reason, returned_on=returned_on)


def moved(on: date, for_date: date) -> SessionRescheduled:
    return SessionRescheduled(on=on, session="s1", for_date=for_date)


def recorded(on: date) -> SessionRecorded:
    return SessionRecorded(on=on, session="s1")


def signed(on: date, by: str) -> SessionSigned:
    return SessionSigned(on=on, session="s1", by=by)


@pytest.fixture
def session(lifeline):
    """A factory: s1 planned under an authority's policy, ``session("hull")``."""

    def make(authority: str, for_date: date = FOR, on: date = PLANNED_ON, **more):
        line = lifeline(SupervisionSession, "s1", policy=load_policy(authority))
        line.begin(planned(for_date, on, **more))
        return line

    return make


def of_type(line, type_: str) -> dict[str, dict]:
    return {key: task for key, task in line.tasks.items() if task["type"] == type_}


def due_of(line, type_: str) -> date:
    [task] = of_type(line, type_).values()
    return date.fromisoformat(task["due"])


def refused(line, event: DomainEvent, reason: str) -> None:
    """The event is refused with the reason, and the loaded machine is left exactly as it was."""
    machine = line.load()
    state, data = machine.state, copy.deepcopy(machine.data)
    with pytest.raises(EventRejected, match=reason):
        machine.apply(event)
    assert (machine.state, machine.data) == (state, data)


# ----- the kind, its events -----------------------------------------------------------------


def test_the_session_is_registered_as_its_own_kind():
    """``session`` names SupervisionSession; the events parse by their type."""
    assert KINDS["session"] is SupervisionSession
    event = parse_event({"type": "session_cancelled", "on": "2026-03-09", "session": "s1",
                         "reason": "sickness"})
    assert isinstance(event, SessionCancelled) and event.returned_on is None


def test_a_return_date_is_only_given_for_a_cancellation_for_sickness():
    """returned_on with reason other is a malformed event, refused before any machine sees it."""
    with pytest.raises(EventInvalid, match="returned_on"):
        parse_event({"type": "session_cancelled", "on": "2026-03-09", "session": "s1",
                     "returned_on": "2026-03-10"})


def test_a_session_planned_for_a_day_already_past_is_malformed():
    """A session that already happened is recorded with supervision_held instead."""
    with pytest.raises(EventInvalid, match="for_date"):
        parse_event({"type": "session_planned", "on": "2026-03-10", "supervisor": "tm1",
                     "supervisee": "sw2", "session": "s1", "for_date": "2026-03-09"})


def test_a_deadline_before_a_date_counts_backwards_in_each_unit(hull):
    """2 working days before Tue 7 Apr 2026 skip Easter Monday and Good Friday."""
    calendar = hull.working_calendar()
    assert before(Interval(working_days=2), date(2026, 4, 7), calendar) == date(2026, 4, 1)
    assert before(Interval(days=2), date(2026, 3, 10), calendar) == date(2026, 3, 8)
    assert before(Interval(weeks=1), date(2026, 3, 10), calendar) == date(2026, 3, 3)
    assert before(Interval(months=1), date(2026, 3, 31), calendar) == date(2026, 2, 28)


@pytest.fixture(scope="module")
def hull():
    """Hull's policy, for its calendar."""
    return load_policy("hull")


# ----- planned ------------------------------------------------------------------------------


def test_a_planned_session_is_kept_for_the_pair_and_cites_the_policy(session):
    """planned, subject sw2, party tm1; Hull times nothing before the session."""
    line = session("hull")
    step = line.step
    assert step.created and step.state == "planned"
    assert step.entity == EntityRef("session", "s1")
    assert SupervisionSession.people(step.data) == ("sw2", "tm1")
    assert step.opened == () and step.arm == ()
    [record] = step.transitions
    assert record.trigger == "planned for 2026-03-10" and record.rule.authority == "hull"


def test_a_policy_with_no_session_rules_refuses_to_plan_a_session(lifeline):
    """Devon times nothing about single sessions: planning one is refused, naming why."""
    with pytest.raises(EventRejected, match="this policy has no session rules"):
        lifeline(SupervisionSession, "s1", policy=load_policy("devon")).begin(planned())


# ----- held, recorded, signed ----------------------------------------------------------------


def test_hull_s3_a_held_session_is_recorded_and_signed_within_5_working_days(session):
    """Held Tue 10 Mar 2026: the record and both signatures are due Tue 17 Mar (hull §3)."""
    line = session("hull")
    step = line.apply(held())
    assert step.state == "held"
    assert {t.key: (t.type, t.assignee, t.due) for t in step.opened} == {
        "record": ("session_record", "tm1", date(2026, 3, 17)),
        "sign": ("session_signatures", "tm1", date(2026, 3, 17)),
    }
    assert {t.rule.section for t in step.opened} == {"3"}
    assert {t.name: t.fires_on for t in step.arm} == {
        "task:record": date(2026, 3, 18), "task:sign": date(2026, 3, 18)}


def test_systemic_s6_a_session_held_before_easter_is_recorded_within_5_working_days(lifeline):
    """Held Wed 1 Apr 2026: Good Friday and Easter Monday skipped, the record is due Fri 10 Apr."""
    line = lifeline(SupervisionSession, "s1", policy=load_policy("systemic"))
    line.begin(planned(date(2026, 4, 1)))
    step = line.apply(held(date(2026, 4, 1)))
    [task] = step.opened
    assert (task.type, task.due, task.rule.authority, task.rule.section) == (
        "session_record", date(2026, 4, 10), "systemic", "6")
    assert [d for d, _ in task.basis.skipped] == [date(2026, 4, 3), date(2026, 4, 6)]


def test_recording_closes_the_record_task_and_leaves_the_signatures_owed(session):
    """held → recorded; Hull still wants both signatures."""
    line = session("hull")
    line.apply(held())
    step = line.apply(recorded(date(2026, 3, 12)))
    assert step.state == "recorded"
    assert step.changed == (TaskChange("record", "closed", date(2026, 3, 12)),)
    assert step.disarm == ("task:record",)
    assert set(line.tasks) == {"sign"}


def test_hull_s3_the_record_is_signed_only_when_both_have_signed(session):
    """The supervisee's signature keeps it recorded; the supervisor's makes it signed."""
    line = session("hull")
    line.apply(held())
    line.apply(recorded(date(2026, 3, 12)))
    first = line.apply(signed(date(2026, 3, 13), "sw2"))
    assert first.state == "recorded" and first.changed == ()
    assert [r.trigger for r in first.transitions] == ["countersign"]
    second = line.apply(signed(date(2026, 3, 16), "tm1"))
    assert second.state == "signed"
    assert second.changed == (TaskChange("sign", "closed", date(2026, 3, 16)),)
    assert second.data["signatures"] == ["sw2", "tm1"]
    assert line.tasks == {} and line.armed == {}


def test_where_one_signature_is_enough_the_first_makes_the_record_signed(lifeline):
    """Systemic asks for no second signature."""
    line = lifeline(SupervisionSession, "s1", policy=load_policy("systemic"))
    line.begin(planned())
    line.apply(held())
    line.apply(recorded(date(2026, 3, 11)))
    assert line.apply(signed(date(2026, 3, 11), "tm1")).state == "signed"


def test_a_signature_by_someone_else_is_refused(session):
    """Only the supervisor and the supervisee sign."""
    line = session("hull")
    line.apply(held())
    line.apply(recorded(date(2026, 3, 12)))
    refused(line, signed(date(2026, 3, 13), "hos1"), "only tm1 and sw2 sign")


def test_a_record_not_written_in_time_is_breached_and_escalated_to_the_line_manager(session):
    """Wed 18 Mar: the record task is escalated to hos1, citing the escalation rule."""
    line = session("hull")
    line.apply(held())
    step = line.fire("task:record")
    assert line.tasks["record"]["state"] == "escalated"
    [escalation] = step.opened
    assert (escalation.key, escalation.assignee, escalation.escalates) == ("record^", "hos1",
                                                                            "record")
    recorded_late = line.apply(recorded(date(2026, 3, 20)))
    assert {c.key for c in recorded_late.changed} == {"record", "record^"}


def test_a_session_held_with_the_wrong_people_is_refused(session):
    """s1 is tm1 supervising sw2."""
    line = session("hull")
    refused(line, SupervisionHeld(on=FOR, supervisor="tm1", supervisee="sw1", session="s1"),
            "tm1 supervising sw2")


# ----- unplanned sessions --------------------------------------------------------------------


def test_an_unplanned_session_gets_an_id_from_the_pair_and_its_day():
    """tm1 with sw2 on 10 Mar 2026."""
    assert SupervisionSession.unplanned_id("tm1", "sw2", FOR) == "tm1:sw2:2026-03-10"


@pytest.mark.parametrize("authority, minutes, kept", [
    ("hull", 90, True), ("systemic", 90, True), ("surrey", 90, False), ("devon", 30, False),
    ("sunderland", 90, False), ("sunderland", 60, True)])
def test_an_unplanned_session_is_kept_where_the_record_is_timed_or_it_is_short(authority, minutes,
                                                                               kept):
    """Hull and systemic time the record; Sunderland keeps only a short one, to flag it."""
    event = held(minutes=minutes, session=None)
    assert SupervisionSession.starts_under(load_policy(authority), event) is kept
    assert SupervisionSession.starts_under(load_policy(authority), planned()) is True


def test_an_unplanned_session_starts_already_held_with_its_record_due(lifeline):
    """Hull: held Tue 10 Mar without a plan, the record is due Tue 17 Mar."""
    line = lifeline(SupervisionSession, "tm1:sw2:2026-03-10", policy=load_policy("hull"))
    step = line.begin(held(session=None))
    assert step.created and step.state == "held"
    assert [r.trigger for r in step.transitions] == ["held without being planned", "hold"]
    assert due_of(line, "session_record") == date(2026, 3, 17)


# ----- length --------------------------------------------------------------------------------


def test_sunderland_s3_2_a_session_under_90_minutes_is_flagged_against_the_rule(session):
    """60 minutes: flagged in the data and the audit trail, citing §3.2 (the length is left to
    the agreement; the 90 minutes of its template are the file's note)."""
    line = session("sunderland")
    step = line.apply(held(minutes=60))
    assert step.state == "held"
    assert step.data["short"] == {"minutes": 60, "minimum": 90}
    flag = [r for r in step.transitions if r.trigger.startswith("short session")]
    assert [(r.trigger, r.rule.section) for r in flag] == [
        ("short session: 60 of 90 minutes", "3.2")]
    assert any("not counted as a full session" in note for note in step.notes)


def test_sunderland_s3_2_a_session_of_90_minutes_is_not_flagged(session):
    """The minimum itself is enough."""
    step = session("sunderland").apply(held(minutes=90))
    assert "short" not in step.data
    assert [r.trigger for r in step.transitions] == ["hold"]


def test_hull_s3_a_session_under_one_hour_is_flagged(session):
    """45 minutes against hull §3's one hour."""
    step = session("hull").apply(held(minutes=45))
    assert step.data["short"] == {"minutes": 45, "minimum": 60}


def test_a_session_whose_length_is_not_given_is_not_flagged(session):
    """No minutes, nothing to compare."""
    assert "short" not in session("sunderland").apply(held(minutes=None)).data


# ----- preparation ---------------------------------------------------------------------------


def test_surrey_s4_3_the_workbook_summary_is_due_2_days_before_the_session(session):
    """Planned Mon 2 Mar for Tue 10 Mar: 2 days before is Sun 8 Mar; surrey.yaml moves this rule
    to the working day before (non_working_day: previous), so it is due Fri 6 Mar, from sw2."""
    line = session("surrey")
    [task] = line.step.opened
    assert (task.key, task.type, task.assignee, task.assignee_role, task.due) == (
        "prepare:1", "workbook_summary", "sw2", "supervisee", date(2026, 3, 6))
    assert (task.basis.unmoved, task.basis.moved_because) == (date(2026, 3, 8), ("weekend",))
    assert (task.rule.authority, task.rule.section) == ("surrey", "4.3")
    assert task.basis.start == FOR and task.basis.interval == "2 days before"
    assert line.armed["task:prepare:1"].fires_on == date(2026, 3, 7)  # the day after it is due


def test_a_session_that_uses_no_workbook_needs_no_preparation(session):
    """preparation: false on the plan."""
    assert session("surrey", preparation=False).step.opened == ()


def test_a_session_planned_at_short_notice_has_its_preparation_due_the_day_it_is_planned(session):
    """Planned Mon 9 Mar for Tue 10 Mar: Sun 8 Mar has passed, so it is due Mon 9 Mar."""
    line = session("surrey", on=date(2026, 3, 9))
    assert due_of(line, "workbook_summary") == date(2026, 3, 9)
    assert any("short notice" in note for note in line.step.notes)


def test_preparing_closes_the_workbook_task(session):
    """session_prepared is internal: the session stays planned."""
    line = session("surrey")
    step = line.apply(SessionPrepared(on=date(2026, 3, 6), session="s1"))
    assert step.state == "planned" and step.data["prepared"] is True
    assert step.changed == (TaskChange("prepare:1", "closed", date(2026, 3, 6)),)
    assert line.armed == {}


def test_moving_the_session_moves_the_workbook_deadline(session):
    """Moved to Fri 13 Mar: the summary is now due Wed 11 Mar."""
    line = session("surrey")
    step = line.apply(moved(date(2026, 3, 4), date(2026, 3, 13)))
    assert step.state == "planned"
    assert step.changed == (TaskChange("prepare:1", "rescheduled", date(2026, 3, 4),
                                       date(2026, 3, 11)),)
    assert line.armed["task:prepare:1"].fires_on == date(2026, 3, 12)


def test_a_missed_workbook_summary_is_escalated_and_withdrawn_once_the_session_is_held(session):
    """Mon 9 Mar the task is escalated to tm1; held Tue 10 Mar, nothing can fulfil it any more."""
    line = session("surrey")
    line.fire("task:prepare:1")
    assert line.tasks["prepare:1"]["state"] == "escalated"
    assert line.tasks["prepare:1^"]["assignee"] == "tm1"
    step = line.apply(held())
    assert {(c.key, c.change) for c in step.changed} == {("prepare:1", "withdrawn"),
                                                         ("prepare:1^", "withdrawn")}
    assert line.tasks == {}


# ----- cancelled and rescheduled -------------------------------------------------------------


def test_hull_s3_cancelled_session_is_rescheduled_within_5_working_days(session):
    """Planned for Thu 2 Apr 2026, cancelled Mon 30 Mar: the new session is due by Mon 13 Apr
    (5 working days after the cancelled date, Good Friday and Easter Monday skipped)."""
    line = session("hull", for_date=date(2026, 4, 2))
    step = line.apply(cancelled(date(2026, 3, 30)))
    assert step.state == "cancelled"
    [task] = step.opened
    assert (task.key, task.type, task.assignee, task.due, task.rule.section) == (
        "reschedule:1", "reschedule_session", "tm1", date(2026, 4, 13), "3")
    assert task.basis.start == date(2026, 4, 2)


def test_hull_s3_a_session_cancelled_after_its_date_is_rescheduled_within_5_working_days_of_that(
        session):
    """Cancelled on Thu 12 Mar for Tue 10 Mar: due Thu 19 Mar, counted from the cancellation."""
    line = session("hull")
    line.apply(cancelled(date(2026, 3, 12)))
    assert due_of(line, "reschedule_session") == date(2026, 3, 19)


def test_hull_s3_cancelled_for_sickness_is_rescheduled_within_5_days_of_the_return(session):
    """Back Thu 9 Apr 2026: the session is due by Tue 14 Apr (calendar days, as the file reads)."""
    line = session("hull", for_date=date(2026, 4, 2))
    line.apply(cancelled(date(2026, 4, 1), "sickness", returned_on=date(2026, 4, 9)))
    assert due_of(line, "reschedule_session") == date(2026, 4, 14)


def test_hull_s3_a_sickness_cancellation_waits_for_the_return_to_work(session):
    """No return date yet: nothing is due; sw2 back Wed 15 Apr makes it due Mon 20 Apr."""
    line = session("hull", for_date=date(2026, 4, 2))
    step = line.apply(cancelled(date(2026, 4, 1), "sickness"))
    assert step.state == "cancelled" and step.opened == ()
    assert step.data["awaiting_return"] == ["tm1", "sw2"]
    back = line.apply(ReturnedToWork(on=date(2026, 4, 15), person="sw2"))
    assert back.state == "cancelled"
    assert due_of(line, "reschedule_session") == date(2026, 4, 20)
    assert back.data["awaiting_return"] is None
    refused(line, ReturnedToWork(on=date(2026, 4, 16), person="sw2"), "no reschedule waits")


def test_the_supervisors_return_from_absence_also_ends_the_wait(session):
    """supervisor_returned for tm1 counts as tm1's return to work."""
    line = session("hull", for_date=date(2026, 4, 2))
    line.apply(cancelled(date(2026, 4, 1), "sickness"))
    line.apply(SupervisorReturned(on=date(2026, 4, 15), supervisor="tm1"))
    assert due_of(line, "reschedule_session") == date(2026, 4, 20)


def test_a_return_of_someone_else_is_refused(session):
    """hos1 is not a party to s1."""
    line = session("hull", for_date=date(2026, 4, 2))
    line.apply(cancelled(date(2026, 4, 1), "sickness"))
    refused(line, ReturnedToWork(on=date(2026, 4, 15), person="hos1"), "hos1's return")


def test_rescheduling_within_the_window_closes_the_task(session):
    """Cancelled for Tue 10 Mar, rescheduled for Fri 13 Mar, inside the window to Tue 17 Mar."""
    line = session("hull")
    line.apply(cancelled(date(2026, 3, 9)))
    step = line.apply(moved(date(2026, 3, 9), date(2026, 3, 13)))
    assert step.state == "rescheduled" and step.data["for_date"] == "2026-03-13"
    assert step.changed == (TaskChange("reschedule:1", "closed", date(2026, 3, 9)),)
    assert line.apply(held(date(2026, 3, 13))).state == "held"


def test_rescheduling_beyond_the_window_leaves_the_task_to_breach_until_the_session_is_held(
        session):
    """Rescheduled for Fri 20 Mar, after Tue 17 Mar: breached Wed 18 Mar, closed when held."""
    line = session("hull")
    line.apply(cancelled(date(2026, 3, 9)))
    step = line.apply(moved(date(2026, 3, 9), date(2026, 3, 20)))
    assert step.changed == () and any("after the 2026-03-17" in n for n in step.notes)
    line.fire("task:reschedule:1")
    assert line.tasks["reschedule:1"]["state"] == "escalated"
    done = line.apply(held(date(2026, 3, 20)))
    assert {(c.key, c.change) for c in done.changed} == {("reschedule:1", "closed"),
                                                         ("reschedule:1^", "closed")}


def test_a_rescheduled_session_cancelled_again_owes_a_new_reschedule(session):
    """rescheduled → cancelled opens reschedule:2, its key new for the entity's life."""
    line = session("hull")
    line.apply(cancelled(date(2026, 3, 9)))
    line.apply(moved(date(2026, 3, 9), date(2026, 3, 13)))
    step = line.apply(cancelled(date(2026, 3, 13)))
    assert step.state == "cancelled"
    assert [t.key for t in step.opened] == ["reschedule:2"]
    assert due_of(line, "reschedule_session") == date(2026, 3, 20)


def test_a_cancellation_withdraws_the_preparation_and_a_new_date_owes_it_again(session):
    """Surrey: the workbook for 10 Mar is withdrawn; rescheduled for Mon 16 Mar, 2 days before is
    Sat 14 Mar, moved back to Fri 13 Mar."""
    line = session("surrey")
    step = line.apply(cancelled(date(2026, 3, 5)))
    assert step.changed == (TaskChange("prepare:1", "withdrawn", date(2026, 3, 5)),)
    assert step.opened == ()  # Surrey times no rescheduling
    line.apply(moved(date(2026, 3, 6), date(2026, 3, 16)))
    assert set(line.tasks) == {"prepare:2"}  # a new key: the withdrawn one keeps its history
    assert due_of(line, "workbook_summary") == date(2026, 3, 13)


# ----- refusals ------------------------------------------------------------------------------

STATE_EVENTS = {
    "prepared": SessionPrepared(on=date(2026, 6, 1), session="s1"),
    "cancelled": cancelled(date(2026, 6, 1)),
    "moved": moved(date(2026, 6, 1), date(2026, 6, 2)),
    "held": held(date(2026, 6, 1)),
    "recorded": recorded(date(2026, 6, 1)),
    "signed": signed(date(2026, 6, 1), "tm1"),
    "returned": ReturnedToWork(on=date(2026, 6, 1), person="tm1"),
}
ACCEPTS = {
    "planned": {"prepared", "cancelled", "moved", "held"},
    "cancelled": {"moved"},
    "rescheduled": {"prepared", "cancelled", "moved", "held"},
    "held": {"recorded"},
    "recorded": {"signed"},
    "signed": set(),
}


def session_in(state: str, lifeline):
    line = lifeline(SupervisionSession, "s1", policy=load_policy("hull"))
    line.begin(planned())
    if state in ("cancelled", "rescheduled"):
        line.apply(cancelled(date(2026, 3, 9)))
    if state == "rescheduled":
        line.apply(moved(date(2026, 3, 9), date(2026, 3, 12)))
    if state in ("held", "recorded", "signed"):
        line.apply(held())
    if state in ("recorded", "signed"):
        line.apply(recorded(date(2026, 3, 11)))
    if state == "signed":
        line.apply(signed(date(2026, 3, 11), "tm1"))
        line.apply(signed(date(2026, 3, 11), "sw2"))
    assert line.state == state
    return line


@pytest.mark.parametrize("state", list(ACCEPTS))
@pytest.mark.parametrize("name", list(STATE_EVENTS))
def test_each_state_accepts_its_events_and_refuses_the_rest_unchanged(state, name, lifeline):
    """A refused event names the state and changes nothing; an accepted one is applied."""
    line = session_in(state, lifeline)
    event = STATE_EVENTS[name]
    if name in ACCEPTS[state]:
        line.apply(event)
    else:
        refused(line, event, f"is '{state}'")


def test_an_event_of_another_kind_is_refused_unchanged(session):
    """A session knows nothing of relationships' agreements."""
    from oversight.states.events import AgreementSigned

    refused(session("hull"), AgreementSigned(on=FOR, supervisor="tm1", supervisee="sw2"),
            "not an event of this kind")


def test_every_session_rule_of_every_policy_file_has_its_rule_test_above():
    """A file that adds a recording, cancellation, length or preparation rule needs a test."""
    from oversight.adapters.policy_files import available_policies

    found = {(name, rule) for name in available_policies()
             for rule in ("recording", "cancellation", "length", "preparation")
             if getattr(load_policy(name).sessions, rule) is not None}
    assert found == {
        ("systemic", "recording"), ("hull", "recording"), ("hull", "cancellation"),
        ("hull", "length"), ("sunderland", "length"), ("surrey", "preparation"),
    }
