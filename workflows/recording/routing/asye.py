"""Routes into a newly qualified worker's ASYE (``AsyeJourney``), found by the worker.

Finders take ``event: Any``: each is named, in :data:`RULES`, by the declarations that use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.machines import AsyeJourney
from oversight.workflows.recording.routing.finding import (
    Finder,
    Target,
)

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

KIND = AsyeJourney




def _supervisee_journey(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The supervisee's journey if it is running (not paused or ended); none is no error."""
    journey = entities.get(KIND.kind, event.supervisee)
    if journey is None or KIND.ended(journey.state) or journey.state == "paused":
        return []
    return [Target(KIND, journey.id, journey)]


RULES: dict[str, Finder] = {
    "supervisee_journey": _supervisee_journey,
}
"""The finders this lifecycle's declarations name by rule (``by_rule``), by name."""
