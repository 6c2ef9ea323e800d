"""What a route is, and the ways routes find an entity: by id, by its people, or a new one.

A route says that an event type reaches one lifecycle and how the entity is found there. The
event's *primary* route is the one that must find something (or raise a clear error); the other
routes of the type add the entities of lifecycles that also care about it and may find nothing.
Routes read the store through the :class:`~oversight.workflows.ports.store.Entities` port only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from oversight.states.directory import Directory
from oversight.states.errors import EventRejected, UnknownEntity
from oversight.states.events import DomainEvent
from oversight.states.machines.lifecycle import RETRACTED, Lifecycle

if TYPE_CHECKING:  # the port is for type checks; routes are handed the store's repository
    from oversight.workflows.ports.store import Entities, StoredEntity


@dataclass(frozen=True)
class Target:
    """One entity an event applies to."""

    kind: type[Lifecycle]
    entity_id: str
    stored: StoredEntity | None
    """None when the event creates the entity."""


Finder = Callable[[DomainEvent, "Entities", Directory], list[Target]]
"""Finds the entities of one lifecycle an event applies to; its docstring says how."""


@dataclass(frozen=True)
class Route:
    """An event type reaches a lifecycle; ``find`` says which entity of it (derived from the
    type's declaration by :mod:`~oversight.workflows.recording.routing.declared`)."""

    event_type: str
    lifecycle: type[Lifecycle]
    find: Finder
    primary: bool = True
    """The event's own lifecycle: it must find an entity or raise. Other routes may find none."""
    how: str = ""
    """How the entity is found, on one line: what ``oversight events`` shows."""
    fans_out: bool = False
    """It may find several entities (each live relationship of a supervisor); else one at most."""


STAFF_FIELDS = ("worker", "manager", "supervisor", "supervisee", "person", "new_supervisor",
                "lead", "owner", "arranged_with")
"""The event fields that name a member of staff: what routes and machines ask the directory."""


def people_named(event: DomainEvent) -> list[str]:
    """The members of staff ``event`` names, to read with a group's others at once (anyone a
    step asks about besides is read when asked)."""
    return [value for name in STAFF_FIELDS
            if isinstance(value := getattr(event, name, None), str)]


def require_staff(directory: Directory, *people: str) -> None:
    for person in people:
        if directory.member(person) is None:
            raise UnknownEntity(f"no staff member '{person}': add them (scenario staff, or "
                                f"`oversight import staff`) before recording events about them")


def create(entities: Entities, kind: type[Lifecycle], entity_id: str) -> list[Target]:
    """A new entity with this id, or a refusal if it already exists (one whose creating record
    was retracted never existed: it is started again, re-derived from its log)."""
    existing = entities.get(kind.kind, entity_id)
    if existing is not None and existing.state == RETRACTED:
        return [Target(kind, entity_id, existing)]
    if existing is not None:
        raise EventRejected(f"{kind.kind}:{entity_id}", existing.state, kind.creates_on,
                            "it already exists")
    return [Target(kind, entity_id, None)]


def existing(entities: Entities, kind: type[Lifecycle], entity_id: str) -> Target:
    """The stored entity with this id, or a clear error if there is none."""
    stored = entities.get(kind.kind, entity_id)
    if stored is None:
        raise UnknownEntity(f"no {kind.kind} '{entity_id}' in the store")
    return Target(kind, entity_id, stored)


def live(entities: Entities, kind: type[Lifecycle], **people: str) -> list[StoredEntity]:
    """The entities of ``kind`` found by their people that have not reached a final state."""
    return [e for e in entities.find(kind.kind, **people) if not kind.ended(e.state)]


__all__ = ["STAFF_FIELDS", "Finder", "Route", "Target", "create", "existing", "live",
           "people_named", "require_staff"]
