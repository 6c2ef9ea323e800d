"""Facts about a member of staff that lifecycles react to: back at work after sickness (the
sessions cancelled for it, ``SupervisionSession``) and leaving (their file, ``SupervisionFile``).
"""

from __future__ import annotations

from typing import Literal

from oversight.states.events.base import DomainEvent, Identifier


class ReturnedToWork(DomainEvent):
    """A member of staff is back at work after sickness, on ``on``: the sessions cancelled for
    their sickness are now due to be rescheduled (hull §3)."""

    type: Literal["returned_to_work"] = "returned_to_work"
    person: Identifier


class StaffLeft(DomainEvent):
    """The supervisee's employment ended on ``on``."""

    type: Literal["staff_left"] = "staff_left"
    person: Identifier


EVENTS: tuple[type[DomainEvent], ...] = (
    ReturnedToWork,
    StaffLeft,
)
"""This lifecycle's events, listed for the registry (:mod:`oversight.states.events.registry`)."""
