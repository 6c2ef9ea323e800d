"""Routes into a newly qualified worker's ASYE (``AsyeJourney``), found by the worker.

Finders take ``event: Any``: each is listed in :data:`ROUTES` with the event types it reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.machines import AsyeJourney
from oversight.workflows.recording.routing.finding import (
    Route,
    Target,
    create,
    existing,
    require_staff,
)

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

KIND = AsyeJourney


def _enrolled(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """A new journey for the worker (one ASYE each)."""
    require_staff(directory, event.worker, event.supervisor)
    return create(entities, KIND, event.worker)


def _journey(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The worker's journey."""
    return [existing(entities, KIND, event.worker)]


def _supervisee_journey(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The supervisee's journey if it is running (not paused or ended); none is no error."""
    journey = entities.get(KIND.kind, event.supervisee)
    if journey is None or KIND.ended(journey.state) or journey.state == "paused":
        return []
    return [Target(KIND, journey.id, journey)]


ROUTES = (
    Route("asye_enrolled", KIND, _enrolled),
    Route("review_held", KIND, _journey),
    Route("asye_paused", KIND, _journey),
    Route("asye_resumed", KIND, _journey),
    Route("final_assessment_recorded", KIND, _journey),
    Route("asye_evidence_recorded", KIND, _journey),
    Route("supervision_held", KIND, _supervisee_journey, primary=False),
)
