"""The route table, derived from the event types' declarations, and :func:`route`.

Each event type's declaration (``DECLARED`` in its lifecycle's module of ``states/events``) lists
the lifecycles it reaches, its own first, which is the order their steps are applied and audited;
:mod:`~oversight.workflows.recording.routing.declared` makes each a route. Nothing registers
itself on import. A :class:`Router` over other declarations (a lifecycle extended in a test)
routes the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.errors import UnknownEntity
from oversight.states.events import DomainEvent
from oversight.states.events.declaration import Declarations
from oversight.states.events.registry import DECLARATIONS
from oversight.states.machines import KINDS
from oversight.states.machines.lifecycle import Lifecycle
from oversight.workflows.recording.routing.declared import routes_from
from oversight.workflows.recording.routing.finding import Route, Target

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities, StoredEntity


class ReadOnce:
    """The store's entities as one event's routes see them: each ``get`` and ``find`` asked
    once. The routes of an event read before any of its steps writes, and several ask the same
    thing (an ``oversight_recorded``: the child's oversight and assessments, by both routes);
    the rows are never changed in place (a machine steps on its own copy), so sharing is safe."""

    def __init__(self, entities: Entities):
        self._entities = entities
        self._got: dict[tuple[str, str], StoredEntity | None] = {}
        self._found: dict[tuple[str, str | None, str | None], list[StoredEntity]] = {}

    def get(self, kind: str, entity_id: str) -> StoredEntity | None:
        key = (kind, entity_id)
        if key not in self._got:
            self._got[key] = self._entities.get(kind, entity_id)
        return self._got[key]

    def find(self, kind: str, *, subject: str | None = None,
             party: str | None = None) -> list[StoredEntity]:
        key = (kind, subject, party)
        if key not in self._found:
            found = self._entities.find(kind, subject=subject, party=party)
            self._found[key] = found
            for entity in found:  # the same row a get would read
                self._got.setdefault((entity.kind, entity.id), entity)
        return list(self._found[key])

    def get_many(self, keys: Sequence[tuple[str, str]]
                 ) -> dict[tuple[str, str], StoredEntity]:
        return self._entities.get_many(keys)

    def counts(self) -> list[tuple[str, str, int]]:
        return self._entities.counts()

    def listing(self, kinds: Sequence[str], *, subjects: Iterable[str] | None = None,
                party: str | None = None, person: str | None = None) -> list[StoredEntity]:
        return self._entities.listing(kinds, subjects=subjects, party=party, person=person)

    def last_updated(self) -> date | None:
        return self._entities.last_updated()


class Router:
    """Finds the entities an event applies to, by the routes of ``declarations``; a lifecycle
    is the class ``lifecycles`` names for its kind (the machines', unless extended)."""

    def __init__(self, declarations: Declarations = DECLARATIONS,
                 lifecycles: Mapping[str, type[Lifecycle]] = KINDS):
        self.table: dict[str, tuple[Route, ...]] = routes_from(declarations, lifecycles)

    def routes_of(self, event_type: str) -> tuple[Route, ...]:
        """The routes of an event type (none for a type no lifecycle takes)."""
        return self.table.get(event_type, ())

    def route(self, event: DomainEvent, entities: Entities,
              directory: Directory) -> list[Target]:
        """The entities ``event`` applies to, or a clear error if there are none."""
        routes = self.routes_of(event.type)
        if not routes:
            raise UnknownEntity(f"no route for event type '{event.type}'")
        reads = ReadOnce(entities)
        targets: list[Target] = []
        for one in routes:
            entities_found = one.find(event, reads, directory)
            assert one.fans_out or len(entities_found) <= 1, one  # as its declaration says
            for found in entities_found:
                assert found.kind.kind == one.lifecycle.kind, one  # a route finds its own kind
                # A rule names the machines' class; the route's is the one its router was given.
                targets.append(found if found.kind is one.lifecycle
                               else replace(found, kind=one.lifecycle))
        return targets


ROUTER = Router()
"""The routes of every declared event type into the machines of ``states/machines``."""

ROUTE_TABLE: dict[str, tuple[Route, ...]] = ROUTER.table
"""Event type → its routes, the primary one first."""


def routes_of(event_type: str) -> tuple[Route, ...]:
    """The routes of an event type (none for a type no lifecycle takes)."""
    return ROUTER.routes_of(event_type)


def lifecycles_reached(event_type: str) -> list[str]:
    """The kinds of lifecycle an event type reaches, its own first."""
    return [r.lifecycle.kind for r in routes_of(event_type)]


def route(event: DomainEvent, entities: Entities, directory: Directory) -> list[Target]:
    """The entities ``event`` applies to, or a clear error if there are none."""
    return ROUTER.route(event, entities, directory)


def subject_and_party(kind: str, data: dict[str, Any]) -> tuple[str, str | None]:
    """The indexed people of an entity, by which later events find it."""
    return KINDS[kind].people(data)


__all__ = ["ROUTER", "ROUTE_TABLE", "Router", "lifecycles_reached", "route", "routes_of",
           "subject_and_party"]
