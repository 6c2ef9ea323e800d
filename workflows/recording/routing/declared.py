"""The route table derived from the event types' declarations (``states/events``).

A declaration is data: a :class:`~oversight.states.events.declaration.Finding` names the event's
fields that make the entity's id (and whether the event creates it, and which fields must name
staff), or a rule, one of the finders each lifecycle's module of this package lists in its
``RULES``. Here the data becomes :class:`~oversight.workflows.recording.routing.finding.Route`\\ s
that read the store through the ``Entities`` port.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.events.declaration import Declarations, Finding, Reaches
from oversight.states.machines.lifecycle import Lifecycle
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
from oversight.workflows.recording.routing.finding import (
    Finder,
    Route,
    Target,
    create,
    existing,
    require_staff,
)

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

RULES: dict[str, Mapping[str, Finder]] = {
    "assessment": assessment.RULES, "asye": asye.RULES, "relationship": relationship.RULES,
    "child_supervision": child_supervision.RULES, "session": session.RULES,
    "oversight": oversight.RULES, "team_activity": team_activity.RULES,
    "supervision_file": supervision_file.RULES,
}
"""Each lifecycle's named finders, for the findings data cannot say (``by_rule``)."""


def by_fields(finding: Finding, kind: type[Lifecycle]) -> Finder:
    """The finder a ``by_id`` finding says: staff checked, then the entity of that id (or new)."""

    def find(event: Any, entities: Entities, directory: Directory) -> list[Target]:
        named = (getattr(event, field) for field in finding.staff)
        require_staff(directory, *(person for person in named if person is not None))
        entity_id = ":".join(str(getattr(event, field)) for field in finding.fields)
        if finding.creates:
            return create(entities, kind, entity_id)
        return [existing(entities, kind, entity_id)]

    return find


def _how(finder: Finder) -> str:
    """A rule's line for ``oversight events``: its docstring's first paragraph, on one line."""
    return " ".join((finder.__doc__ or "").strip().split("\n\n")[0].split())


def _route(event_type: str, reach: Reaches, lifecycles: Mapping[str, type[Lifecycle]],
           rules: Mapping[str, Mapping[str, Finder]]) -> Route:
    kind = lifecycles[reach.lifecycle]
    found = reach.found
    if found.rule is None:
        return Route(event_type, kind, by_fields(found, kind), reach.primary, found.how)
    finder = rules.get(reach.lifecycle, {}).get(found.rule)
    if finder is None:
        raise RuntimeError(f"{event_type}: {reach.lifecycle} has no finder {found.rule!r}")
    return Route(event_type, kind, finder, reach.primary, found.how or _how(finder),
                 found.fans_out)


def routes_from(declarations: Declarations, lifecycles: Mapping[str, type[Lifecycle]],
                rules: Mapping[str, Mapping[str, Finder]] = RULES
                ) -> dict[str, tuple[Route, ...]]:
    """Event type → its routes, in its declaration's order (its own lifecycle first)."""
    return {event_type: tuple(_route(event_type, reach, lifecycles, rules)
                              for reach in declared.reaches)
            for event_type, declared in declarations.by_type.items()}


__all__ = ["RULES", "by_fields", "routes_from"]
