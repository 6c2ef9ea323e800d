"""Routes into management oversight on a child's record (``ManagementOversight``), by the child.

Finders take ``event: Any``: each is named, in :data:`RULES`, by the declarations that use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.machines import ManagementOversight
from oversight.workflows.recording.routing.finding import Finder, Target, require_staff

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

KIND = ManagementOversight


def _triggered(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The child's oversight, or a new one for its first trigger."""
    require_staff(directory, event.manager, *([event.worker] if event.worker else []))
    return [Target(KIND, event.child, entities.get(KIND.kind, event.child))]


def _recorded(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The child's oversight if it awaits this point; none is no error."""
    stored = entities.get(KIND.kind, event.child)
    if stored is None or not KIND.awaits(stored.data, event.point):
        return []
    return [Target(KIND, stored.id, stored)]


RULES: dict[str, Finder] = {
    "triggered": _triggered,
    "recorded": _recorded,
}
"""The finders this lifecycle's declarations name by rule (``by_rule``), by name."""
