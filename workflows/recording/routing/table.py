"""The route table: every route of every lifecycle, assembled explicitly, and :func:`route`.

Each module of this package lists the routes *into* its lifecycle (``ROUTES``); the table is
their concatenation in :data:`LIFECYCLE_ROUTES` order. Nothing registers itself on import. An
event's primary route comes first, then the other lifecycles it reaches in that order, which is
the order their steps are applied and audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.errors import UnknownEntity
from oversight.states.events import DomainEvent
from oversight.states.machines import KINDS
from oversight.workflows.recording.routing import (
    assessment,
    asye,
    child_supervision,
    oversight,
    relationship,
    session,
    supervision_file,
    team_activity,
)
from oversight.workflows.recording.routing.finding import Route, Target

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities, StoredEntity

LIFECYCLE_ROUTES: tuple[tuple[Route, ...], ...] = (
    assessment.ROUTES, asye.ROUTES, relationship.ROUTES, child_supervision.ROUTES,
    session.ROUTES, oversight.ROUTES, team_activity.ROUTES, supervision_file.ROUTES,
)


def _assemble() -> dict[str, tuple[Route, ...]]:
    table: dict[str, list[Route]] = {}
    for routes in LIFECYCLE_ROUTES:
        for one in routes:
            table.setdefault(one.event_type, []).append(one)
    for event_type, found in table.items():
        primaries = [r for r in found if r.primary]
        if len(primaries) != 1:
            raise RuntimeError(f"{event_type} has {len(primaries)} primary routes, not one")
        if len({r.lifecycle for r in found}) != len(found):
            raise RuntimeError(f"{event_type} reaches one lifecycle twice")
    return {event_type: tuple(sorted(found, key=lambda r: not r.primary))
            for event_type, found in table.items()}


ROUTE_TABLE: dict[str, tuple[Route, ...]] = _assemble()
"""Event type → its routes, the primary one first."""


def routes_of(event_type: str) -> tuple[Route, ...]:
    """The routes of an event type (none for a type no lifecycle takes)."""
    return ROUTE_TABLE.get(event_type, ())


def lifecycles_reached(event_type: str) -> list[str]:
    """The kinds of lifecycle an event type reaches, its own first."""
    return [r.lifecycle.kind for r in routes_of(event_type)]


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


def route(event: DomainEvent, entities: Entities, directory: Directory) -> list[Target]:
    """The entities ``event`` applies to, or a clear error if there are none."""
    routes = routes_of(event.type)
    if not routes:
        raise UnknownEntity(f"no route for event type '{event.type}'")
    reads = ReadOnce(entities)
    targets: list[Target] = []
    for one in routes:
        found = one.find(event, reads, directory)
        assert all(t.kind is one.lifecycle for t in found), one  # a route finds its own kind
        targets.extend(found)
    return targets


def subject_and_party(kind: str, data: dict[str, Any]) -> tuple[str, str | None]:
    """The indexed people of an entity, by which later events find it."""
    return KINDS[kind].people(data)


__all__ = ["LIFECYCLE_ROUTES", "ROUTE_TABLE", "lifecycles_reached", "route", "routes_of",
           "subject_and_party"]
