"""Child-specific supervision: surrey §4.1, devon §5.1, §5.3, sunderland §5.3, §6, systemic §6.

Child c1 is allocated on Mon 2 Mar 2026 to sw2, supervised by tm1, whose line manager is hos1.
Each authority's test runs under its own file in config/policies; the rule tests are named after
the authority and section and check the due date the rule produces.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.errors import EventInvalid, EventRejected
from oversight.states.events import DomainEvent, SupervisionHeld, parse_event
from oversight.states.events.child_supervision import (
    AllocationDiscussed,
    CaseClosed,
    CaseDetailsChanged,
    ChildAllocated,
    ChildReallocated,
    ChildSupervisionHeld,
    ChildSupervisionRecorded,
    ManagerCaseNoteRecorded,
)
from oversight.states.machines import KINDS, ChildSupervision
from oversight.states.machines.child_supervision import sessions_per_cycle
from oversight.states.values import EntityRef, TaskChange

ALLOCATED = date(2026, 3, 2)        # Mon
DISCUSSED = date(2026, 3, 9)        # Mon, a week later
SESSION = date(2026, 3, 16)         # Mon, tm1's personal supervision of sw2


def allocated(*, case_type: str = "cin", on: date = ALLOCATED, **details) -> ChildAllocated:
    return ChildAllocated(on=on, child="c1", worker="sw2", manager="tm1", case_type=case_type,
                          **details)


def discussed(on: date = DISCUSSED, worker: str = "sw2", **more) -> ChildSupervisionHeld:
    return ChildSupervisionHeld(on=on, child="c1", worker=worker, **more)


def session(on: date = SESSION, children: list[str] | None = None,
            supervisee: str = "sw2") -> SupervisionHeld:
    return SupervisionHeld(on=on, supervisor="tm1", supervisee=supervisee, minutes=90,
                           children_discussed=children)


def changed(on: date, **details) -> CaseDetailsChanged:
    return CaseDetailsChanged(on=on, child="c1", **details)


@pytest.fixture
def child(lifeline):
    """A factory: c1 allocated under an authority's policy, ``child("devon", risk="high")``."""

    def make(authority: str, **details):
        line = lifeline(ChildSupervision, "c1", policy=load_policy(authority))
        line.begin(allocated(**details))
        return line

    return make


def held(line, type_: str) -> dict[str, dict]:
    """The tasks of one type the child still holds, by key."""
    return {key: task for key, task in line.tasks.items() if task["type"] == type_}


def due_of(line, type_: str) -> date:
    """The due date of the one task of this type the child holds."""
    [task] = held(line, type_).values()
    return date.fromisoformat(task["due"])


def refused(line, event: DomainEvent, reason: str) -> None:
    """The event is refused with the reason, and the loaded machine is left exactly as it was."""
    machine = line.load()
    state, data = machine.state, copy.deepcopy(machine.data)
    with pytest.raises(EventRejected, match=reason):
        machine.apply(event)
    assert (machine.state, machine.data) == (state, data)


# ----- registration and events ----------------------------------------------------------------


def test_the_kind_is_registered_and_a_child_is_found_by_child_and_worker(child):
    """KINDS names the class; people() gives the child as subject and the worker as party."""
    line = child("surrey")
    assert KINDS["child_supervision"] is ChildSupervision
    assert line.step.entity == EntityRef("child_supervision", "c1")
    assert ChildSupervision.people(line.data) == ("c1", "sw2")


def test_the_diagram_draws_exactly_the_transitions_of_the_running_machine(surrey):
    """Every edge that changes state is drawn from the definition that runs; closed is final."""
    from oversight.states.diagrams import mermaid
    from tests.unit.test_diagrams import EDGE, running_edges

    text = mermaid(ChildSupervision)
    drawn = {m.groups() for line in text.splitlines() if (m := EDGE.match(line))}
    assert drawn == running_edges(ChildSupervision, surrey)
    assert "    [*] --> allocated\n" in text and "    closed --> [*]\n" in text


def test_the_events_parse_from_their_type_and_refuse_contradictory_details():
    """parse_event knows the child events; a child both born and unborn is invalid."""
    event = parse_event({"type": "child_allocated", "on": "2026-03-02", "child": "c1",
                         "worker": "sw2", "manager": "tm1", "case_type": "cwd", "plan": "cp"})
    assert isinstance(event, ChildAllocated) and event.risk == "standard" and not event.unborn
    with pytest.raises(EventInvalid, match="born"):
        parse_event({"type": "child_allocated", "on": "2026-03-02", "child": "c1", "worker": "sw2",
                     "manager": "tm1", "case_type": "cin", "born": "2025-01-01", "unborn": True})
    with pytest.raises(EventInvalid, match="at least one"):
        parse_event({"type": "case_details_changed", "on": "2026-03-02", "child": "c1"})


