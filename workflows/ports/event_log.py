"""The event log port: every event applied to each entity, kept so the entity can be re-derived.

Each row is one event as applied to one entity: the day it happened (``on``), the moment it was
recorded, the body as recorded, and, once retracted, who retracted it, when and why (the row
stays: the audit keeps the retracted event). An event applied to several entities has one row
per entity under one ``record_id`` (its ``event_id``, or one given when it was recorded), the
identifier ``oversight event retract`` takes. :class:`FakeEventLog` is the in-memory twin the
unit tests' fake unit of work holds; ``adapters/store/event_log.py`` is the SQL one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One event as applied to one entity."""

    id: int
    """Arrival order in the store: ties of ``on`` replay in this order."""
    record_id: str
    """The event's identifier (shared by every entity it was applied to)."""
    entity_kind: str
    entity_id: str
    type: str
    on: date
    """The day it happened."""
    recorded_at: datetime
    """The moment it was recorded."""
    actor: str | None
    body: dict[str, Any]
    """The event as recorded, JSON-ready (``parse_event`` reads it back)."""
    retracted_at: datetime | None = None
    retracted_by: str | None = None
    retract_reason: str | None = None


class EventLog(Protocol):
    """The events applied to each entity."""

    def append(self, record_id: str, kind: str, entity_id: str, body: dict[str, Any], *,
               recorded_at: datetime) -> None:
        """Log one event (``body``: as ``model_dump(mode="json")`` gives it) for one entity."""
        ...

    def of_entity(self, kind: str, entity_id: str, *, retracted: bool = False
                  ) -> list[LoggedEvent]:
        """The entity's events by (on, id); ``retracted``: those retracted too."""
        ...

    def of_record(self, record_id: str) -> list[LoggedEvent]:
        """Every row of one event (one per entity it was applied to), retracted or not."""
        ...

    def retract(self, record_id: str, *, by: str | None, reason: str, at: datetime) -> None:
        """Mark every row of ``record_id`` retracted (the rows stay)."""
        ...

    def amend_tasks(self, values: dict[str, dict[str, Any]]) -> None:
        """Set columns of tasks by id that a re-derivation decides beyond a step's changes
        (``recorded_at`` of a task met late, ``withdrawn_because``, a breach undone)."""
        ...


def _key(row: LoggedEvent) -> tuple[date, int]:
    return (row.on, row.id)


class FakeEventLog:
    """:class:`EventLog` in memory (rows in a list; tasks amended in the given dict)."""

    def __init__(self, tasks: dict[str, dict[str, Any]] | None = None):
        self.rows: list[LoggedEvent] = []
        self.tasks = tasks if tasks is not None else {}

    def append(self, record_id: str, kind: str, entity_id: str, body: dict[str, Any], *,
               recorded_at: datetime) -> None:
        self.rows.append(LoggedEvent(
            id=len(self.rows) + 1, record_id=record_id, entity_kind=kind, entity_id=entity_id,
            type=body["type"], on=date.fromisoformat(body["on"]), recorded_at=recorded_at,
            actor=body.get("actor"), body=dict(body)))

    def of_entity(self, kind: str, entity_id: str, *, retracted: bool = False
                  ) -> list[LoggedEvent]:
        return sorted((r for r in self.rows if r.entity_kind == kind and r.entity_id == entity_id
                       and (retracted or r.retracted_at is None)), key=_key)

    def of_record(self, record_id: str) -> list[LoggedEvent]:
        return [r for r in self.rows if r.record_id == record_id]

    def retract(self, record_id: str, *, by: str | None, reason: str, at: datetime) -> None:
        self.rows = [dataclasses.replace(r, retracted_at=at, retracted_by=by,
                                         retract_reason=reason)
                     if r.record_id == record_id and r.retracted_at is None else r
                     for r in self.rows]

    def amend_tasks(self, values: dict[str, dict[str, Any]]) -> None:
        for task_id, columns in values.items():
            if task_id in self.tasks:
                self.tasks[task_id].update(columns)


def live(rows: Sequence[LoggedEvent]) -> list[LoggedEvent]:
    """The rows not retracted."""
    return [row for row in rows if row.retracted_at is None]


__all__ = ["EventLog", "FakeEventLog", "LoggedEvent", "live"]
