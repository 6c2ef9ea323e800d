"""Events of management oversight on a child's record (``ManagementOversight``); the oversight
a trigger asks for is recorded with ``oversight_recorded`` (in ``assessment``).
"""

from __future__ import annotations

from typing import Literal

from oversight.states.events.base import DomainEvent, Identifier
from oversight.states.events.declaration import EventType, Reaches, by_rule


class OversightTriggered(DomainEvent):
    """Something happened that needs a manager's recorded oversight on the child's record
    (surrey §4.1, devon §6); ``trigger`` is one of the policy's ``management_oversight`` list."""

    type: Literal["oversight_triggered"] = "oversight_triggered"
    child: Identifier
    trigger: Identifier
    manager: Identifier
    worker: Identifier | None = None


DECLARED: tuple[EventType, ...] = (
    EventType(OversightTriggered, (
        Reaches("oversight", by_rule("triggered"), handler="record_trigger", starts=True),
    )),
)
"""This lifecycle's event types, each declared once (:mod:`oversight.states.events.declaration`)."""
