"""Routes into a supervisee's supervision file (``SupervisionFile``), found by the supervisee.

``relationship_started`` opens the supervisee's first file; ``staff_left`` starts its retention.
Finders take ``event: Any``: each is named, in :data:`RULES`, by the declarations that use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.machines import SupervisionFile
from oversight.states.machines.lifecycle import RETRACTED
from oversight.workflows.recording.routing.finding import (
    Finder,
    Target,
    require_staff,
)

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

KIND = SupervisionFile



def _of_relationship(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """A new file for the supervisee's first relationship; later ones find it already kept."""
    stored = entities.get(KIND.kind, event.supervisee)
    if stored is not None and stored.state == RETRACTED:  # it never was: opened again
        return [Target(KIND, event.supervisee, stored)]
    if stored is not None:
        return []
    return [Target(KIND, event.supervisee, None)]


def _file_or_new(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The person's file, or one opened now for a supervisee the store holds no file for."""
    require_staff(directory, event.person)
    if getattr(event, "new_supervisor", None):
        require_staff(directory, event.new_supervisor)
    return [Target(KIND, event.person, entities.get(KIND.kind, event.person))]



RULES: dict[str, Finder] = {
    "file_or_new": _file_or_new,
    "of_relationship": _of_relationship,
}
"""The finders this lifecycle's declarations name by rule (``by_rule``), by name."""