def test_a_third_of_the_caseload_a_session_means_each_child_by_the_third_session():
    """0.3333 and 0.33 are both a third: 3 sessions; a half is 2; a quarter is 4."""
    assert [sessions_per_cycle(s) for s in (0.3333, 0.33, 0.5, 0.25, 1)] == [3, 3, 2, 4, 1]


# ----- allocation and the states --------------------------------------------------------------


def test_without_a_new_allocation_rule_the_child_is_supervised_from_allocation(child):
    """surrey: allocated → supervised at once, with the first discussion task and its timer."""
    line = child("surrey", case_type="early_help")
    step = line.step
    assert step.created and step.state == "supervised"
    assert [(r.source, r.dest, r.trigger) for r in step.transitions][0] == \
        ("allocated", "supervised", "supervise")
    [task] = step.opened
    assert (task.key, task.type, task.assignee, task.assignee_role, task.due) == \
        ("discussion:1", "child_discussion", "tm1", "supervisor", date(2026, 3, 30))
    assert task.subject == "child:c1" and str(task.rule) == "surrey §4.1"
    assert {t.name: t.fires_on for t in step.arm} == {"task:discussion:1": date(2026, 3, 31)}


def test_devon_s5_1_a_new_allocation_needs_a_discussion_and_a_manager_case_note(child):
    """Allocated Mon 2 Mar: discussion and case note due 3 working days later, Thu 5 Mar."""
    line = child("devon")
    assert line.state == "allocated"
    assert {t.key: (t.type, t.assignee, t.due, t.rule.section) for t in line.step.opened} == {
        "allocation:1": ("allocation_discussion", "tm1", date(2026, 3, 5), "5.1"),
        "case_note:1": ("manager_case_note", "tm1", date(2026, 3, 5), "5.1"),
        # 2 months after Mon 2 Mar is Sat 2 May; Sun 3 and May Day Mon 4 skipped: Tue 5 May.
        "discussion:2": ("child_discussion", "tm1", date(2026, 5, 5), "5.1"),
    }
    assert line.armed["task:allocation:1"].fires_on == date(2026, 3, 6)


def test_devon_s5_1_the_allocation_discussion_supervises_the_child_and_restarts_the_cadence(child):
    """Discussed Wed 4 Mar: allocated → supervised; the next discussion due 2 months on, Mon 4 May,
    which is May Day: Tue 5 May."""
    line = child("devon")
    step = line.apply(AllocationDiscussed(on=date(2026, 3, 4), child="c1"))
    assert (step.transitions[0].source, step.state) == ("allocated", "supervised")
    assert TaskChange("allocation:1", "closed", date(2026, 3, 4)) in step.changed
    assert "task:allocation:1" in step.disarm and "task:discussion:2" in step.disarm
    assert due_of(line, "child_discussion") == date(2026, 5, 5)
    assert held(line, "manager_case_note")  # the case note is still owed
    assert not held(line, "child_supervision_record")  # the case note records this discussion


def test_devon_s5_1_the_manager_case_note_closes_its_task_and_keeps_the_state(child):
    """The note is recorded: its task closes, the timer is disarmed, the state is unchanged."""
    line = child("devon")
    step = line.apply(ManagerCaseNoteRecorded(on=date(2026, 3, 3), child="c1"))
    assert step.state == "allocated" and step.transitions[0].trigger == "note_record"
    assert TaskChange("case_note:1", "closed", date(2026, 3, 3)) in step.changed
    assert "task:case_note:1" in step.disarm and not held(line, "manager_case_note")


def test_devon_s5_1_a_missed_allocation_discussion_makes_the_child_overdue_and_escalates(child):
    """Not discussed by Thu 5 Mar: on Fri 6 Mar allocated → overdue, escalated to hos1."""
    line = child("devon")
    step = line.fire("task:allocation:1")
    assert (step.transitions[-1].source, step.state) == ("allocated", "overdue")
    assert TaskChange("allocation:1", "escalated", date(2026, 3, 6)) in step.changed
    [escalation] = step.opened
    assert (escalation.key, escalation.assignee, escalation.escalates) == \
        ("allocation:1^", "hos1", "allocation:1")
    # The discussion, late, closes the allocation task and its escalation.
    late = line.apply(AllocationDiscussed(on=date(2026, 3, 10), child="c1"))
    assert late.state == "supervised"
    closed = {c.key for c in late.changed if c.change == "closed"}
    assert closed >= {"allocation:1", "allocation:1^"}


