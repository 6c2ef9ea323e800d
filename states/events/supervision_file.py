"""Events of a supervisee's supervision file (``SupervisionFile``); ``relationship_started``
opens one too, and ``staff_left`` (:mod:`oversight.states.events.staff`) starts its retention.
"""

from __future__ import annotations

from typing import Literal

from oversight.states.events.base import DomainEvent, Identifier
from oversight.states.events.declaration import EventType, Reaches, by_id, by_rule


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


DECLARED: tuple[EventType, ...] = (
    EventType(SupervisionFileOpened, (
        Reaches("supervision_file", by_id("person", creates=True, staff=("person", "supervisor"),
                how='A new file for the person.'), starts=True),
    )),
    EventType(SupervisionFileTransferred, (
        Reaches("supervision_file", by_rule("file_or_new"), handler="record_transfer", starts=True),
    )),
    EventType(SupervisionFileArchived, (
        Reaches("supervision_file", by_id("person", how="The person's file."),
                handler="record_archive"),
    )),
    EventType(SupervisionFileDestroyed, (
        Reaches("supervision_file", by_id("person", how="The person's file."),
                handler="record_destruction"),
    )),
)
"""This lifecycle's event types, each declared once (:mod:`oversight.states.events.declaration`)."""
