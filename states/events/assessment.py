"""Events of a child and family assessment (``ChildAndFamilyAssessment``); ``oversight_recorded``
also reaches a child's management oversight when it awaits that point.
"""

from __future__ import annotations

from typing import Literal

from oversight.states.events.base import DomainEvent, Identifier


class AssessmentStarted(DomainEvent):
    """A child and family assessment of the child begins, allocated to a worker."""

    type: Literal["assessment_started"] = "assessment_started"
    child: Identifier
    worker: Identifier
    manager: Identifier


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


EVENTS: tuple[type[DomainEvent], ...] = (
    AssessmentStarted,
    OversightRecorded,
    AssessmentExtended,
    AssessmentCompleted,
)
"""This lifecycle's events, listed for the registry (:mod:`oversight.states.events.registry`)."""