def test_a_missed_discussion_makes_the_child_overdue_until_it_is_discussed(child):
    """surrey early help due Mon 30 Mar: breached 31 Mar, escalated to hos1; discussed 2 Apr."""
    line = child("surrey", case_type="early_help")
    step = line.fire("task:discussion:1")
    assert (step.transitions[-1].source, step.state) == ("supervised", "overdue")
    assert line.tasks["discussion:1"]["state"] == "escalated"
    assert line.tasks["discussion:1^"]["assignee"] == "hos1"
    again = line.apply(discussed(date(2026, 4, 2)))
    assert (again.transitions[0].source, again.state) == ("overdue", "supervised")
    assert set(held(line, "escalation")) == set()
    assert due_of(line, "child_discussion") == date(2026, 4, 30)  # 4 weeks after 2 Apr


def test_a_timer_whose_discussion_was_already_held_changes_nothing(child):
    """The old task timer firing after the discussion finds nothing open: no change."""
    line = child("surrey", case_type="early_help")
    line.apply(discussed())
    step = line.load().fire("task:discussion:1", date(2026, 3, 31))
    assert step.state == "supervised" and not (step.transitions or step.opened or step.changed)


def test_case_closed_withdraws_the_discussions_and_keeps_the_record_owed(child):
    """devon: closing ends every discussion task and timer; the 72-hour record is still owed."""
    line = child("devon")
    line.apply(AllocationDiscussed(on=date(2026, 3, 4), child="c1"))
    line.apply(discussed(date(2026, 3, 11)))
    step = line.apply(CaseClosed(on=date(2026, 3, 12), child="c1"))
    assert (step.transitions[0].source, step.state) == ("supervised", "closed")
    assert {c.key for c in step.changed if c.change == "withdrawn"} == {"discussion:4"}
    assert "task:discussion:4" in step.disarm
    assert set(line.tasks) == {"case_note:1", "record:5"}
    # The record made after closure is still accepted and closes the task.
    after = line.apply(ChildSupervisionRecorded(on=date(2026, 3, 13), child="c1"))
    assert after.state == "closed" and not held(line, "child_supervision_record")


def test_a_case_closed_before_its_allocation_discussion_owes_no_case_note(child):
    """Nothing was discussed, so there is nothing for a case note to record."""
    line = child("devon")
    line.apply(CaseClosed(on=date(2026, 3, 3), child="c1"))
    assert line.state == "closed" and line.tasks == {} and line.armed == {}


def test_a_closed_case_refuses_discussions_and_changes(child):
    """After closure: held, changed, reallocated, closed again are all refused, nothing changes."""
    line = child("surrey")
    line.apply(CaseClosed(on=date(2026, 3, 3), child="c1"))
    for event in (discussed(), changed(DISCUSSED, risk="high"),
                  CaseClosed(on=DISCUSSED, child="c1"),
                  ChildReallocated(on=DISCUSSED, child="c1", worker="sw1"),
                  session(children=["c1"])):
        refused(line, event, "'closed' and does not accept")


# ----- devon §5.1 cadence -----------------------------------------------------------------------


# From Wed 4 Mar 2026: 1 month is Sat 4 Apr (then Sun 5, Easter Monday 6): due Tue 7 Apr;
# 2 months is Mon 4 May, May Day: Tue 5 May; 3 months is Thu 4 Jun, a working day.
MONTH, TWO_MONTHS, QUARTER = date(2026, 4, 7), date(2026, 5, 5), date(2026, 6, 4)


@pytest.mark.parametrize(("case_type", "risk", "due"), [
    ("early_help", "standard", TWO_MONTHS),
    ("assessment", "standard", MONTH),
    ("cin", "standard", TWO_MONTHS),
    ("cin", "high", MONTH),
    ("cp", "standard", MONTH),
    ("cla", "standard", TWO_MONTHS),
    ("cla", "high", MONTH),
    ("care_leaver", "standard", QUARTER),
    ("care_leaver", "high", MONTH),
    ("foster_carer", "standard", TWO_MONTHS),
    ("foster_carer", "high", MONTH),
    ("youth_justice", "standard", TWO_MONTHS),
    ("youth_justice", "high", MONTH),
    ("quality_assurance", "standard", QUARTER),
], ids=lambda value: str(value))
def test_devon_s5_1_each_case_type_is_discussed_at_its_minimum_frequency(child, case_type, risk,
                                                                           due):
    """Discussed Wed 4 Mar: the table's interval on from there (bi-monthly = 2 months)."""
    line = child("devon", case_type=case_type, risk=risk)
    line.apply(AllocationDiscussed(on=date(2026, 3, 4), child="c1"))
    assert due_of(line, "child_discussion") == due
    [task] = held(line, "child_discussion").values()
    assert (task["rule"]["section"], task["rule"]["rule"]) == \
        ("5.1", f"child_supervision.cases.{case_type}")


