"""Events of a supervisory relationship (``SupervisoryRelationship``): its agreement, sessions held
and the supervisor's absences. ``supervision_held`` also reaches the session it was, the
supervisee's ASYE and the children it discussed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from oversight.states.events.base import DomainEvent, Flag, Identifier


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


EVENTS: tuple[type[DomainEvent], ...] = (
    RelationshipStarted,
    AgreementSigned,
    AgreementReviewed,
    SupervisionHeld,
    SupervisorAbsenceStarted,
    SupervisorReturned,
    AlternativeSupervisionArranged,
    RelationshipEnded,
)
"""This lifecycle's events, listed for the registry (:mod:`oversight.states.events.registry`)."""
