"""Events of a supervisee's supervision file (``SupervisionFile``); ``relationship_started``
opens one too, and ``staff_left`` (:mod:`oversight.states.events.staff`) starts its retention.
"""

from __future__ import annotations

from typing import Literal

from oversight.states.events.base import DomainEvent, Identifier


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


EVENTS: tuple[type[DomainEvent], ...] = (
    SupervisionFileOpened,
    SupervisionFileTransferred,
    SupervisionFileArchived,
    SupervisionFileDestroyed,
)
"""This lifecycle's events, listed for the registry (:mod:`oversight.states.events.registry`)."""