def test_devon_s5_1_high_risk_child_in_need_is_discussed_monthly(child):
    """A high-risk CIN allocated Mon 2 Mar is first due a month later, Thu 2 Apr."""
    line = child("devon", risk="high")
    assert due_of(line, "child_discussion") == date(2026, 4, 2)
    assert line.data["cadence"]["every"] == "1 month (high risk)"


def test_devon_s5_1_raising_the_risk_reschedules_the_discussion_citing_the_rule(child):
    """CIN discussed 4 Mar (due Tue 5 May); high risk from 16 Mar: rescheduled to a month on, Sat
    4 Apr moved past Easter to Tue 7 Apr, same rule."""
    line = child("devon")
    line.apply(AllocationDiscussed(on=date(2026, 3, 4), child="c1"))
    [key] = held(line, "child_discussion")
    step = line.apply(changed(SESSION, risk="high"))
    assert step.state == "supervised" and step.transitions[0].trigger == "change_details"
    assert TaskChange(key, "rescheduled", SESSION, date(2026, 4, 7)) in step.changed
    assert line.armed[f"task:{key}"].fires_on == date(2026, 4, 8)
    assert any(r.rule.section == "5.1" and "1 month (high risk)" in r.trigger
               for r in step.transitions)
    # Lowered again: back to two months after the last discussion.
    back = line.apply(changed(date(2026, 3, 20), risk="standard"))
    assert TaskChange(key, "rescheduled", date(2026, 3, 20), date(2026, 5, 5)) in back.changed


def test_devon_s5_1_a_closer_interval_already_run_out_is_due_on_the_day_of_the_change(child):
    """CIN discussed 4 Mar, high risk only from Wed 8 Apr: a month on (Sat 4 Apr, moved past
    Easter to Tue 7 Apr) has passed, so it is due that day."""
    line = child("devon")
    line.apply(AllocationDiscussed(on=date(2026, 3, 4), child="c1"))
    line.apply(changed(date(2026, 4, 8), risk="high"))
    assert due_of(line, "child_discussion") == date(2026, 4, 8)


def test_devon_s5_1_a_case_type_change_replaces_the_task_with_one_citing_the_new_rule(child):
    """CIN → CP on 16 Mar: the CIN task is withdrawn; a CP task due a month after 4 Mar opens."""
    line = child("devon")
    line.apply(AllocationDiscussed(on=date(2026, 3, 4), child="c1"))
    [old] = held(line, "child_discussion")
    step = line.apply(changed(SESSION, case_type="cp"))
    assert TaskChange(old, "withdrawn", SESSION) in step.changed
    [task] = step.opened
    assert (task.due, task.rule.rule) == (date(2026, 4, 7), "child_supervision.cases.cp")


def test_devon_s5_1_a_reallocation_needs_a_new_discussion_and_case_note(child):
    """Reallocated to sw1 on 16 Mar: supervised → allocated, new tasks due Thu 19 Mar."""
    line = child("devon")
    line.apply(AllocationDiscussed(on=date(2026, 3, 4), child="c1"))
    step = line.apply(ChildReallocated(on=SESSION, child="c1", worker="sw1"))
    assert (step.transitions[0].source, step.state) == ("supervised", "allocated")
    assert {t.key: (t.type, t.due) for t in step.opened} == {
        "allocation:4": ("allocation_discussion", date(2026, 3, 19)),
        "case_note:4": ("manager_case_note", date(2026, 3, 19))}
    assert "case_note:1" in line.tasks  # the first discussion happened: its note is still owed
    assert ChildSupervision.people(line.data) == ("c1", "sw1")
    assert due_of(line, "child_discussion") == date(2026, 5, 5)  # cadence unchanged


def test_devon_s5_1_a_reallocation_before_the_allocation_discussion_replaces_its_tasks(child):
    """Moved to sw1 on Wed 4 Mar before any discussion: the first pair lapses, a new pair opens."""
    line = child("devon")
    step = line.apply(ChildReallocated(on=date(2026, 3, 4), child="c1", worker="sw1",
                                       manager="tm1"))
    assert (step.transitions[0].source, step.transitions[0].dest) == ("allocated", "allocated")
    assert {c.key for c in step.changed if c.change == "withdrawn"} == {"allocation:1",
                                                                       "case_note:1"}
    assert {"task:allocation:1", "task:case_note:1"} <= set(step.disarm)
    assert due_of(line, "allocation_discussion") == date(2026, 3, 9)


