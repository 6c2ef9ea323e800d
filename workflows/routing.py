"""Which entities an event concerns: the one it creates, or the ones it changes."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.store.unit_of_work import SqlUnitOfWork, StoredEntity
from states.directory import Directory
from states.errors import EventRejected, UnknownEntity
from states.events import DomainEvent
from states.machines import KINDS, AsyeJourney, ChildAndFamilyAssessment, SupervisoryRelationship
from states.machines.lifecycle import Lifecycle


@dataclass(frozen=True)
class Target:
    kind: type[Lifecycle]
    entity_id: str
    stored: StoredEntity | None
    """None when the event creates the entity."""


def subject_and_party(kind: str, data: dict) -> tuple[str, str | None]:
    """The indexed people of an entity, by which later events find it."""
    if kind == "assessment":
        return data["child"], data["worker"]
    if kind == "asye":
        return data["worker"], data["supervisor"]
    return data["supervisee"], data["supervisor"]


def _require_staff(directory: Directory, *people: str) -> None:
    for person in people:
        if directory.member(person) is None:
            raise UnknownEntity(f"no staff member '{person}': add them (scenario staff, or "
                                f"`oversight import staff`) before recording events about them")


def route(event: DomainEvent, uow: SqlUnitOfWork, directory: Directory) -> list[Target]:
    """The entities ``event`` applies to, or a clear error if there are none."""
    kind = event.type
    if kind == "assessment_started":
        _require_staff(directory, event.worker, event.manager)  # type: ignore[attr-defined]
        child = event.child  # type: ignore[attr-defined]
        earlier = uow.find("assessment", subject=child)
        if any(e.state not in ChildAndFamilyAssessment.final_states for e in earlier):
            raise EventRejected(f"assessment:{child}", earlier[-1].state, kind,
                                "this child already has an assessment in progress")
        entity_id = child if not earlier else f"{child}.{event.on.isoformat()}"
        return [Target(ChildAndFamilyAssessment, entity_id, None)]
    if kind in ("oversight_recorded", "assessment_extended", "assessment_completed"):
        child = event.child  # type: ignore[attr-defined]
        found = uow.find("assessment", subject=child)
        if not found:
            raise UnknownEntity(f"no assessment for child '{child}': record assessment_started first")
        return [Target(ChildAndFamilyAssessment, found[-1].id, found[-1])]
    if kind == "asye_enrolled":
        _require_staff(directory, event.worker, event.supervisor)  # type: ignore[attr-defined]
        return _create(uow, AsyeJourney, event.worker)  # type: ignore[attr-defined]
    if kind in ("review_held", "asye_paused", "asye_resumed", "final_assessment_recorded"):
        return [_existing(uow, AsyeJourney, event.worker)]  # type: ignore[attr-defined]
    if kind == "relationship_started":
        _require_staff(directory, event.supervisor, event.supervisee)  # type: ignore[attr-defined]
        return _create(uow, SupervisoryRelationship, SupervisoryRelationship.entity_id(
            event.supervisor, event.supervisee))  # type: ignore[attr-defined]
    if kind in ("agreement_signed", "agreement_reviewed", "relationship_ended",
                "alternative_supervision_arranged"):
        return [_existing(uow, SupervisoryRelationship, SupervisoryRelationship.entity_id(
            event.supervisor, event.supervisee))]  # type: ignore[attr-defined]
    if kind == "supervision_held":
        targets = [_existing(uow, SupervisoryRelationship, SupervisoryRelationship.entity_id(
            event.supervisor, event.supervisee))]  # type: ignore[attr-defined]
        journey = uow.get("asye", event.supervisee)  # type: ignore[attr-defined]
        if journey is not None and journey.state not in AsyeJourney.final_states \
                and journey.state != "paused":
            targets.append(Target(AsyeJourney, journey.id, journey))
        return targets
    if kind in ("supervisor_absence_started", "supervisor_returned"):
        supervisor = event.supervisor  # type: ignore[attr-defined]
        live = [e for e in uow.find("relationship", party=supervisor)
                if e.state not in SupervisoryRelationship.final_states]
        if not live:
            raise UnknownEntity(f"'{supervisor}' supervises nobody: no relationship to apply this to")
        return [Target(SupervisoryRelationship, e.id, e) for e in live]
    raise UnknownEntity(f"no route for event type '{kind}'")


def _create(uow: SqlUnitOfWork, kind: type[Lifecycle], entity_id: str) -> list[Target]:
    existing = uow.get(kind.kind, entity_id)
    if existing is not None:
        raise EventRejected(f"{kind.kind}:{entity_id}", existing.state, kind.creates_on,
                            "it already exists")
    return [Target(kind, entity_id, None)]


def _existing(uow: SqlUnitOfWork, kind: type[Lifecycle], entity_id: str) -> Target:
    stored = uow.get(kind.kind, entity_id)
    if stored is None:
        raise UnknownEntity(f"no {kind.kind} '{entity_id}' in the store")
    return Target(kind, entity_id, stored)


__all__ = ["KINDS", "Target", "route", "subject_and_party"]
