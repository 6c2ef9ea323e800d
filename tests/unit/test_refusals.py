"""Every event a state of a machine does not accept is refused, naming entity, state and event.

The tables below say which events each stored state accepts; every other event of the whole
vocabulary is tried against it and must leave the machine's state and data exactly as loaded.
The accepted ones are applied too, so a table that is too strict fails as well.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date

import pytest

from oversight.states.errors import EventRejected
from oversight.states.events import (
    EVENT_TYPES,
    AgreementReviewed,
    AgreementSigned,
    AlternativeSupervisionArranged,
    AssessmentCompleted,
    AssessmentExtended,
    AssessmentStarted,
    AsyeEnrolled,
    AsyePaused,
    AsyeResumed,
    DomainEvent,
    FinalAssessmentRecorded,
    OversightRecorded,
    RelationshipEnded,
    RelationshipStarted,
    ReviewHeld,
    SupervisionHeld,
    SupervisorAbsenceStarted,
    SupervisorReturned,
    parse_event,
)
from oversight.states.machines import AsyeJourney, ChildAndFamilyAssessment, SupervisoryRelationship
from tests.event_samples import SAMPLES
from tests.unit.portfolio import full_portfolio

ON = date(2027, 6, 1)  # after every date the builders use

EVENTS: dict[str, DomainEvent] = {
    "assessment_started": AssessmentStarted(on=ON, child="c1", worker="sw1", manager="tm1"),
    "oversight_recorded": OversightRecorded(on=ON, child="c1", point="day35"),
    "assessment_extended": AssessmentExtended(on=ON, child="c1"),
    "assessment_completed": AssessmentCompleted(on=ON, child="c1"),
    "asye_enrolled": AsyeEnrolled(on=ON, worker="sw1", supervisor="tm1"),
    "review_held": ReviewHeld(on=ON, worker="sw1", review="six_month"),
    "asye_paused": AsyePaused(on=ON, worker="sw1"),
    "asye_resumed": AsyeResumed(on=ON, worker="sw1"),
    "final_assessment_recorded": FinalAssessmentRecorded(on=ON, worker="sw1", outcome="passed"),
    "relationship_started": RelationshipStarted(on=ON, supervisor="tm1", supervisee="sw2"),
    "agreement_signed": AgreementSigned(on=ON, supervisor="tm1", supervisee="sw2"),
    "agreement_reviewed": AgreementReviewed(on=ON, supervisor="tm1", supervisee="sw2"),
    "supervision_held": SupervisionHeld(on=ON, supervisor="tm1", supervisee="sw1"),
    "supervisor_absence_started": SupervisorAbsenceStarted(on=ON, supervisor="tm1"),
    "supervisor_returned": SupervisorReturned(on=ON, supervisor="tm1"),
    "alternative_supervision_arranged": AlternativeSupervisionArranged(
        on=ON, supervisor="tm1", supervisee="sw2"),
    "relationship_ended": RelationshipEnded(on=ON, supervisor="tm1", supervisee="sw2"),
}
# The other lifecycles' events: these three machines refuse them all as not theirs.
EVENTS.update({kind: parse_event({**sample, "type": kind, "on": ON.isoformat()})
               for kind, sample in SAMPLES.items() if kind not in EVENTS})
# The relationship is tm1:sw2, the ASYE is sw1's: each gets a session with its own supervisee.
RELATIONSHIP_SESSION = SupervisionHeld(on=ON, supervisor="tm1", supervisee="sw2")


def test_the_sample_events_cover_the_whole_vocabulary():
    """Every event type the product knows is tried against every state."""
    assert set(EVENTS) == set(EVENT_TYPES)


# ----- how to reach each stored state ---------------------------------------------------------


def assessment_in(state: str, lifeline) -> object:
    line = lifeline(ChildAndFamilyAssessment, "c1")
    line.begin(AssessmentStarted(on=date(2026, 3, 25), child="c1", worker="sw1", manager="tm1"))
    if state in ("in_progress", "due", "extended", "completed"):
        line.apply(OversightRecorded(on=date(2026, 3, 25), child="c1", point="allocation"))
    if state in ("due", "overdue"):
        line.fire("day35")
    if state == "extended":
        line.apply(AssessmentExtended(on=date(2026, 5, 18), child="c1"))
    if state == "overdue":
        line.fire("limit")
    if state == "completed":
        line.apply(AssessmentCompleted(on=date(2026, 5, 11), child="c1"))
    return line


def asye_in(state: str, lifeline) -> object:
    line = lifeline(AsyeJourney, "sw1")
    line.begin(AsyeEnrolled(on=date(2026, 1, 5), worker="sw1", supervisor="tm1"))
    for evidence in full_portfolio("sw1", date(2026, 1, 30)):
        line.apply(evidence)  # so that a final assessment may be recorded as passed
    if state in ("fortnightly", "monthly", "extended"):
        line.fire("phase:fortnightly")
    if state in ("monthly", "extended"):
        line.fire("phase:monthly")
    if state == "paused":
        line.apply(AsyePaused(on=date(2026, 2, 2), worker="sw1"))
    if state == "extended":
        line.apply(FinalAssessmentRecorded(on=date(2027, 1, 5), worker="sw1", outcome="extended",
                                           extended_to=date(2027, 7, 5)))
    if state in ("passed", "failed"):
        line.apply(FinalAssessmentRecorded(on=date(2027, 1, 5), worker="sw1",
                                           outcome=state))
    return line


def relationship_in(state: str, lifeline) -> object:
    line = lifeline(SupervisoryRelationship, "tm1:sw2")
    line.begin(RelationshipStarted(on=date(2026, 3, 2), supervisor="tm1", supervisee="sw2"))
    if state != "agreement_pending":
        line.apply(AgreementSigned(on=date(2026, 3, 2), supervisor="tm1", supervisee="sw2"))
    if state in ("supervisor_absent", "alternative_arranged"):
        line.apply(SupervisorAbsenceStarted(on=date(2026, 4, 13), supervisor="tm1"))
    if state == "alternative_arranged":
        line.apply(AlternativeSupervisionArranged(on=date(2026, 4, 20), supervisor="tm1",
                                                  supervisee="sw2"))
    if state == "ended":
        line.apply(RelationshipEnded(on=date(2026, 6, 1), supervisor="tm1", supervisee="sw2"))
    return line


# ----- what each stored state accepts ---------------------------------------------------------

ASSESSMENT_OPEN = {"oversight_recorded", "assessment_completed"}
ASYE_ACTIVE = {"supervision_held", "review_held", "asye_paused", "final_assessment_recorded",
               "asye_evidence_recorded"}
ACCEPTS: dict[str, tuple[Callable, dict[str, set[str]]]] = {
    "assessment": (assessment_in, {
        "allocated": ASSESSMENT_OPEN | {"assessment_extended"},
        "in_progress": ASSESSMENT_OPEN | {"assessment_extended"},
        "due": ASSESSMENT_OPEN | {"assessment_extended"},
        "extended": ASSESSMENT_OPEN,
        "overdue": ASSESSMENT_OPEN,
        "completed": {"oversight_recorded"},
    }),
    "asye": (asye_in, {
        "weekly": ASYE_ACTIVE,
        "fortnightly": ASYE_ACTIVE,
        "monthly": ASYE_ACTIVE,
        "extended": ASYE_ACTIVE,
        "paused": {"asye_resumed", "asye_evidence_recorded"},
        "passed": set(),
        "failed": set(),
    }),
    "relationship": (relationship_in, {
        "agreement_pending": {"agreement_signed", "supervision_held", "supervisor_absence_started",
                              "relationship_ended", "final_assessment_recorded",
                              "role_changed", "returned_to_work"},
        "active": {"agreement_reviewed", "supervision_held", "supervisor_absence_started",
                   "relationship_ended", "final_assessment_recorded",
                   "role_changed", "returned_to_work"},
        "supervisor_absent": {"agreement_reviewed", "supervision_held",
                              "alternative_supervision_arranged", "supervisor_returned",
                              "relationship_ended", "final_assessment_recorded",
                              "role_changed", "returned_to_work"},
        "alternative_arranged": {"agreement_reviewed", "supervision_held", "supervisor_returned",
                                 "relationship_ended", "final_assessment_recorded",
                                 "role_changed", "returned_to_work"},
        "ended": set(),
    }),
}
CLASSES = {"assessment": ChildAndFamilyAssessment, "asye": AsyeJourney,
           "relationship": SupervisoryRelationship}


def cases(accepted: bool) -> list:
    found = []
    for kind, (_, table) in ACCEPTS.items():
        for state, accepts in table.items():
            for event in EVENTS:
                if (event in accepts) is accepted:
                    found.append(pytest.param(kind, state, event, id=f"{kind}-{state}-{event}"))
    return found


def event_for(kind: str, name: str) -> DomainEvent:
    if kind == "relationship" and name == "supervision_held":
        return RELATIONSHIP_SESSION
    return EVENTS[name]


def test_the_tables_list_every_state_each_machine_can_be_stored_in():
    """Every state but the ASYE's transient 'enrolled' is reached and checked."""
    for kind, (_, table) in ACCEPTS.items():
        stored = set(CLASSES[kind].states) - {"enrolled"}
        assert set(table) == stored, kind


