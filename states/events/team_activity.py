"""Events of a team activity the policy times (``TeamCadence``), found by activity and owner.
"""

from __future__ import annotations

from typing import Literal

from oversight.states.events.base import DomainEvent, Identifier
from oversight.states.events.declaration import EventType, Reaches, by_id, by_rule


class TeamActivityStarted(DomainEvent):
    """A team, supervisor, staff member or the authority starts keeping one of the policy's
    ``team_activities``; the first is due one interval later."""

    type: Literal["team_activity_started"] = "team_activity_started"
    activity: Identifier
    owner: Identifier
    """The team, the supervisor, the staff member or the authority, as the activity's ``per``
    says."""
    lead: Identifier | None = None
    """Who answers for it; by default the owner's line manager (a person), required for a team
    or the authority."""


class TeamActivityHeld(DomainEvent):
    """The activity took place; the next is due one interval later."""

    type: Literal["team_activity_held"] = "team_activity_held"
    activity: Identifier
    owner: Identifier
    lead: Identifier | None = None
    """As for ``team_activity_started``, when this is the first the store hears of it."""


DECLARED: tuple[EventType, ...] = (
    EventType(TeamActivityStarted, (
        Reaches("team_activity", by_id("activity", "owner", creates=True, staff=("lead",),
                how='A new activity of the owner.'), starts=True),
    )),
    EventType(TeamActivityHeld, (
        Reaches("team_activity", by_rule("held"), handler="record_held", starts=True),
    )),
)
"""This lifecycle's event types, each declared once (:mod:`oversight.states.events.declaration`)."""