def test_devon_s5_1_a_case_type_the_table_does_not_time_is_refused(lifeline):
    """devon's table has no CWD row: allocating one is refused and nothing is created."""
    line = lifeline(ChildSupervision, "c1", policy=load_policy("devon"))
    with pytest.raises(EventRejected, match="no child-specific supervision for case type 'cwd'"):
        line.begin(allocated(case_type="cwd"))
    assert line.step is None


# ----- devon §5.3 recording ---------------------------------------------------------------------


def test_devon_s5_3_a_discussion_is_recorded_within_three_working_days(child):
    """Discussed Thu 2 Apr 2026: recorded by Thu 9 Apr, Good Friday and Easter Monday skipped."""
    line = child("devon")
    step = line.apply(discussed(date(2026, 4, 2)))
    [record] = [t for t in step.opened if t.type == "child_supervision_record"]
    assert (record.assignee, record.due, record.rule.section) == ("tm1", date(2026, 4, 9), "5.3")
    assert [d for d, _ in record.basis.skipped] == [date(2026, 4, 3), date(2026, 4, 6)]
    done = line.apply(ChildSupervisionRecorded(on=date(2026, 4, 7), child="c1"))
    assert TaskChange(record.key, "closed", date(2026, 4, 7)) in done.changed
    assert f"task:{record.key}" in done.disarm


def test_devon_s5_3_a_discussion_recorded_at_the_time_owes_no_record(child):
    """The expected standard: recorded in the meeting, so no 72-hour task."""
    line = child("devon")
    line.apply(discussed(date(2026, 4, 2), recorded=True))
    assert not held(line, "child_supervision_record")


def test_devon_s5_3_an_ad_hoc_discussion_with_another_manager_is_theirs_to_record(child):
    """Held by hos1: the recording task is hos1's."""
    line = child("devon")
    line.apply(discussed(date(2026, 4, 2), supervisor="hos1"))
    [task] = held(line, "child_supervision_record").values()
    assert task["assignee"] == "hos1"


def test_a_record_not_made_in_time_is_escalated_without_changing_the_state(child):
    """devon: the record due 9 Apr is breached on 10 Apr; the child stays supervised."""
    line = child("devon")
    line.apply(AllocationDiscussed(on=date(2026, 3, 4), child="c1"))
    line.apply(discussed(date(2026, 4, 2)))
    [key] = held(line, "child_supervision_record")
    step = line.fire(f"task:{key}")
    assert step.state == "supervised"
    assert TaskChange(key, "escalated", date(2026, 4, 10)) in step.changed


# ----- surrey §4.1 ------------------------------------------------------------------------------


# From Mon 9 Mar 2026: 4 weeks is Easter Monday 6 Apr: Tue 7 Apr; 8 weeks is Mon 4 May, May Day:
# Tue 5 May; 12 weeks is Mon 1 Jun and 3 months Tue 9 Jun, both working days.
FOUR_WEEKS, EIGHT_WEEKS = date(2026, 4, 7), date(2026, 5, 5)


@pytest.mark.parametrize(("case_type", "due"), [
    ("early_help", FOUR_WEEKS),
    ("ifss", FOUR_WEEKS),
    ("youth_justice", FOUR_WEEKS),
    ("adolescent", FOUR_WEEKS),
    ("family_safeguarding", FOUR_WEEKS),
    ("cin", FOUR_WEEKS),
    ("cp", FOUR_WEEKS),
    ("cla", EIGHT_WEEKS),
    ("cwd", date(2026, 6, 9)),
    ("care_leaver", date(2026, 6, 1)),
    ("fostering", date(2026, 6, 9)),
    ("private_fostering", FOUR_WEEKS),
    ("kinship", FOUR_WEEKS),
    ("sgo", FOUR_WEEKS),
    ("form_f", FOUR_WEEKS),
    ("independent_review", FOUR_WEEKS),
])
def test_surrey_s4_1_each_service_is_discussed_at_its_interval(child, case_type, due):
    """Discussed Mon 9 Mar: 4 weeks → 7 Apr, 8 weeks → 5 May, 12 weeks → 1 Jun, 3 months → 9 Jun."""
    line = child("surrey", case_type=case_type)
    step = line.apply(discussed())
    assert due_of(line, "child_discussion") == due
    assert TaskChange("discussion:1", "closed", DISCUSSED) in step.changed
    assert all(t.rule.section == "4.1" for t in step.opened)


