"""Routes into a child and family assessment (``ChildAndFamilyAssessment``), found by the child.

Finders take ``event: Any``: each is named, in :data:`RULES`, by the declarations that use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.errors import EventRejected, UnknownEntity
from oversight.states.machines import ChildAndFamilyAssessment, ManagementOversight
from oversight.states.machines.lifecycle import RETRACTED
from oversight.workflows.recording.routing.finding import Finder, Target, require_staff

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

KIND = ChildAndFamilyAssessment


def _new_assessment(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """A new assessment of the child, if none is in progress (a later one is dated in its id)."""
    require_staff(directory, event.worker, event.manager)
    earlier = entities.find(KIND.kind, subject=event.child)
    if any(not KIND.ended(e.state) for e in earlier):
        raise EventRejected(f"{KIND.kind}:{earlier[-1].id}", earlier[-1].state, event.type,
                            "this child already has an assessment in progress")
    if earlier and earlier[-1].state == RETRACTED:  # it never was: started again under its id
        return [Target(KIND, earlier[-1].id, earlier[-1])]
    entity_id = event.child if not earlier else f"{event.child}.{event.on.isoformat()}"
    return [Target(KIND, entity_id, None)]


def _latest_assessment(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The child's latest assessment."""
    found = entities.find(KIND.kind, subject=event.child)
    if not found:
        raise UnknownEntity(f"no assessment for child '{event.child}': "
                            f"record assessment_started first")
    return [Target(KIND, found[-1].id, found[-1])]


def _assessment_oversight(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The child's latest assessment, unless only the child's management oversight awaits the
    point."""
    awaited = entities.get(ManagementOversight.kind, event.child)
    if awaited is not None and ManagementOversight.awaits(awaited.data, event.point):
        found = entities.find(KIND.kind, subject=event.child)
        if not found or f"mo:{event.point}" not in found[-1].data["tasks"]:
            return []  # an oversight trigger's point: its management oversight takes it
    return _latest_assessment(event, entities, directory)


RULES: dict[str, Finder] = {
    "new_assessment": _new_assessment,
    "assessment_oversight": _assessment_oversight,
    "latest_assessment": _latest_assessment,
}
"""The finders this lifecycle's declarations name by rule (``by_rule``), by name."""
