"""Management oversight on a child's record (surrey §4.1, devon §6): one task per trigger.

Child c1 is sw2's; tm1 manages sw2 and hos1 manages tm1. Each authority's test runs under its own
file in config/policies and checks the due date the trigger's window produces.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.errors import EventRejected
from oversight.states.events import DomainEvent, OversightRecorded, OversightTriggered, parse_event
from oversight.states.machines import KINDS, ManagementOversight
from oversight.states.values import EntityRef, TaskChange

FRIDAY = date(2026, 3, 27)
BEFORE_EASTER = date(2026, 4, 2)   # Thu: Good Friday and Easter Monday follow


def triggered(trigger: str, on: date = FRIDAY, worker: str | None = "sw2") -> OversightTriggered:
    return OversightTriggered(on=on, child="c1", trigger=trigger, manager="tm1", worker=worker)


def recorded(point: str, on: date) -> OversightRecorded:
    return OversightRecorded(on=on, child="c1", point=point)


@pytest.fixture
def child(lifeline):
    """A factory: c1's oversight started by one trigger, ``child("devon", "drift_or_delay")``."""

    def make(authority: str, trigger: str, on: date = FRIDAY):
        line = lifeline(ManagementOversight, "c1", policy=load_policy(authority))
        line.begin(triggered(trigger, on))
        return line

    return make


def refused(line, event: DomainEvent, reason: str) -> None:
    """The event is refused with the reason, and the loaded machine is left exactly as it was."""
    machine = line.load()
    state, data = machine.state, copy.deepcopy(machine.data)
    with pytest.raises(EventRejected, match=reason):
        machine.apply(event)
    assert (machine.state, machine.data) == (state, data)


def test_management_oversight_is_registered_as_its_own_kind():
    """``oversight`` names ManagementOversight; its trigger event parses by type."""
    assert KINDS["oversight"] is ManagementOversight
    event = parse_event({"type": "oversight_triggered", "on": "2026-03-27", "child": "c1",
                         "trigger": "drift_or_delay", "manager": "tm1"})
    assert isinstance(event, OversightTriggered) and event.worker is None


# ----- the rules of each policy file ---------------------------------------------------------

SURREY_DUE = {
    "allocation": FRIDAY,                          # on the day
    "significant_event_or_referral": date(2026, 4, 1),
    "discussion_outside_supervision": date(2026, 4, 1),
    "elective_home_education": date(2026, 4, 1),
    "vulnerable_learner": date(2026, 4, 1),
    "low_school_attendance": date(2026, 4, 1),
    "meeting_or_panel_decision": date(2026, 4, 1),
}
DEVON_TRIGGERS = [
    "new_practitioner_allocated", "significant_incident", "change_of_care_plan",
    "child_comes_into_care", "court_direction", "escalation_from_professional",
    "child_returns_home", "discussion_outside_supervision", "change_of_threshold",
    "new_risk_factors", "cp_plan_ending_at_first_review", "professional_opinion",
    "close_transfer_or_step_to_early_help", "drift_or_delay", "performance_gaps",
]


def test_surrey_s4_1_and_devon_s6_files_list_the_triggers_of_their_policies():
    """Seven Surrey triggers (one bullet split in three), Devon's fifteen."""
    assert [t.trigger for t in load_policy("surrey").management_oversight.triggers] == \
        list(SURREY_DUE)
    assert [t.trigger for t in load_policy("devon").management_oversight.triggers] == \
        DEVON_TRIGGERS


@pytest.mark.parametrize("trigger", list(SURREY_DUE))
def test_surrey_s4_1_a_trigger_on_friday_27_march_opens_an_oversight_due_by_its_window(
        trigger, child):
    """At allocation: on the day; every other trigger: 3 working days, Wed 1 Apr 2026."""
    line = child("surrey", trigger)
    [task] = line.step.opened
    assert (task.type, task.assignee, task.assignee_role, task.subject) == (
        "management_oversight", "tm1", "manager", "child:c1")
    assert task.due == SURREY_DUE[trigger]
    assert (task.rule.authority, task.rule.section, task.rule.rule) == (
        "surrey", "4.1", f"management_oversight.triggers.{trigger}")


@pytest.mark.parametrize("trigger", DEVON_TRIGGERS)
def test_devon_s6_a_trigger_before_easter_opens_an_oversight_due_in_3_working_days(trigger, child):
    """Triggered Thu 2 Apr 2026: Good Friday and Easter Monday skipped, due Thu 9 Apr."""
    line = child("devon", trigger, BEFORE_EASTER)
    [task] = line.step.opened
    assert task.due == date(2026, 4, 9)
    assert (task.rule.authority, task.rule.section) == ("devon", "6")
    assert [d for d, _ in task.basis.skipped] == [date(2026, 4, 3), date(2026, 4, 6)]


# ----- states and transitions ----------------------------------------------------------------


