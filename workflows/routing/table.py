"""The route table: every route of every lifecycle, assembled explicitly, and :func:`route`.

Each module of this package lists the routes *into* its lifecycle (``ROUTES``); the table is
their concatenation in :data:`LIFECYCLE_ROUTES` order. Nothing registers itself on import. An
event's primary route comes first, then the other lifecycles it reaches in that order, which is
the order their steps are applied and audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.errors import UnknownEntity
from oversight.states.events import DomainEvent
from oversight.states.machines import KINDS
from oversight.workflows.routing import (
    assessment,
    asye,
    child_supervision,
    oversight,
    relationship,
    session,
    supervision_file,
    team_activity,
)
from oversight.workflows.routing.finding import Route, Target

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports import Entities

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


def route(event: DomainEvent, entities: Entities, directory: Directory) -> list[Target]:
    """The entities ``event`` applies to, or a clear error if there are none."""
    routes = routes_of(event.type)
    if not routes:
        raise UnknownEntity(f"no route for event type '{event.type}'")
    targets: list[Target] = []
    for one in routes:
        found = one.find(event, entities, directory)
        assert all(t.kind is one.lifecycle for t in found), one  # a route finds its own kind
        targets.extend(found)
    return targets


def subject_and_party(kind: str, data: dict[str, Any]) -> tuple[str, str | None]:
    """The indexed people of an entity, by which later events find it."""
    return KINDS[kind].people(data)


__all__ = ["LIFECYCLE_ROUTES", "ROUTE_TABLE", "lifecycles_reached", "route", "routes_of",
           "subject_and_party"]
