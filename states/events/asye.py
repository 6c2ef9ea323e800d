"""Events of a newly qualified worker's ASYE (``AsyeJourney``), incl. its portfolio evidence.

One event, ``asye_evidence_recorded``, says which kind of evidence went into the portfolio
(:mod:`oversight.states.views.portfolio` counts them against the policy).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, model_validator

from oversight.states.events.base import DomainEvent, Identifier
from oversight.states.events.declaration import EventType, Reaches, by_id, by_rule

EvidenceKind = Literal["direct_observation", "service_user_feedback", "professional_feedback",
                       "critical_reflection"]


class AsyeEnrolled(DomainEvent):
    """A newly qualified worker starts the Assessed and Supported Year in Employment."""

    type: Literal["asye_enrolled"] = "asye_enrolled"
    worker: Identifier
    supervisor: Identifier


class ReviewHeld(DomainEvent):
    """One of the policy's ASYE reviews (``three_month``, ``six_month`` …) took place."""

    type: Literal["review_held"] = "review_held"
    worker: Identifier
    review: Identifier


class AsyePaused(DomainEvent):
    """The ASYE stops for a while (leave, sickness): its dates move on by the pause."""

    type: Literal["asye_paused"] = "asye_paused"
    worker: Identifier


class AsyeResumed(DomainEvent):
    """The ASYE goes on after a pause."""

    type: Literal["asye_resumed"] = "asye_resumed"
    worker: Identifier


class FinalAssessmentRecorded(DomainEvent):
    """The final assessment's outcome; a pass is refused while the portfolio is short."""

    type: Literal["final_assessment_recorded"] = "final_assessment_recorded"
    worker: Identifier
    outcome: Literal["passed", "failed", "extended"]
    extended_to: date | None = None
    """For ``extended``: the new date of the final assessment."""


class AsyeEvidenceRecorded(DomainEvent):
    """A piece of the newly qualified worker's portfolio evidence was completed."""

    type: Literal["asye_evidence_recorded"] = "asye_evidence_recorded"
    worker: Identifier
    kind: EvidenceKind
    at: Identifier | None = None
    """For a critical reflection: its point, e.g. ``six_month`` or ``twelve_month``."""

    # Said in the OpenAPI document too (issue 20): ``at`` with a critical reflection only.
    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": ["kind", "at"], "properties": {"kind": {"const": "critical_reflection"},
                                                   "at": {"type": "string"}}},
        {"properties": {"kind": {"not": {"const": "critical_reflection"}},
                        "at": {"type": "null"}}}]})

    @model_validator(mode="after")
    def _reflection_has_its_point(self) -> AsyeEvidenceRecorded:
        if (self.kind == "critical_reflection") != (self.at is not None):
            raise ValueError("'at' names the point of a critical_reflection (six_month, "
                             "twelve_month) and is given for no other kind")
        return self


DECLARED: tuple[EventType, ...] = (
    EventType(AsyeEnrolled, (
        Reaches("asye", by_id("worker", creates=True, staff=("worker", "supervisor"),
                how='A new journey for the worker (one ASYE each).'), starts=True),
    )),
    EventType(ReviewHeld, (
        Reaches("asye", by_id("worker", how="The worker's journey."), handler="record_review"),
    )),
    EventType(AsyePaused, (
        Reaches("asye", by_id("worker", how="The worker's journey."), handler="record_pause"),
    )),
    EventType(AsyeResumed, (
        Reaches("asye", by_id("worker", how="The worker's journey."), handler="record_resume"),
    )),
    EventType(FinalAssessmentRecorded, (
        Reaches("asye", by_id("worker", how="The worker's journey."), handler="record_final"),
        Reaches("relationship", by_rule("supervisee", fans_out=True),
                handler="record_asye_outcome", primary=False),
    )),
    EventType(AsyeEvidenceRecorded, (
        Reaches("asye", by_id("worker", how="The worker's journey."), handler="record_evidence"),
    )),
)
"""This lifecycle's event types, each declared once (:mod:`oversight.states.events.declaration`)."""