def test_a_first_trigger_makes_the_child_await_oversight(child):
    """clear → awaiting; the task is mo:<trigger>:1, its timer fires the day after it is due."""
    line = child("devon", "drift_or_delay")
    step = line.step
    assert step.created and step.state == "awaiting"
    assert step.entity == EntityRef("oversight", "c1")
    assert ManagementOversight.people(step.data) == ("c1", "sw2")
    assert [(r.source, r.dest, r.trigger) for r in step.transitions] == [
        ("clear", "awaiting", "trigger")]
    assert {t.name: t.fires_on for t in step.arm} == {"task:mo:drift_or_delay:1": date(2026, 4, 2)}
    assert line.tasks["mo:drift_or_delay:1"]["trigger"] == "drift_or_delay"
    assert ManagementOversight.awaits(step.data, "drift_or_delay")
    assert not ManagementOversight.awaits(step.data, "court_direction")


def test_each_further_trigger_owes_its_own_oversight(child):
    """A second significant incident while awaiting: a second task, the state kept."""
    line = child("devon", "significant_incident")
    step = line.apply(triggered("significant_incident", date(2026, 3, 30)))
    assert step.state == "awaiting"
    assert [r.trigger for r in step.transitions] == ["trigger_more"]
    assert [t.key for t in step.opened] == ["mo:significant_incident:2"]


def test_recording_closes_the_earliest_owed_and_the_last_one_clears_the_child(child):
    """Two incidents: the first oversight closes :1 and keeps awaiting; the second clears."""
    line = child("devon", "significant_incident")
    line.apply(triggered("significant_incident", date(2026, 3, 30)))
    first = line.apply(recorded("significant_incident", date(2026, 3, 31)))
    assert first.state == "awaiting"
    assert first.changed == (TaskChange("mo:significant_incident:1", "closed", date(2026, 3, 31)),)
    second = line.apply(recorded("significant_incident", date(2026, 3, 31)))
    assert second.state == "clear"
    assert [(r.source, r.dest, r.trigger) for r in second.transitions] == [
        ("awaiting", "clear", "record_last")]
    assert line.tasks == {} and line.armed == {}


def test_a_cleared_child_awaits_again_on_the_next_trigger(child):
    """clear → awaiting once more."""
    line = child("surrey", "allocation")
    line.apply(recorded("allocation", FRIDAY))
    step = line.apply(triggered("vulnerable_learner", date(2026, 4, 7)))
    assert step.state == "awaiting" and [t.key for t in step.opened] == ["mo:vulnerable_learner:2"]


def test_an_oversight_not_recorded_in_time_is_escalated_and_recording_it_late_closes_both(child):
    """Devon: due Wed 1 Apr, escalated to hos1 on Thu 2 Apr; recorded Fri 3 Apr."""
    line = child("devon", "court_direction")
    step = line.fire("task:mo:court_direction:1")
    assert line.tasks["mo:court_direction:1"]["state"] == "escalated"
    assert [(t.key, t.assignee) for t in step.opened] == [("mo:court_direction:1^", "hos1")]
    done = line.apply(recorded("court_direction", date(2026, 4, 3)))
    assert done.state == "clear"
    assert {c.key for c in done.changed} == {"mo:court_direction:1", "mo:court_direction:1^"}


# ----- refusals ------------------------------------------------------------------------------


def test_an_unknown_trigger_is_refused_naming_the_known_ones(lifeline, child):
    """A typo in the trigger opens nothing, at the start or later."""
    with pytest.raises(EventRejected, match="unknown trigger 'drift'; this policy has "
                                            "new_practitioner_allocated, significant_incident"):
        lifeline(ManagementOversight, "c1", policy=load_policy("devon")).begin(triggered("drift"))
    refused(child("devon", "drift_or_delay"), triggered("drift"), "unknown trigger 'drift'")


def test_a_policy_without_management_oversight_rules_refuses_a_trigger(lifeline):
    """Hull's file has no management_oversight section."""
    with pytest.raises(EventRejected, match="this policy has no management oversight rules"):
        lifeline(ManagementOversight, "c1", policy=load_policy("hull")).begin(
            triggered("significant_incident"))


def test_an_oversight_recorded_for_a_point_not_owed_is_refused_unchanged(child):
    """The child awaits drift_or_delay, not court_direction."""
    line = child("devon", "drift_or_delay")
    refused(line, recorded("court_direction", FRIDAY), "no oversight is owed for 'court_direction'")


def test_a_clear_child_refuses_a_recorded_oversight_unchanged(child):
    """Nothing is owed once the last is recorded."""
    line = child("devon", "drift_or_delay")
    line.apply(recorded("drift_or_delay", FRIDAY))
    refused(line, recorded("drift_or_delay", FRIDAY), "is 'clear'")


def test_an_event_of_another_kind_is_refused_unchanged(child):
    """An oversight knows nothing of sessions."""
    from oversight.states.events import AssessmentExtended

    refused(child("devon", "drift_or_delay"), AssessmentExtended(on=FRIDAY, child="c1"),
            "not an event of this kind")


@pytest.mark.parametrize(("authority", "has_triggers"), [
    ("surrey", True), ("devon", True), ("sunderland", False), ("systemic", False),
    ("hull", False)])
def test_of_the_seeded_policies_only_surrey_and_devon_time_oversight_triggers(authority,
                                                                             has_triggers):
    """Their windows are tested above; any other file's triggers run in the conformance suite."""
    assert (load_policy(authority).management_oversight is not None) == has_triggers
