"""Events of a supervisory relationship (``SupervisoryRelationship``): its agreement, sessions held
and the supervisor's absences. ``supervision_held`` also reaches the session it was, the
supervisee's ASYE and the children it discussed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from oversight.states.events.base import DomainEvent, Flag, Identifier
from oversight.states.events.declaration import EventType, Reaches, by_id, by_rule


class RelationshipStarted(DomainEvent):
    """A supervisor starts supervising a supervisee."""

    type: Literal["relationship_started"] = "relationship_started"
    supervisor: Identifier
    supervisee: Identifier


class AgreementSigned(DomainEvent):
    """Both sign the supervision agreement."""

    type: Literal["agreement_signed"] = "agreement_signed"
    supervisor: Identifier
    supervisee: Identifier


class AgreementReviewed(DomainEvent):
    """The supervision agreement is reviewed."""

    type: Literal["agreement_reviewed"] = "agreement_reviewed"
    supervisor: Identifier
    supervisee: Identifier


class SupervisionHeld(DomainEvent):
    """A personal supervision session took place."""

    type: Literal["supervision_held"] = "supervision_held"
    supervisor: Identifier
    supervisee: Identifier
    minutes: int | None = Field(default=None, gt=0, le=600)
    session: Identifier | None = None
    """The planned session this was, if it was planned (``session_planned``)."""
    children_discussed: list[Identifier] | None = None
    """The children discussed, for the policies that say which must be (sunderland §6,
    systemic §6)."""


class SupervisorAbsenceStarted(DomainEvent):
    """The supervisor is away from ``on`` (planned or not)."""

    type: Literal["supervisor_absence_started"] = "supervisor_absence_started"
    supervisor: Identifier
    planned: Flag = False


class SupervisorReturned(DomainEvent):
    """The absent supervisor is back."""

    type: Literal["supervisor_returned"] = "supervisor_returned"
    supervisor: Identifier


class AlternativeSupervisionArranged(DomainEvent):
    """Another supervisor covers the supervisee while theirs is away."""

    type: Literal["alternative_supervision_arranged"] = "alternative_supervision_arranged"
    supervisor: Identifier
    """The absent supervisor."""
    supervisee: Identifier
    arranged_with: Identifier | None = None


class RelationshipEnded(DomainEvent):
    """The supervision relationship ends."""

    type: Literal["relationship_ended"] = "relationship_ended"
    supervisor: Identifier
    supervisee: Identifier
    reason: Literal["moved", "left", "other"] = "other"


PAIR = by_id("supervisor", "supervisee", how="The relationship of the supervisor and supervisee.")
"""A relationship found by its pair: most of its events."""

DECLARED: tuple[EventType, ...] = (
    EventType(RelationshipStarted, (
        Reaches("relationship", by_id("supervisor", "supervisee", creates=True,
                                      staff=("supervisor", "supervisee"),
                                      how="A new relationship of the supervisor and supervisee."),
                starts=True),
        Reaches("supervision_file", by_rule("of_relationship"), starts=True, primary=False),
    )),
    EventType(AgreementSigned, (
        Reaches("relationship", PAIR, handler="record_signature"),
    )),
    EventType(AgreementReviewed, (
        Reaches("relationship", PAIR, handler="record_review"),
    )),
    EventType(SupervisionHeld, (
        Reaches("relationship", PAIR, handler="record_supervision"),
        Reaches("asye", by_rule("supervisee_journey"), handler="record_supervision", primary=False),
        Reaches("child_supervision", by_rule("children_of_supervisee", fans_out=True),
                handler="record_session", primary=False),
        Reaches("session", by_rule("held"), handler="record_held", starts=True, primary=False),
    )),
    EventType(SupervisorAbsenceStarted, (
        Reaches("relationship", by_rule("supervisor", fans_out=True), handler="record_absence"),
    )),
    EventType(SupervisorReturned, (
        Reaches("relationship", by_rule("supervisor", fans_out=True), handler="record_return"),
        Reaches("session", by_rule("supervisor_returned", fans_out=True),
                handler="record_return", primary=False),
    )),
    EventType(AlternativeSupervisionArranged, (
        Reaches("relationship", PAIR, handler="record_alternative"),
    )),
    EventType(RelationshipEnded, (
        Reaches("relationship", PAIR, handler="record_end"),
    )),
)
"""This lifecycle's event types, each declared once (:mod:`oversight.states.events.declaration`)."""
