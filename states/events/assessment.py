"""Events of a child and family assessment (``ChildAndFamilyAssessment``); ``oversight_recorded``
also reaches a child's management oversight when it awaits that point.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import model_validator

from oversight.states.events.base import DomainEvent, Identifier, dates_out_of_order
from oversight.states.events.declaration import EventType, Reaches, by_rule


class AssessmentStarted(DomainEvent):
    """A child and family assessment of the child begins, allocated to a worker."""

    type: Literal["assessment_started"] = "assessment_started"
    child: Identifier
    worker: Identifier
    manager: Identifier
    referred_on: date | None = None
    """The day the referral that led to it was received, when known (the SSD's
    ``cine_referral_date``): Working Together counts its 45 working days from it, and a
    deadline whose rule says ``counts_from: referral`` is counted from it."""

    @model_validator(mode="after")
    def _referred_before_started(self) -> AssessmentStarted:
        if self.referred_on is not None and self.referred_on > self.on:
            raise dates_out_of_order(
                f"'referred_on' ({self.referred_on.isoformat()}) is after the assessment "
                f"started ({self.on.isoformat()}): a referral comes first, so it is never in "
                f"the future either")
        return self


class OversightRecorded(DomainEvent):
    """A manager's oversight is on the child's record, at one of the policy's points
    (``allocation``, ``day10`` … or a trigger's)."""

    type: Literal["oversight_recorded"] = "oversight_recorded"
    child: Identifier
    point: Identifier


class AssessmentExtended(DomainEvent):
    """The assessment's timescale is extended, as the policy allows."""

    type: Literal["assessment_extended"] = "assessment_extended"
    child: Identifier


class AssessmentCompleted(DomainEvent):
    """The assessment is completed and authorised."""

    type: Literal["assessment_completed"] = "assessment_completed"
    child: Identifier


DECLARED: tuple[EventType, ...] = (
    EventType(AssessmentStarted, (
        Reaches("assessment", by_rule("new_assessment"), starts=True),
    )),
    EventType(OversightRecorded, (
        Reaches("assessment", by_rule("assessment_oversight"), handler="record_oversight"),
        Reaches("oversight", by_rule("recorded"), handler="record_oversight", primary=False),
    )),
    EventType(AssessmentExtended, (
        Reaches("assessment", by_rule("latest_assessment"), handler="record_extension"),
    )),
    EventType(AssessmentCompleted, (
        Reaches("assessment", by_rule("latest_assessment"), handler="record_completion"),
    )),
)
"""This lifecycle's event types, each declared once (:mod:`oversight.states.events.declaration`)."""