def test_surrey_s4_1_the_assessment_service_discusses_a_child_once_open_20_working_days(child):
    """Allocated Wed 25 Mar 2026: day 20 is Fri 24 Apr (Easter skipped), not 4 weeks (22 Apr)."""
    line = child("surrey", case_type="assessment", on=date(2026, 3, 25))
    [task] = line.step.opened
    assert (task.due, task.basis.interval) == (date(2026, 4, 24), "20 working days")
    line.apply(discussed(date(2026, 4, 24)))
    assert due_of(line, "child_discussion") == date(2026, 5, 22)  # then every 4 weeks


def test_surrey_s4_1_a_cwd_assessed_as_appropriate_is_discussed_six_monthly(child):
    """CWD allocated 2 Mar and assessed for the longer interval: due 2 Sep, not 2 Jun."""
    line = child("surrey", case_type="cwd", assessed_longer=True)
    assert due_of(line, "child_discussion") == date(2026, 9, 2)


def test_surrey_s4_1_assessing_a_cwd_for_six_months_reschedules_the_discussion(child):
    """Discussed 9 Mar (due 9 Jun); assessed on 16 Mar: rescheduled to 9 Sep under the CWD rule."""
    line = child("surrey", case_type="cwd")
    line.apply(discussed())
    [key] = held(line, "child_discussion")
    step = line.apply(changed(SESSION, assessed_longer=True))
    assert TaskChange(key, "rescheduled", SESSION, date(2026, 9, 9)) in step.changed
    assert line.tasks[key]["rule"]["rule"] == "child_supervision.cases.cwd"


def test_surrey_s4_1_a_cwd_with_a_child_protection_plan_reverts_to_four_weeks(child):
    """CWD discussed 9 Mar (due 9 Jun); a CP plan from 16 Mar: the CP rule, due Tue 7 Apr (4 weeks
    on is Easter Monday)."""
    line = child("surrey", case_type="cwd", assessed_longer=True)
    line.apply(discussed())
    step = line.apply(changed(SESSION, plan="cp"))
    [task] = step.opened
    assert (task.due, task.rule.rule) == (date(2026, 4, 7), "child_supervision.cases.cp")
    assert line.data["cadence"]["case_type"] == "cp"
    # The plan ends: back to the CWD rule (still assessed: six-monthly from the last discussion).
    line.apply(changed(date(2026, 3, 30), plan="none"))
    assert due_of(line, "child_discussion") == date(2026, 9, 9)


def test_surrey_s4_1_a_looked_after_cwd_reverts_to_eight_weeks(child):
    """A CWD allocated with a CLA plan is discussed 8 weeks on, 27 Apr."""
    line = child("surrey", case_type="cwd", plan="cla")
    assert due_of(line, "child_discussion") == date(2026, 4, 27)


def test_surrey_s4_1_a_reallocation_keeps_the_cadence_and_hands_it_to_the_new_manager(
        child, team_with):
    """To sw1 under tm2 on 16 Mar: the 7 Apr discussion is withdrawn from tm1 and opened for tm2."""
    line = child("surrey", case_type="early_help")
    line.apply(discussed())
    step = line.apply(ChildReallocated(on=SESSION, child="c1", worker="sw1", manager="tm2"))
    assert step.state == "supervised" and step.transitions[0].trigger == "hand_over"
    assert TaskChange("discussion:2", "withdrawn", SESSION) in step.changed
    [task] = step.opened
    assert (task.assignee, task.due) == ("tm2", date(2026, 4, 7))
    assert (line.data["worker"], line.data["manager"]) == ("sw1", "tm2")


# ----- sunderland §5.3 and §6 -------------------------------------------------------------------


def test_sunderland_s6_an_unborn_child_missed_at_a_session_opens_a_task(child):
    """Unborn c1 not among the children tm1 and sw2 discussed on 16 Mar: tm1 owes it that day."""
    line = child("sunderland", unborn=True)
    step = line.apply(session(children=["c7"]))
    assert step.state == "supervised" and step.transitions[0].trigger == "pass_over"
    [task] = step.opened
    assert (task.type, task.assignee, task.due, task.rule.section) == \
        ("missed_discussion", "tm1", SESSION, "5.3, 6")
    assert "unborn" in task.basis.interval
    assert line.armed[f"task:{task.key}"].fires_on == date(2026, 3, 17)


