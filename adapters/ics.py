"""Supervision sessions ahead as an iCalendar file (RFC 5545), with the ``icalendar`` package.

Each session is an all-day event on its date: supervision dates are dates, and the time of day
is the supervisor's to set. Events carry identifiers only — the supervisor and supervisee ids,
the lifecycle and task ids and the rule — never names or narrative.

A UID names the obligation, never a date: the lifecycle, the task type and which session of the
series it is (``relationship:tm1:sw1:personal_supervision:7@oversight``), so a calendar that
subscribes to the feed keeps its events when a session held early or late moves the ones after
it; a moved event carries a higher SEQUENCE (:mod:`oversight.adapters.store.calendar_events`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration

from oversight.workflows.reads.planner import SessionAhead

PRODID = "-//oversight//supervision calendar//EN"
_LABEL = {"overdue": "overdue", "due": "due", "planned": "planned", "projected": "projected"}
_WHAT = {"personal_supervision": "Personal supervision", "asye_supervision": "ASYE supervision"}


def sessions_calendar(person: str, sessions: list[SessionAhead], *, now: datetime,
                      refresh: timedelta | None = None,
                      sequences: Mapping[str, int] | None = None) -> bytes:
    """The iCalendar text of ``person``'s sessions, stamped ``now`` (UTC). With ``refresh``
    (a subscribed feed), how often a calendar client should fetch it again; ``sequences``, each
    obligation's SEQUENCE (0 for one not in it)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Supervision: {person}")
    if refresh is not None:  # RFC 7986, and the X- form Outlook reads
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        # Outlook's X-PUBLISHED-TTL is a duration too (PT1H), not icalendar's "1:00:00" text.
        calendar.add("x-published-ttl", vDuration(refresh))
    for session in sessions:
        event = Event()
        event.add("uid", event_uid(session))
        event.add("sequence", (sequences or {}).get(session.obligation, 0))
        event.add("dtstamp", now)
        event.add("dtstart", session.on)
        event.add("dtend", session.on + timedelta(days=1))
        event.add("summary", f"{_WHAT.get(session.type, session.type)} "
                             f"({_LABEL[session.status]}): {session.supervisor} with "
                             f"{session.supervisee}")
        event.add("description", f"Rule: {session.rule}. Cadence of {session.entity}, from task "
                                 f"{session.task}"
                                 + (f"; planned session {session.session}." if session.session
                                    else "."))
        event.add("categories", ["supervision", session.status])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def calendar_etag(person: str, sessions: list[SessionAhead],
                  sequences: Mapping[str, int] | None = None) -> str:
    """A strong ETag of what the calendar says (its sessions and their SEQUENCEs, not the
    moment it was made): a client that has this version gets 304 Not Modified."""
    numbered = sorted((sequences or {}).items())
    digest = hashlib.sha256(repr((person, sessions, numbered)).encode("utf-8")).hexdigest()
    return f'"{digest[:32]}"'


def event_uid(session: SessionAhead) -> str:
    """The session's UID: its obligation (which session of which series), never its date."""
    return f"{session.obligation}@oversight"


__all__ = ["calendar_etag", "event_uid", "sessions_calendar"]
