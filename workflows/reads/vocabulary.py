"""The event vocabulary as people and programs read it: every type, its fields and the
lifecycles it reaches, generated from the event registry and the route table.

``oversight events [--json]`` shows it, and the event table of docs/simulation.md is
:func:`markdown_table` (a test keeps the two equal), so neither can fall behind the code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from oversight.states.events import EVENT_TYPES
from oversight.workflows.recording.routing import routes_of

COMMON = ("on", "event_id", "actor", "type")
"""Fields every event has (``on`` required), listed once rather than on every row."""
INLINE_CHOICES = 6
"""Longer lists of allowed values are left to ``--json``; the table names how many there are."""


@dataclass(frozen=True)
class EventField:
    """One field of an event type."""

    name: str
    type: str
    """``identifier``, ``date``, ``boolean``, ``integer``, ``list of identifier`` or ``choice``."""
    required: bool
    choices: tuple[str, ...] = ()
    """For a ``choice``: the values allowed."""


@dataclass(frozen=True)
class EventRoute:
    """A lifecycle the event reaches, and how the route finds the entity there."""

    lifecycle: str
    finds: str
    primary: bool
    """The event's own lifecycle, where it must find an entity; the others may find none."""


@dataclass(frozen=True)
class EventEntry:
    """One event type: what it records, its own fields, and the lifecycles it reaches."""

    type: str
    summary: str
    fields: tuple[EventField, ...]
    routes: tuple[EventRoute, ...]
    """In the order of :func:`~oversight.workflows.recording.routing.routes_of`: its own lifecycle
    first."""

    @property
    def reaches(self) -> tuple[str, ...]:
        """The kinds of lifecycle it reaches, its own first."""
        return tuple(route.lifecycle for route in self.routes)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "summary": self.summary,
                "fields": [asdict(f) for f in self.fields], "reaches": list(self.reaches),
                "routes": [asdict(r) for r in self.routes]}


def _field(name: str, schema: dict[str, Any], required: bool) -> EventField:
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    one = options[0]
    if "enum" in one:
        return EventField(name, "choice", required, tuple(str(v) for v in one["enum"]))
    if one.get("type") == "array":
        return EventField(name, "list of identifier", required)
    if one.get("format") == "date":
        return EventField(name, "date", required)
    kind = {"boolean": "boolean", "integer": "integer"}.get(one.get("type", ""), "identifier")
    return EventField(name, kind, required)


def catalogue() -> list[EventEntry]:
    """Every event type of the registry, in its order (lifecycle by lifecycle)."""
    entries = []
    for event_type, cls in EVENT_TYPES.items():
        schema = cls.model_json_schema()
        required = set(schema.get("required", []))
        fields = tuple(_field(name, prop, name in required)
                       for name, prop in schema["properties"].items() if name not in COMMON)
        summary = " ".join((cls.__doc__ or "").split("\n\n")[0].split()).replace("``", "`")
        routes = tuple(EventRoute(r.lifecycle.kind, r.how, r.primary)
                       for r in routes_of(event_type))
        entries.append(EventEntry(event_type, summary, fields, routes))
    return entries


def _cell(field: EventField) -> str:
    name = field.name if field.required else f"{field.name}?"
    if field.type == "choice":
        if len(field.choices) > INLINE_CHOICES:
            return f"{name} (one of {len(field.choices)})"
        return f"{name} ({', '.join(f'`{c}`' for c in field.choices)})"
    if field.type == "identifier":
        return name
    return f"{name} ({field.type})"


def markdown_table() -> str:
    """The events table of docs/simulation.md: a row per type, as ``oversight events`` prints."""
    rows = ["| event | fields (`?`: optional) | reaches | records |", "|---|---|---|---|"]
    for entry in catalogue():
        fields = ", ".join(_cell(f) for f in entry.fields)
        summary = entry.summary.replace("|", "\\|")
        rows.append(f"| `{entry.type}` | {fields} | {', '.join(entry.reaches)} | {summary} |")
    return "\n".join(rows) + "\n"


__all__ = ["COMMON", "EventEntry", "EventField", "EventRoute", "catalogue", "markdown_table"]
