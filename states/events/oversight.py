"""Events of management oversight on a child's record (``ManagementOversight``); the oversight
a trigger asks for is recorded with ``oversight_recorded`` (in ``assessment``).
"""

from __future__ import annotations

from typing import Literal

from oversight.states.events.base import DomainEvent, Identifier


class OversightTriggered(DomainEvent):
    """Something happened that needs a manager's recorded oversight on the child's record
    (surrey §4.1, devon §6); ``trigger`` is one of the policy's ``management_oversight`` list."""

    type: Literal["oversight_triggered"] = "oversight_triggered"
    child: Identifier
    trigger: Identifier
    manager: Identifier
    worker: Identifier | None = None


EVENTS: tuple[type[DomainEvent], ...] = (
    OversightTriggered,
)
"""This lifecycle's events, listed for the registry (:mod:`oversight.states.events.registry`)."""
