"""Domain events: facts, in the past tense, each with the date it happened.

An event's ``type`` is the snake_case of its class name (``AssessmentExtended`` →
``assessment_extended``); scenarios, the CLI and the API use that vocabulary. Events carry
identifiers only, never names or narrative.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from oversight.states.errors import EventInvalid

Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class DomainEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    on: date
    """The day it happened (Europe/London)."""
    event_id: str | None = Field(default=None, max_length=128)
    """Set by the sender so a repeat delivery is applied once."""
    actor: Identifier | None = None
    """Who recorded it, if known."""


class AssessmentStarted(DomainEvent):
    type: Literal["assessment_started"] = "assessment_started"
    child: Identifier
    worker: Identifier
    manager: Identifier


class OversightRecorded(DomainEvent):
    type: Literal["oversight_recorded"] = "oversight_recorded"
    child: Identifier
    point: Identifier


class AssessmentExtended(DomainEvent):
    type: Literal["assessment_extended"] = "assessment_extended"
    child: Identifier


class AssessmentCompleted(DomainEvent):
    type: Literal["assessment_completed"] = "assessment_completed"
    child: Identifier


class AsyeEnrolled(DomainEvent):
    type: Literal["asye_enrolled"] = "asye_enrolled"
    worker: Identifier
    supervisor: Identifier


class ReviewHeld(DomainEvent):
    type: Literal["review_held"] = "review_held"
    worker: Identifier
    review: Identifier


class AsyePaused(DomainEvent):
    type: Literal["asye_paused"] = "asye_paused"
    worker: Identifier


class AsyeResumed(DomainEvent):
    type: Literal["asye_resumed"] = "asye_resumed"
    worker: Identifier


class FinalAssessmentRecorded(DomainEvent):
    type: Literal["final_assessment_recorded"] = "final_assessment_recorded"
    worker: Identifier
    outcome: Literal["passed", "failed", "extended"]
    extended_to: date | None = None
    """For ``extended``: the new date of the final assessment."""


class RelationshipStarted(DomainEvent):
    type: Literal["relationship_started"] = "relationship_started"
    supervisor: Identifier
    supervisee: Identifier


class AgreementSigned(DomainEvent):
    type: Literal["agreement_signed"] = "agreement_signed"
    supervisor: Identifier
    supervisee: Identifier


class AgreementReviewed(DomainEvent):
    type: Literal["agreement_reviewed"] = "agreement_reviewed"
    supervisor: Identifier
    supervisee: Identifier


class SupervisionHeld(DomainEvent):
    type: Literal["supervision_held"] = "supervision_held"
    supervisor: Identifier
    supervisee: Identifier
    minutes: int | None = Field(default=None, gt=0, le=600)
    session: Identifier | None = None
    """The planned session this was, if it was planned (``session_planned``)."""
    children_discussed: list[Identifier] | None = None
    """The children discussed, for the policies that say which must be (sunderland §6, systemic §6)."""


class SupervisorAbsenceStarted(DomainEvent):
    type: Literal["supervisor_absence_started"] = "supervisor_absence_started"
    supervisor: Identifier
    planned: bool = False


class SupervisorReturned(DomainEvent):
    type: Literal["supervisor_returned"] = "supervisor_returned"
    supervisor: Identifier


class AlternativeSupervisionArranged(DomainEvent):
    type: Literal["alternative_supervision_arranged"] = "alternative_supervision_arranged"
    supervisor: Identifier
    """The absent supervisor."""
    supervisee: Identifier
    arranged_with: Identifier | None = None


class RelationshipEnded(DomainEvent):
    type: Literal["relationship_ended"] = "relationship_ended"
    supervisor: Identifier
    supervisee: Identifier
    reason: Literal["moved", "left", "other"] = "other"


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event class by its ``type``, including those other modules of ``states`` define."""
    found: dict[str, type[DomainEvent]] = {}
    pending = list(DomainEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        found[cls.model_fields["type"].default] = cls
    return found


EVENT_TYPES: dict[str, type[DomainEvent]] = event_types()
"""The events of this module; :func:`event_types` also finds those defined elsewhere."""


def snake_case(class_name: str) -> str:
    """``SupervisorAbsenceStarted`` → ``supervisor_absence_started``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def parse_event(data: dict[str, Any]) -> DomainEvent:
    """One event from a mapping (scenario line, CLI flags, API body); one clear error if bad."""
    known = event_types()
    kind = data.get("type")
    if kind not in known:
        raise EventInvalid(f"unknown event type {kind!r}; known types: {', '.join(sorted(known))}")
    try:
        return known[kind].model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "event"
        reason = "required field is missing" if first["type"] == "missing" else first["msg"]
        if first["type"] == "extra_forbidden":
            reason = "unknown field"
        raise EventInvalid(f"{kind}: {field}: {reason}") from None
