"""Events of one planned supervision session (``SupervisionSession``), found by its own id.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, model_validator
from pydantic.json_schema import JsonDict

from oversight.states.events.base import DomainEvent, Flag, Identifier, dates_out_of_order
from oversight.states.events.declaration import EventType, Reaches, by_id, by_rule


class SessionPlanned(DomainEvent):
    """A personal supervision session is booked for ``for_date``."""

    type: Literal["session_planned"] = "session_planned"
    supervisor: Identifier
    supervisee: Identifier
    session: Identifier
    """The session's own identifier, used by every later event about it."""
    for_date: date
    preparation: Flag = True
    """False when the policy's preparation does not apply to this session (surrey §4.3: only
    sessions using the Family Safeguarding workbook)."""

    @model_validator(mode="after")
    def _not_in_the_past(self) -> SessionPlanned:
        if self.for_date < self.on:
            raise dates_out_of_order("for_date is before the day it was planned: record "
                                     "supervision_held")
        return self


class SessionPrepared(DomainEvent):
    """The preparation the policy asks for is done (surrey §4.3: workbook summary finalised)."""

    type: Literal["session_prepared"] = "session_prepared"
    session: Identifier


_NAMED: JsonDict = {"type": "string"}
PAIR_OR_SESSION: JsonDict = {"oneOf": [
    {"required": ["session"], "properties": {"session": _NAMED},
     "not": {"required": ["supervisor", "supervisee"],
             "properties": {"supervisor": _NAMED, "supervisee": _NAMED}}},
    {"required": ["supervisor", "supervisee"],
     "properties": {"supervisor": _NAMED, "supervisee": _NAMED},
     "not": {"required": ["session"], "properties": {"session": _NAMED}}}],
    "anyOf": [{"properties": {"reason": {"const": "sickness"}}, "required": ["reason"]},
              {"properties": {"returned_on": {"type": "null"}}}]}
"""The rules of :meth:`SessionCancelled._return_only_after_sickness` as JSON Schema, so that
the OpenAPI document says what the server refuses (issue 20): a session, or a pair (not both);
``returned_on`` only with ``reason: sickness``."""


class SessionCancelled(DomainEvent):
    """A planned session will not take place on its date."""

    model_config = ConfigDict(json_schema_extra=PAIR_OR_SESSION)

    type: Literal["session_cancelled"] = "session_cancelled"
    session: Identifier | None = None
    """The planned session; or name the relationship (``supervisor``, ``supervisee``) to
    cancel the relationship's next session due (its earliest planned one, if any)."""
    supervisor: Identifier | None = None
    supervisee: Identifier | None = None
    reason: Literal["sickness", "other"] = "other"
    returned_on: date | None = None
    """For ``sickness``: the day the person is back at work, if already known; otherwise a later
    ``returned_to_work`` (or ``supervisor_returned``) gives it."""

    @model_validator(mode="after")
    def _return_only_after_sickness(self) -> SessionCancelled:
        if self.returned_on is not None and self.reason != "sickness":
            raise ValueError("returned_on is only for a cancellation for sickness")
        if (self.session is None) == (self.supervisor is None or self.supervisee is None):
            raise ValueError("name the session, or the relationship's next session due "
                             "(supervisor and supervisee), not both")
        return self


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


DECLARED: tuple[EventType, ...] = (
    EventType(SessionPlanned, (
        Reaches("session", by_id("session", creates=True, staff=("supervisor", "supervisee"),
                how="A new session with the event's session id."), starts=True),
    )),
    EventType(SessionPrepared, (
        Reaches("session", by_id("session", how="The session with the event's session id."),
                handler="record_preparation"),
    )),
    EventType(SessionCancelled, (
        Reaches("session", by_rule("cancelled"), handler="record_cancellation", starts=True),
    )),
    EventType(SessionRescheduled, (
        Reaches("session", by_id("session", how="The session with the event's session id."),
                handler="record_new_date"),
    )),
    EventType(SessionRecorded, (
        Reaches("session", by_id("session", how="The session with the event's session id."),
                handler="record_record"),
    )),
    EventType(SessionSigned, (
        Reaches("session", by_id("session", how="The session with the event's session id."),
                handler="record_signature"),
    )),
)
"""This lifecycle's event types, each declared once (:mod:`oversight.states.events.declaration`)."""
