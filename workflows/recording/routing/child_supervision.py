"""Routes into child-specific supervision (``ChildSupervision``): one entity per allocated child.

A child is found by its ``subject`` (the child) and a worker's children by their ``party`` (the
allocated worker). A personal supervision session (``supervision_held``) also goes to each live
child of the supervisee, so that the children it discussed — and those it missed — are known.
Finders take ``event: Any``: each is named, in :data:`RULES`, by the declarations that use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.errors import EventRejected, UnknownEntity
from oversight.states.machines import ChildSupervision
from oversight.states.machines.lifecycle import RETRACTED
from oversight.workflows.recording.routing.finding import Finder, Target, live, require_staff

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

KIND = ChildSupervision


def _allocated(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """A new entity for the child, unless it is already allocated (a later one is dated)."""
    require_staff(directory, event.worker, event.manager)
    earlier = entities.find(KIND.kind, subject=event.child)
    still = [e for e in earlier if not KIND.ended(e.state)]
    if still:
        raise EventRejected(f"{KIND.kind}:{still[-1].id}", still[-1].state, event.type,
                            "this child is already allocated: record child_reallocated to move it")
    # A child allocated again after closure starts a new entity; the old one keeps its history.
    if earlier and earlier[-1].state == RETRACTED:  # it never was: started again under its id
        return [Target(KIND, earlier[-1].id, earlier[-1])]
    entity_id = event.child if not earlier else f"{event.child}.{event.on.isoformat()}"
    if entities.get(KIND.kind, entity_id) is not None:
        raise EventRejected(f"{KIND.kind}:{entity_id}", "closed", event.type, "it already exists")
    return [Target(KIND, entity_id, None)]


def _allocated_child(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The child's live entity."""
    found = live(entities, KIND, subject=event.child)
    if not found:
        raise UnknownEntity(f"no allocated child '{event.child}': record child_allocated first")
    return [Target(KIND, found[-1].id, found[-1])]


def _reallocated(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The child's live entity; the new worker (and manager) must be staff."""
    require_staff(directory, event.worker, *([event.manager] if event.manager else []))
    return _allocated_child(event, entities, directory)


def _child_record(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The child's live entity, or the latest closed one: what was discussed still reaches the
    record."""
    found = live(entities, KIND, subject=event.child) or entities.find(KIND.kind,
                                                                        subject=event.child)
    if not found:
        raise UnknownEntity(f"no allocated child '{event.child}': record child_allocated first")
    return [Target(KIND, found[-1].id, found[-1])]


def _children_of_supervisee(event: Any, entities: Entities,
                            directory: Directory) -> list[Target]:
    """Each live child of the supervisee allocated by the session's day, if the session lists the
    children discussed; none is no error."""
    if event.children_discussed is None:
        return []  # a session that does not say which children it discussed checks nothing
    return [Target(KIND, e.id, e) for e in live(entities, KIND, party=event.supervisee)
            if e.started_on <= event.on]


RULES: dict[str, Finder] = {
    "allocated": _allocated,
    "allocated_child": _allocated_child,
    "reallocated": _reallocated,
    "child_record": _child_record,
    "children_of_supervisee": _children_of_supervisee,
}
"""The finders this lifecycle's declarations name by rule (``by_rule``), by name."""
