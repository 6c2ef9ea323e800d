"""Events of the practice lifecycles: single sessions, management oversight triggers, team
activities and the supervision file.

Past tense, identifiers only, like :mod:`oversight.states.events.registry`; ``parse_event`` finds them by ``type``
once this module is imported (``oversight.states.machines`` imports it). Two events of
:mod:`oversight.states.events.registry` also reach these lifecycles: ``supervision_held`` (a planned session held,
or an unplanned one recorded) and ``oversight_recorded`` (the oversight a trigger asked for).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import model_validator

from oversight.states.events.registry import DomainEvent, Identifier

# ----- one supervision session (SupervisionSession) --------------------------------------------


class SessionPlanned(DomainEvent):
    """A personal supervision session is booked for ``for_date``."""

    type: Literal["session_planned"] = "session_planned"
    supervisor: Identifier
    supervisee: Identifier
    session: Identifier
    """The session's own identifier, used by every later event about it."""
    for_date: date
    preparation: bool = True
    """False when the policy's preparation does not apply to this session (surrey §4.3: only
    sessions using the Family Safeguarding workbook)."""

    @model_validator(mode="after")
    def _not_in_the_past(self) -> "SessionPlanned":
        if self.for_date < self.on:
            raise ValueError("for_date is before the day it was planned: record supervision_held")
        return self


class SessionPrepared(DomainEvent):
    """The preparation the policy asks for is done (surrey §4.3: workbook summary finalised)."""

    type: Literal["session_prepared"] = "session_prepared"
    session: Identifier


class SessionCancelled(DomainEvent):
    """A planned session will not take place on its date."""

    type: Literal["session_cancelled"] = "session_cancelled"
    session: Identifier
    reason: Literal["sickness", "other"] = "other"
    returned_on: date | None = None
    """For ``sickness``: the day the person is back at work, if already known; otherwise a later
    ``returned_to_work`` (or ``supervisor_returned``) gives it."""

    @model_validator(mode="after")
    def _return_only_after_sickness(self) -> "SessionCancelled":
        if self.returned_on is not None and self.reason != "sickness":
            raise ValueError("returned_on is only for a cancellation for sickness")
        return self


class ReturnedToWork(DomainEvent):
    """A member of staff is back at work after sickness, on ``on``: the sessions cancelled for
    their sickness are now due to be rescheduled (hull §3)."""

    type: Literal["returned_to_work"] = "returned_to_work"
    person: Identifier


class SessionRescheduled(DomainEvent):
    """A session gets a new date: after a cancellation, or moved before it took place."""

    type: Literal["session_rescheduled"] = "session_rescheduled"
    session: Identifier
    for_date: date


class SessionRecorded(DomainEvent):
    """The session's record is written."""

    type: Literal["session_recorded"] = "session_recorded"
    session: Identifier


class SessionSigned(DomainEvent):
    """One party signs the session's record (hull §3: both must)."""

    type: Literal["session_signed"] = "session_signed"
    session: Identifier
    by: Identifier


# ----- management oversight on a child's record (ManagementOversight) -------------------------


class OversightTriggered(DomainEvent):
    """Something happened that needs a manager's recorded oversight on the child's record
    (surrey §4.1, devon §6); ``trigger`` is one of the policy's ``management_oversight`` list."""

    type: Literal["oversight_triggered"] = "oversight_triggered"
    child: Identifier
    trigger: Identifier
    manager: Identifier
    worker: Identifier | None = None


# ----- team activities (TeamCadence) -----------------------------------------------------------


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


# ----- the supervision file (SupervisionFile) -------------------------------------------------


class SupervisionFileOpened(DomainEvent):
    """A supervisee's supervision file is opened (also opened by ``relationship_started``)."""

    type: Literal["supervision_file_opened"] = "supervision_file_opened"
    person: Identifier
    supervisor: Identifier


class SupervisionFileTransferred(DomainEvent):
    """The supervisee moved team: the file goes to the new supervisor (hull §3)."""

    type: Literal["supervision_file_transferred"] = "supervision_file_transferred"
    person: Identifier
    new_supervisor: Identifier


class StaffLeft(DomainEvent):
    """The supervisee's employment ended on ``on``."""

    type: Literal["staff_left"] = "staff_left"
    person: Identifier


class SupervisionFileArchived(DomainEvent):
    """The leaver's file is archived with HR (hull §3)."""

    type: Literal["supervision_file_archived"] = "supervision_file_archived"
    person: Identifier
    custodian: Identifier | None = None
    """Who holds the archive and will destroy it; by default the supervisor who archived it."""


class SupervisionFileDestroyed(DomainEvent):
    """The archived file is destroyed at the end of its retention (hull §3)."""

    type: Literal["supervision_file_destroyed"] = "supervision_file_destroyed"
    person: Identifier


__all__ = [
    "SessionPlanned", "SessionPrepared", "SessionCancelled", "ReturnedToWork", "SessionRescheduled",
    "SessionRecorded", "SessionSigned", "OversightTriggered", "TeamActivityStarted",
    "TeamActivityHeld", "SupervisionFileOpened", "SupervisionFileTransferred", "StaffLeft",
    "SupervisionFileArchived", "SupervisionFileDestroyed",
]
