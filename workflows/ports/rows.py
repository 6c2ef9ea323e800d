"""The values that cross the store port: rows as the application sees them.

Both the unit of work (:mod:`oversight.workflows.ports.store`) and its repositories
(:mod:`oversight.workflows.ports.repositories`) take and return these; they import them from
here, so neither needs the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from oversight.states.values import Step

TaskRow = dict[str, Any]
"""A task as stored: the columns of the tasks table by name (``id``, ``type``, ``assignee``,
``due``, ``state``, ``rule`` …), the shape the read models and messages take."""

Collision = Literal["changed", "locked"]
"""Why a write failed because of another writer: ``changed``: the entity moved on since it
was loaded (reload and try again); ``locked``: the databases's writers deadlocked or could not
be serialised (this transaction must end before trying again)."""


def task_id(kind: str, entity_id: str, key: str) -> str:
    """A task's identifier: its entity and its key within the entity (``asye:sw1:review``)."""
    return f"{kind}:{entity_id}:{key}"


@dataclass(frozen=True, slots=True)
class StoredEntity:
    """One lifecycle as the store holds it."""

    kind: str
    """The lifecycle: ``assessment``, ``asye``, ``relationship`` …"""
    id: str
    """Its identifier within the kind, e.g. ``c1`` or ``tm1:sw1``."""
    authority: str
    """The authority whose policy it runs under."""
    policy_version: str
    """The version of that policy its last step ran under."""
    state: str
    """The machine's state."""
    version: int
    """1 when created, one more at each save: a save checks it did not move meanwhile."""
    subject: str
    """Whom it is about: the child, the supervisee, the ASYE worker."""
    party: str | None
    """The other person: the allocated worker, the supervisor; None if there is none."""
    started_on: date
    """The day of the event that created it."""
    updated_on: date
    """The day of its last transition."""
    data: dict[str, Any]
    """The machine's own data (identifiers and dates only), JSON-ready."""


@dataclass(frozen=True, slots=True)
class DueTimer:
    """A timer as the sweep fires it."""

    id: int
    """Its number; firing order among timers due the same day."""
    entity_kind: str
    """The kind of the entity it belongs to."""
    entity_id: str
    """The entity it belongs to."""
    name: str
    """What it times, e.g. ``task:supervision`` (the machine's trigger)."""
    fires_on: date
    """The day it falls due."""


@dataclass(frozen=True, slots=True)
class SavedStep:
    """One machine step and the entity row it leaves behind, ready to be written."""

    step: Step
    """What the machine decided: state, timers to arm and disarm, tasks, transitions."""
    entity: StoredEntity
    """The entity's new row (its ``version`` one more than the row it was loaded as)."""
    created: bool = False
    """True when the step created the entity (insert instead of a checked update)."""
    event_id: str | None = None
    """The event that caused it, recorded on its audit lines; None for a timer."""


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """One staff row as an HR export gives it: the directory's fields and the HR flags."""

    id: str
    role: str
    started: date
    line_manager: str | None
    qualified: date | None
    part_time: bool
    agency: bool
    team: str | None


__all__ = ["Collision", "DueTimer", "SavedStep", "StaffRecord", "StoredEntity", "TaskRow",
           "task_id"]