def test_sunderland_s6_a_child_under_2_missed_at_a_session_opens_a_task(child):
    """Born 10 Jan 2025, so under 2 on 16 Mar 2026: missed, a task due that day."""
    line = child("sunderland", born=date(2025, 1, 10))
    [task] = line.apply(session(children=[])).opened
    assert (task.type, task.due) == ("missed_discussion", SESSION)
    assert "under 2" in task.basis.interval


def test_sunderland_s6_a_child_who_turned_2_before_the_session_is_not_required_every_session(child):
    """Born 16 Mar 2024: 2 years old on the session day, so one miss opens nothing."""
    line = child("sunderland", born=date(2024, 3, 16))
    step = line.apply(session(children=[]))
    assert not step.opened and line.data["sessions_missed"] == 1


def test_sunderland_s6_a_child_born_after_allocation_is_under_2_from_its_birth(child):
    """Allocated unborn, born 10 Mar: still required at the 16 Mar session (under 2)."""
    line = child("sunderland", unborn=True)
    line.apply(changed(date(2026, 3, 10), born=date(2026, 3, 10)))
    assert (line.data["unborn"], line.data["born"]) == (False, "2026-03-10")
    [task] = line.apply(session(children=[])).opened
    assert "under 2" in task.basis.interval


def test_sunderland_s6_a_missed_child_discussed_later_closes_the_task_and_its_escalation(child):
    """Missed on 16 Mar, breached 17 Mar (overdue, escalated to hos1), discussed 18 Mar."""
    line = child("sunderland", unborn=True)
    line.apply(session(children=[]))
    [key] = held(line, "missed_discussion")
    breach = line.fire(f"task:{key}")
    assert breach.state == "overdue"
    assert line.tasks[f"{key}^"]["assignee"] == "hos1"  # sunderland's chain: a senior manager
    step = line.apply(discussed(date(2026, 3, 18)))
    assert step.state == "supervised" and not held(line, "missed_discussion")
    assert {c.key for c in step.changed if c.change == "closed"} >= {key, f"{key}^"}


def test_sunderland_s6_a_second_missed_session_does_not_stack_another_task(child):
    """Missed again on 13 Apr while the first catch-up is open: audited, no second task."""
    line = child("sunderland", unborn=True)
    line.apply(session(children=[]))
    step = line.apply(session(date(2026, 4, 13), children=[]))
    assert not step.opened and any("missed again" in r.trigger for r in step.transitions)


def test_sunderland_s5_3_a_child_passed_over_at_three_sessions_in_a_row_gets_a_task(child):
    """A third of the caseload a session: missed 16 Mar and 13 Apr is fine; 11 May opens a task."""
    line = child("sunderland", born=date(2015, 6, 1))
    assert not line.apply(session(children=["c2"])).opened
    assert not line.apply(session(date(2026, 4, 13), children=["c3"])).opened
    [task] = line.apply(session(date(2026, 5, 11), children=["c4"])).opened
    assert (task.type, task.due, task.rule.section) == ("missed_discussion", date(2026, 5, 11),
                                                        "5.3, 6")
    assert "3 sessions in a row" in task.basis.interval


def test_sunderland_s5_3_a_child_not_discussed_within_a_quarter_gets_a_task(child):
    """Allocated 2 Mar: the whole caseload each quarter, so c1 is due by 2 Jun; discussed
    at the 16 Mar session, by 16 Jun."""
    line = child("sunderland", born=date(2015, 6, 1))
    [task] = line.step.opened
    assert (task.type, task.assignee, task.due, task.rule.section) == \
        ("caseload_coverage", "tm1", date(2026, 6, 2), "5.3, 6")
    step = line.apply(session(children=["c1"]))
    assert step.state == "supervised" and step.transitions[0].trigger == "discuss"
    assert TaskChange(task.key, "closed", SESSION) in step.changed
    assert due_of(line, "caseload_coverage") == date(2026, 6, 16)
    assert line.data["sessions_missed"] == 0


def test_sunderland_s5_3_decisions_go_onto_the_case_record_within_24_hours(child):
    """Discussed at the 16 Mar session: sw2 transfers the decisions by 17 Mar."""
    line = child("sunderland", born=date(2015, 6, 1))
    line.apply(session(children=["c1"]))
    [task] = held(line, "decisions_on_record").values()
    assert (task["assignee"], task["due"], task["rule"]["section"]) == ("sw2", "2026-03-17", "5.3")
    line.apply(ChildSupervisionRecorded(on=date(2026, 3, 17), child="c1"))
    assert not held(line, "decisions_on_record")


def test_sunderland_s5_3_a_discussion_without_decisions_owes_no_transfer(child):
    """No decisions made: nothing to transfer onto the case record."""
    line = child("sunderland", born=date(2015, 6, 1))
    line.apply(discussed(decisions_made=False))
    assert not held(line, "decisions_on_record")


