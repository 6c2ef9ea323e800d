"""Routes into a team activity (``TeamCadence``), found by activity and owner.

Finders take ``event: Any``: each is named, in :data:`RULES`, by the declarations that use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.machines import TeamCadence
from oversight.workflows.recording.routing.finding import Finder, Target, require_staff

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

KIND = TeamCadence



def _held(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The owner's activity, or a new one when this is the first the store hears of it."""
    entity_id = KIND.entity_id(event.activity, event.owner)
    stored = entities.get(KIND.kind, entity_id)
    if stored is None and event.lead is not None:
        require_staff(directory, event.lead)
    return [Target(KIND, entity_id, stored)]


RULES: dict[str, Finder] = {
    "held": _held,
}
"""The finders this lifecycle's declarations name by rule (``by_rule``), by name."""
