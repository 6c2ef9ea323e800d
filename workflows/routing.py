"""Which entities an event concerns: the one it creates, or the ones it changes.

Each event type has one route. Routes for the core lifecycles are here; modules for other
lifecycles add theirs with :func:`register` (see the imports at the end).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from oversight.adapters.store.unit_of_work import SqlUnitOfWork, StoredEntity
from oversight.states.directory import Directory
from oversight.states.errors import EventRejected, UnknownEntity
from oversight.states.events.registry import DomainEvent
from oversight.states.machines import (
    KINDS,
    AsyeJourney,
    ChildAndFamilyAssessment,
    ManagementOversight,
    SupervisoryRelationship,
)
from oversight.states.machines.lifecycle import Lifecycle


@dataclass(frozen=True)
class Target:
    kind: type[Lifecycle]
    entity_id: str
    stored: StoredEntity | None
    """None when the event creates the entity."""


Route = Callable[[DomainEvent, SqlUnitOfWork, Directory], list[Target]]
ROUTES: dict[str, Route] = {}
ALSO: dict[str, list[Route]] = {}


def register(routes: dict[str, Route]) -> None:
    """The primary route of each event type: it finds the entities or raises a clear error."""
    clash = set(routes) & set(ROUTES)
    if clash:
        raise RuntimeError(f"event types routed twice: {sorted(clash)}")
    ROUTES.update(routes)


def register_also(event_type: str, extra: Route) -> None:
    """A further route for an event another lifecycle also cares about; it may find nothing."""
    ALSO.setdefault(event_type, []).append(extra)


def route(event: DomainEvent, uow: SqlUnitOfWork, directory: Directory) -> list[Target]:
    """The entities ``event`` applies to, or a clear error if there are none."""
    found = ROUTES.get(event.type)
    if found is None:
        raise UnknownEntity(f"no route for event type '{event.type}'")
    targets = found(event, uow, directory)
    for extra in ALSO.get(event.type, []):
        targets.extend(extra(event, uow, directory))
    return targets


def subject_and_party(kind: str, data: dict) -> tuple[str, str | None]:
    """The indexed people of an entity, by which later events find it."""
    return KINDS[kind].people(data)


def require_staff(directory: Directory, *people: str) -> None:
    for person in people:
        if directory.member(person) is None:
            raise UnknownEntity(f"no staff member '{person}': add them (scenario staff, or "
                                f"`oversight import staff`) before recording events about them")


def create(uow: SqlUnitOfWork, kind: type[Lifecycle], entity_id: str) -> list[Target]:
    existing = uow.get(kind.kind, entity_id)
    if existing is not None:
        raise EventRejected(f"{kind.kind}:{entity_id}", existing.state, kind.creates_on,
                            "it already exists")
    return [Target(kind, entity_id, None)]


def existing(uow: SqlUnitOfWork, kind: type[Lifecycle], entity_id: str) -> Target:
    stored = uow.get(kind.kind, entity_id)
    if stored is None:
        raise UnknownEntity(f"no {kind.kind} '{entity_id}' in the store")
    return Target(kind, entity_id, stored)


# ----- the core lifecycles ---------------------------------------------------------------------

def _assessment_started(event, uow, directory):  # type: ignore[no-untyped-def]
    require_staff(directory, event.worker, event.manager)
    earlier = uow.find("assessment", subject=event.child)
    if any(e.state not in ChildAndFamilyAssessment.final_states for e in earlier):
        raise EventRejected(f"assessment:{earlier[-1].id}", earlier[-1].state, event.type,
                            "this child already has an assessment in progress")
    entity_id = event.child if not earlier else f"{event.child}.{event.on.isoformat()}"
    return [Target(ChildAndFamilyAssessment, entity_id, None)]


def _latest_assessment(event, uow, directory):  # type: ignore[no-untyped-def]
    found = uow.find("assessment", subject=event.child)
    if not found:
        raise UnknownEntity(f"no assessment for child '{event.child}': "
                            f"record assessment_started first")
    return [Target(ChildAndFamilyAssessment, found[-1].id, found[-1])]


def _oversight_recorded(event, uow, directory):  # type: ignore[no-untyped-def]
    """The child's assessment, unless only the child's management oversight awaits the point."""
    awaited = uow.get("oversight", event.child)
    if awaited is not None and ManagementOversight.awaits(awaited.data, event.point):
        found = uow.find("assessment", subject=event.child)
        if not found or f"mo:{event.point}" not in found[-1].data["tasks"]:
            return []  # an oversight trigger's point: the extra route takes it there
    return _latest_assessment(event, uow, directory)


def _asye_enrolled(event, uow, directory):  # type: ignore[no-untyped-def]
    require_staff(directory, event.worker, event.supervisor)
    return create(uow, AsyeJourney, event.worker)


def _asye(event, uow, directory):  # type: ignore[no-untyped-def]
    return [existing(uow, AsyeJourney, event.worker)]


def _pair_id(event) -> str:  # type: ignore[no-untyped-def]
    return SupervisoryRelationship.entity_id(event.supervisor, event.supervisee)


def _relationship_started(event, uow, directory):  # type: ignore[no-untyped-def]
    require_staff(directory, event.supervisor, event.supervisee)
    return create(uow, SupervisoryRelationship, _pair_id(event))


def _relationship(event, uow, directory):  # type: ignore[no-untyped-def]
    return [existing(uow, SupervisoryRelationship, _pair_id(event))]


def _supervision_held(event, uow, directory):  # type: ignore[no-untyped-def]
    targets = _relationship(event, uow, directory)
    journey = uow.get("asye", event.supervisee)
    if journey is not None and journey.state not in AsyeJourney.final_states \
            and journey.state != "paused":
        targets.append(Target(AsyeJourney, journey.id, journey))
    return targets


def _supervisor(event, uow, directory):  # type: ignore[no-untyped-def]
    live = [e for e in uow.find("relationship", party=event.supervisor)
            if e.state not in SupervisoryRelationship.final_states]
    if not live:
        raise UnknownEntity(f"'{event.supervisor}' supervises nobody: "
                            f"no relationship to apply this to")
    return [Target(SupervisoryRelationship, e.id, e) for e in live]


register({
    "assessment_started": _assessment_started,
    "oversight_recorded": _oversight_recorded,
    "assessment_extended": _latest_assessment,
    "assessment_completed": _latest_assessment,
    "asye_enrolled": _asye_enrolled,
    "review_held": _asye,
    "asye_paused": _asye,
    "asye_resumed": _asye,
    "final_assessment_recorded": _asye,
    "asye_evidence_recorded": _asye,
    "relationship_started": _relationship_started,
    "agreement_signed": _relationship,
    "agreement_reviewed": _relationship,
    "relationship_ended": _relationship,
    "alternative_supervision_arranged": _relationship,
    "supervision_held": _supervision_held,
    "supervisor_absence_started": _supervisor,
    "supervisor_returned": _supervisor,
})

def _supervisee_relationships(event, uow, directory):  # type: ignore[no-untyped-def]
    """The relationships of an ASYE's worker, whose cadence changes when the ASYE passes."""
    return [Target(SupervisoryRelationship, e.id, e)
            for e in uow.find("relationship", subject=event.worker)
            if e.state not in SupervisoryRelationship.final_states]


register_also("final_assessment_recorded", _supervisee_relationships)

__all__ = ["KINDS", "ROUTES", "Target", "create", "existing", "register", "register_also",
           "require_staff", "route", "subject_and_party"]

# Lifecycles beyond the core register their routes when imported (one line each):

import oversight.workflows.routing_children  # noqa: E402,F401 - child-specific supervision (ChildSupervision)
import oversight.workflows.routing_practice  # noqa: E402,F401 - sessions, oversight, team activities, files