# ----- systemic §6 ------------------------------------------------------------------------------


def test_systemic_s6_every_open_case_missed_at_a_monthly_session_opens_a_task(child):
    """c1 open and not discussed at the 16 Mar session: tm1 owes its discussion that day."""
    line = child("systemic", born=date(2015, 6, 1))
    [task] = line.apply(session(children=["c2", "c3"])).opened
    assert (task.type, task.assignee, task.due, task.rule.section) == \
        ("missed_discussion", "tm1", SESSION, "6")
    assert "every open case" in task.basis.interval


def test_systemic_s6_an_open_case_discussed_at_the_session_owes_nothing_more(child):
    """Discussed at the session: no task; systemic times no cadence of its own for the child."""
    line = child("systemic", born=date(2015, 6, 1))
    step = line.apply(session(children=["c1"]))
    assert step.state == "supervised" and not step.opened and line.tasks == {}
    assert line.data["last_discussed"] == SESSION.isoformat()


# ----- sessions and the child's worker ------------------------------------------------------------


def test_a_session_that_does_not_list_the_children_checks_nothing(child):
    """children_discussed absent: no task, no audit, nothing to save."""
    line = child("sunderland", unborn=True)
    step = line.apply(session(children=None))
    assert not (step.transitions or step.opened or step.changed)
    assert step.notes


def test_a_session_under_a_cadence_policy_closes_the_discussion_of_a_listed_child(child):
    """surrey early help: the personal session listing c1 is its discussion; 4 weeks on."""
    line = child("surrey", case_type="early_help")
    step = line.apply(session(children=["c1"]))
    assert TaskChange("discussion:1", "closed", SESSION) in step.changed
    assert due_of(line, "child_discussion") == date(2026, 4, 13)


def test_a_session_under_a_cadence_policy_without_coverage_ignores_an_unlisted_child(child):
    """surrey has no coverage rule: a session that does not list c1 changes nothing."""
    line = child("surrey", case_type="early_help")
    step = line.apply(session(children=["c2"]))
    assert not (step.transitions or step.opened or step.changed)


def test_a_discussion_recorded_late_fulfils_nothing_the_later_one_left_open(child):
    """devon: discussed 2 Apr, then a 25 Mar discussion recorded: cadence kept, record owed."""
    line = child("devon")
    line.apply(discussed(date(2026, 4, 2)))
    step = line.apply(discussed(date(2026, 3, 25)))
    assert due_of(line, "child_discussion") == date(2026, 6, 2)  # 2 months after 2 Apr
    assert [t.type for t in step.opened] == ["child_supervision_record"]


# ----- refusals -----------------------------------------------------------------------------------


def test_a_policy_without_child_supervision_refuses_the_allocation(lifeline):
    """hull has no child_supervision section: child_allocated is refused, naming it."""
    line = lifeline(ChildSupervision, "c1", policy=load_policy("hull"))
    with pytest.raises(EventRejected, match="hull policy .* has no child-specific supervision"):
        line.begin(allocated())


def test_refusals_leave_the_machine_unchanged(child):
    """Each refused event names its reason and changes neither state nor data."""
    surrey, devon = child("surrey"), child("devon")
    refused(surrey, discussed(worker="sw1"), "sw1 is not the allocated worker")
    refused(surrey, session(children=["c1"], supervisee="sw1"), "a session of sw1")
    refused(surrey, changed(DISCUSSED, risk="standard", case_type="cin"), "nothing changed")
    refused(surrey, ChildReallocated(on=DISCUSSED, child="c1", worker="sw2"), "already allocated")
    refused(surrey, AllocationDiscussed(on=DISCUSSED, child="c1"), "no new-allocation rule")
    refused(surrey, ManagerCaseNoteRecorded(on=DISCUSSED, child="c1"), "no manager case note")
    refused(surrey, ChildSupervisionRecorded(on=DISCUSSED, child="c1"), "no supervision record")
    refused(devon, changed(DISCUSSED, case_type="cwd"), "no child-specific supervision")
    devon.apply(AllocationDiscussed(on=date(2026, 3, 4), child="c1"))
    refused(devon, AllocationDiscussed(on=DISCUSSED, child="c1"), "no allocation discussion is due")


def test_a_machine_without_a_handler_refuses_other_events(child):
    """An event of another lifecycle is refused as not of this kind."""
    from oversight.states.events import AsyePaused

    refused(child("surrey"), AsyePaused(on=DISCUSSED, worker="sw2"), "not an event of this kind")
