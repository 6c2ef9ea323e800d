"""Every event type, declared once: one module per lifecycle, each with its ``DECLARED``.

An event's ``type`` is the snake_case of its class name (``AssessmentExtended`` →
``assessment_extended``); scenarios, the CLI, the API and imports use that vocabulary and find
the class here. Each module's ``DECLARED`` holds one :class:`~oversight.states.events.declaration.
EventType` per type: the class, the lifecycles it reaches and how their entities are found. The
machines' handlers and the route table are derived from :data:`DECLARATIONS`. Nothing registers
itself on import: the registry is complete after ``import oversight.states.events`` alone.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from pydantic import ValidationError

from oversight.states.errors import EventDateRefused, EventInvalid
from oversight.states.events import (
    assessment,
    asye,
    child_supervision,
    oversight,
    relationship,
    session,
    staff,
    supervision_file,
    team_activity,
)
from oversight.states.events.base import DATE_ORDER, DomainEvent, Identifier, snake_case
from oversight.states.events.declaration import Declarations

LIFECYCLE_MODULES: tuple[ModuleType, ...] = (
    assessment, asye, relationship, session, child_supervision, oversight, team_activity,
    supervision_file, staff,
)
"""The modules of events, in the order ``oversight events`` and the README list them."""


DECLARATIONS = Declarations(one for module in LIFECYCLE_MODULES for one in module.DECLARED)
"""Every event type's declaration, in the order of :data:`LIFECYCLE_MODULES`."""

EVENT_TYPES: dict[str, type[DomainEvent]] = DECLARATIONS.models
"""Every event class by its ``type``, in the order of :data:`LIFECYCLE_MODULES`."""


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event class by its ``type`` (a copy: the registry itself does not change)."""
    return dict(EVENT_TYPES)


def parse_event(data: dict[str, Any], declarations: Declarations | None = None) -> DomainEvent:
    """One event from a mapping (scenario line, CLI flags, API body); one clear error if bad.
    Validated by the declarations' :attr:`~Declarations.body` (the product's by default), the
    union the API's request schema is made of."""
    declared = declarations or DECLARATIONS
    kind = data.get("type")
    if kind not in declared.by_type:
        raise EventInvalid(f"unknown event type {kind!r}; known types: "
                           f"{', '.join(sorted(declared.by_type))}")
    try:
        return declared.body.validate_python(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"][1:]) or "event"  # [0] is the type's tag
        reason = "required field is missing" if first["type"] == "missing" else first["msg"]
        if first["type"] == "extra_forbidden":
            reason = "unknown field"
        elif first["type"].startswith("date"):  # date_parsing, date_from_datetime_parsing, …
            reason = f"{first.get('input')!r} is not a date (write YYYY-MM-DD)"
        refused = EventDateRefused if first["type"] == DATE_ORDER else EventInvalid
        raise refused(f"{kind}: {field}: {reason}") from None


__all__ = ["DECLARATIONS", "EVENT_TYPES", "LIFECYCLE_MODULES", "DomainEvent", "Identifier",
           "event_types", "parse_event", "snake_case"]
