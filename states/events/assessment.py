"""Events of a child and family assessment (``ChildAndFamilyAssessment``); ``oversight_recorded``
also reaches a child's management oversight when it awaits that point.
"""

from __future__ import annotations

from typing import Literal

from oversight.states.events.base import DomainEvent, Identifier


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


EVENTS: tuple[type[DomainEvent], ...] = (
    AssessmentStarted,
    OversightRecorded,
    AssessmentExtended,
    AssessmentCompleted,
)
"""This lifecycle's events, listed for the registry (:mod:`oversight.states.events.registry`)."""