@pytest.mark.parametrize(("kind", "state", "event"), cases(accepted=False))
def test_an_event_the_state_does_not_accept_is_refused_and_changes_nothing(
        lifeline, kind, state, event):
    """EventRejected names the entity, its state and the event; state and data are as loaded."""
    build, _ = ACCEPTS[kind]
    line = build(state, lifeline)
    assert line.state == state
    machine = line.load()
    state_before, data_before = machine.state, copy.deepcopy(machine.data)
    with pytest.raises(EventRejected) as refused:
        machine.apply(event_for(kind, event))
    error = refused.value
    assert (error.entity, error.state, error.event) == (str(machine.ref), state, event)
    assert str(error).startswith(f"{machine.ref} is '{state}' and does not accept '{event}'")
    assert machine.state == state_before
    assert machine.data == data_before


@pytest.mark.parametrize(("kind", "state", "event"), cases(accepted=True))
def test_an_event_the_state_accepts_is_applied(lifeline, kind, state, event):
    """The accepted events of each state go through and leave an audit line."""
    build, _ = ACCEPTS[kind]
    line = build(state, lifeline)
    step = line.apply(event_for(kind, event))
    assert step.transitions, f"{event} in {state} left no audit line"
    assert all(r.cause == f"event:{event}" for r in step.transitions)
