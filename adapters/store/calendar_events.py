"""Each calendar event's SEQUENCE: how many times its session's date moved (issue 20).

A session's UID names the obligation (the lifecycle's n-th session, the key kept here), never
its date, so a calendar that subscribed keeps the event, and the notes and reminders a person
put on it, when a session held early or late moves the ones after it. RFC 5545 §3.8.7.4 asks
that such an event carry a higher SEQUENCE. The store keeps the date each obligation was last
published on: the first time it is 0, and it goes up by one each time the date published
differs from the one kept, so it never goes down and stays put while nothing moves, whoever
fetches (the supervisor's feed and the supervisee's share their events).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import Connection, select, update

from oversight.adapters.store import tables as t

CHUNK = 500
"""UIDs looked up per statement (a supervisor's year of weekly ASYE sessions is a few hundred)."""


class SqlCalendarEvents:
    """The calendar_events table on one connection (the store port's ``calendar_events``)."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def published(self, dated: Mapping[str, date]) -> dict[str, int]:
        kept = self._kept(dated)
        c = t.calendar_events
        fresh = [{"uid": uid, "on": on, "sequence": 0} for uid, on in dated.items()
                 if uid not in kept]
        if fresh:
            self._insert_new(fresh)
        for uid, on in dated.items():
            if uid in kept and kept[uid][0] != on:
                # Moved from the date read only: two fetches at once move it once, not twice.
                self.connection.execute(update(c).where(c.c.uid == uid, c.c.on == kept[uid][0])
                                        .values(on=on, sequence=c.c.sequence + 1))
        return {uid: sequence for uid, (_, sequence) in self._kept(dated).items()}

    def known(self, obligations: Iterable[str]) -> dict[str, int]:
        return {uid: sequence for uid, (_, sequence) in self._kept(obligations).items()}

    def _kept(self, uids: Iterable[str]) -> dict[str, tuple[date, int]]:
        c = t.calendar_events
        wanted = list(uids)
        found: dict[str, tuple[date, int]] = {}
        for start in range(0, len(wanted), CHUNK):
            rows = self.connection.execute(select(c.c.uid, c.c.on, c.c.sequence).where(
                c.c.uid.in_(wanted[start:start + CHUNK])))
            found.update((row.uid, (row.on, row.sequence)) for row in rows)
        return found

    def _insert_new(self, rows: list[dict[str, object]]) -> None:
        """Insert UIDs not seen yet; one inserted meanwhile by another fetch is left as it is."""
        c = t.calendar_events
        if self.connection.dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql

            self.connection.execute(postgresql.insert(c).on_conflict_do_nothing(
                index_elements=[c.c.uid]), rows)
        else:
            from sqlalchemy.dialects import sqlite

            self.connection.execute(sqlite.insert(c).on_conflict_do_nothing(
                index_elements=[c.c.uid]), rows)


__all__ = ["SqlCalendarEvents"]
