"""Facts about a member of staff that lifecycles react to: back at work after sickness (the
sessions cancelled for it, ``SupervisionSession``) and leaving (their file, ``SupervisionFile``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from oversight.states.events.base import DomainEvent, Identifier
from oversight.states.events.declaration import EventType, Reaches, by_rule


class ReturnedToWork(DomainEvent):
    """A member of staff is back at work after sickness or another absence, on ``on``: the
    sessions cancelled for their sickness are now due to be rescheduled (hull §3); after a long
    absence (``absent_days``, as long as the policy's returner cadence says) they are supervised
    as a returner (hull §3: fortnightly for 3 months, then monthly)."""

    type: Literal["returned_to_work"] = "returned_to_work"
    person: Identifier
    absent_days: int | None = Field(default=None, gt=0, le=3660)
    """How long they were away, in calendar days, if it was more than a sickness."""


class RoleChanged(DomainEvent):
    """A member of staff took up a major change of role on ``on`` (hull §3: "transferring to a
    different team"): supervised as a returner where the policy has that cadence."""

    type: Literal["role_changed"] = "role_changed"
    person: Identifier
    role: Identifier | None = None
    """Their role from now on, if the staff role changes too (e.g. ``manager``)."""


class StaffLeft(DomainEvent):
    """The supervisee's employment ended on ``on``."""

    type: Literal["staff_left"] = "staff_left"
    person: Identifier


DECLARED: tuple[EventType, ...] = (
    EventType(ReturnedToWork, (
        Reaches("session", by_rule("returned_to_work", fans_out=True), handler="record_return"),
        Reaches("relationship", by_rule("person", fans_out=True),
                handler="record_return_to_work", primary=False),
    )),
    EventType(RoleChanged, (
        Reaches("relationship", by_rule("changed_role", fans_out=True),
                handler="record_role_change"),
    )),
    EventType(StaffLeft, (
        Reaches("supervision_file", by_rule("file_or_new"), handler="record_leaving", starts=True),
    )),
)
"""This lifecycle's event types, each declared once (:mod:`oversight.states.events.declaration`)."""
