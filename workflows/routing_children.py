"""Routes of child-specific supervision (``ChildSupervision``): one entity per allocated child.

A child is found by its ``subject`` (the child) and a worker's children by their ``party`` (the
allocated worker). A personal supervision session (``supervision_held``) also goes to each live
child of the supervisee, so that the children it discussed — and those it missed — are known.
"""

from __future__ import annotations

from oversight.adapters.store.unit_of_work import SqlUnitOfWork, StoredEntity
from oversight.states.events import child_supervision as child_events  # noqa: F401 - defines the event types parse_event finds
from oversight.states.directory import Directory
from oversight.states.errors import EventRejected, UnknownEntity
from oversight.states.events.registry import DomainEvent, SupervisionHeld
from oversight.states.machines import ChildSupervision
from oversight.workflows.routing import Target, register, register_also, require_staff

KIND = ChildSupervision.kind


def _live(uow: SqlUnitOfWork, **people: str) -> list[StoredEntity]:
    return [e for e in uow.find(KIND, **people) if e.state not in ChildSupervision.final_states]


def _child_allocated(event, uow, directory):  # type: ignore[no-untyped-def]
    require_staff(directory, event.worker, event.manager)
    earlier = uow.find(KIND, subject=event.child)
    live = [e for e in earlier if e.state not in ChildSupervision.final_states]
    if live:
        raise EventRejected(f"{KIND}:{live[-1].id}", live[-1].state, event.type,
                            "this child is already allocated: record child_reallocated to move it")
    # A child allocated again after closure starts a new entity; the old one keeps its history.
    entity_id = event.child if not earlier else f"{event.child}.{event.on.isoformat()}"
    if uow.get(KIND, entity_id) is not None:
        raise EventRejected(f"{KIND}:{entity_id}", "closed", event.type, "it already exists")
    return [Target(ChildSupervision, entity_id, None)]


def _allocated_child(event, uow, directory):  # type: ignore[no-untyped-def]
    live = _live(uow, subject=event.child)
    if not live:
        raise UnknownEntity(f"no allocated child '{event.child}': record child_allocated first")
    return [Target(ChildSupervision, live[-1].id, live[-1])]


def _child_reallocated(event, uow, directory):  # type: ignore[no-untyped-def]
    require_staff(directory, event.worker, *([event.manager] if event.manager else []))
    return _allocated_child(event, uow, directory)


def _child_record(event, uow, directory):  # type: ignore[no-untyped-def]
    """The live entity, or the latest closed one: what was discussed still reaches the record."""
    found = _live(uow, subject=event.child) or uow.find(KIND, subject=event.child)
    if not found:
        raise UnknownEntity(f"no allocated child '{event.child}': record child_allocated first")
    return [Target(ChildSupervision, found[-1].id, found[-1])]


def _children_of_supervisee(event: DomainEvent, uow: SqlUnitOfWork,
                            directory: Directory) -> list[Target]:
    """Each live child of the supervisee allocated by the session's day; none is no error."""
    assert isinstance(event, SupervisionHeld)
    if event.children_discussed is None:
        return []  # a session that does not say which children it discussed checks nothing
    return [Target(ChildSupervision, e.id, e) for e in _live(uow, party=event.supervisee)
            if e.started_on <= event.on]


register({
    "child_allocated": _child_allocated,
    "case_details_changed": _allocated_child,
    "child_reallocated": _child_reallocated,
    "allocation_discussed": _allocated_child,
    "child_supervision_held": _allocated_child,
    "case_closed": _allocated_child,
    "manager_case_note_recorded": _child_record,
    "child_supervision_recorded": _child_record,
})
register_also("supervision_held", _children_of_supervisee)
