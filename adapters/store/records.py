"""The store's smaller repositories: outbox, staff, settings and applied event ids."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects import sqlite

from oversight.adapters.store import tables as t
from oversight.states.directory import StaffMember
from oversight.workflows.ports.store import StaffRecord


class SqlOutbox:
    """The ``outbox`` table: messages for the receivers, numbered in the order added."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.next_seq: int | None = None
        """SQLite: the ``seq`` the next message takes, once read. The single writer holds the
        database's lock from its first write to its commit, so no other transaction can take
        a number meanwhile; a savepoint rolled back sets it back (:meth:`resume_at`)."""

    def add(self, messages: Iterable[dict[str, Any]]) -> None:
        """Append messages in the order given; ``seq`` records that order for delivery."""
        rows = list(messages)
        if not rows:
            return
        dialect = self.connection.dialect.name
        if dialect == "postgresql":  # its identity numbers the rows
            self.connection.execute(insert(t.outbox), self._renewed(rows, self._taken(rows)))
            return
        first = self.next_seq
        if first is None:
            first = (self.connection.execute(select(func.max(t.outbox.c.seq))).scalar() or 0) + 1
        numbered = [{**row, "seq": number} for number, row in enumerate(rows, first)]
        if dialect == "sqlite":
            # Insert first and renew after: a taken id is rare (a change raised again after a
            # retraction), so the common add is one statement. The rows skipped are those an
            # id check would have renewed; they go in next under their new ids and own seq.
            added = set(self.connection.execute(sqlite.insert(t.outbox).on_conflict_do_nothing(
                index_elements=[t.outbox.c.id]).returning(t.outbox.c.id), numbered).scalars())
            if len(added) < len(numbered):
                taken = {row["id"] for row in numbered} - added  # there before this add
                self.connection.execute(insert(t.outbox), [
                    row for row, asked in zip(self._renewed(numbered, taken), numbered,
                                              strict=True) if row["id"] != asked["id"]])
        else:
            self.connection.execute(insert(t.outbox), self._renewed(numbered, self._taken(rows)))
        self.next_seq = first + len(rows)

    def resume_at(self, next_seq: int | None) -> None:
        """What :attr:`next_seq` was when a savepoint began, now that it is rolled back."""
        self.next_seq = next_seq

    def _taken(self, rows: list[dict[str, Any]]) -> set[str]:
        """The ids of ``rows`` already in the outbox."""
        return set(self.connection.execute(select(t.outbox.c.id).where(
            t.outbox.c.id.in_([row["id"] for row in rows]))).scalars())

    @staticmethod
    def _renewed(rows: list[dict[str, Any]], taken: set[str]) -> list[dict[str, Any]]:
        """A message's id is its task, change and day, so a step replayed after a crash repeats
        it; one whose id is already in the outbox (``taken``) is the same change raised again
        (after a retraction withdrew it): it gets the next id derived from that one."""
        taken = set(taken)
        renewed = []
        for row in rows:
            ident, number = row["id"], 0
            while ident in taken:
                number += 1
                ident = str(uuid.uuid5(uuid.UUID(row["id"]), f"again:{number}"))
            taken.add(ident)
            if ident != row["id"]:
                row = {**row, "id": ident, "message": {**row["message"], "id": ident}}
            renewed.append(row)
        return renewed

    def pending(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        """Undelivered messages whose next attempt is due, in creation order."""
        query = (select(t.outbox.c.id, t.outbox.c.message, t.outbox.c.attempts)
                 .where(t.outbox.c.status == "pending", t.outbox.c.next_attempt_at <= now)
                 .order_by(t.outbox.c.seq).limit(limit))
        return [dict(row) for row in self.connection.execute(query).mappings()]

    def counts(self) -> dict[str, int]:
        rows = self.connection.execute(
            select(t.outbox.c.status, func.count()).group_by(t.outbox.c.status))
        return {status: count for status, count in rows}


_MEMBER = (t.staff.c.id, t.staff.c.role, t.staff.c.started, t.staff.c.line_manager,
           t.staff.c.qualified)
"""The columns of a :class:`StaffMember`, in its order."""


class SqlStaff:
    """The ``staff`` table, as the domain's :class:`StaffMember`."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def upsert_records(self, records: Iterable[StaffRecord]) -> dict[str, int]:
        from oversight.adapters.store.inbound import upsert_staff_records

        return upsert_staff_records(self.connection, records)

    def member(self, person: str) -> StaffMember | None:
        row = self.connection.execute(select(*_MEMBER).where(t.staff.c.id == person)).first()
        return StaffMember(*row) if row else None

    def members(self, people: Iterable[str]) -> dict[str, StaffMember]:
        wanted, found = list(dict.fromkeys(people)), dict[str, StaffMember]()
        for start in range(0, len(wanted), 500):
            for row in self.connection.execute(select(*_MEMBER).where(
                    t.staff.c.id.in_(wanted[start:start + 500]))):
                found[row[0]] = StaffMember(*row)
        return found

    def upsert(self, members: Iterable[StaffMember]) -> int:
        count = 0
        for member in members:
            values = {"role": member.role, "started": member.started,
                      "line_manager": member.line_manager, "qualified": member.qualified}
            done = self.connection.execute(
                update(t.staff).where(t.staff.c.id == member.id).values(**values))
            if done.rowcount == 0:
                self.connection.execute(insert(t.staff).values(id=member.id, **values))
            count += 1
        return count


    def line_managers(self) -> dict[str, str | None]:
        return {row.id: row.line_manager for row in self.connection.execute(
            select(t.staff.c.id, t.staff.c.line_manager))}

    def teams_of(self, people: Iterable[str]) -> set[str]:
        wanted, found = list(people), set[str]()
        for start in range(0, len(wanted), 500):
            found.update(team for team in self.connection.execute(select(t.staff.c.team).where(
                t.staff.c.id.in_(wanted[start:start + 500]))).scalars() if team)
        return found


class SqlMeta:
    """The ``meta`` table: the store's settings by key."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def get(self, key: str) -> str | None:
        return self.connection.execute(
            select(t.meta.c.value).where(t.meta.c.key == key)).scalar_one_or_none()

    def set(self, key: str, value: str) -> None:
        done = self.connection.execute(
            update(t.meta).where(t.meta.c.key == key).values(value=value))
        if done.rowcount == 0:
            self.connection.execute(insert(t.meta).values(key=key, value=value))


@cache
def _claim(dialect: str) -> Any:
    """The claim of an event id, built once per dialect (one an event); None for a dialect
    without ``ON CONFLICT``. PostgreSQL's module is imported only by a store that is one: it
    takes a tenth of a second, which a read of a SQLite store does not need."""
    if dialect == "sqlite":
        module: Any = sqlite
    elif dialect == "postgresql":
        from sqlalchemy.dialects import postgresql as module
    else:
        return None
    return module.insert(t.processed_events).on_conflict_do_nothing().returning(
        t.processed_events.c.event_id)


class SqlEvents:
    """The ``processed_events`` table: ids of the events applied."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def claim(self, event_id: str, type_: str, now: datetime) -> bool:
        """Record that an event id is applied; False if it already was.

        One statement: the insert does nothing on a taken id, and returns the id only when it
        wrote it (RETURNING, not the row count: SQLAlchemy closes an insert's cursor before
        psycopg's count can be read). On PostgreSQL a second writer claiming the same id waits
        for the first to commit and then finds it taken, where a select would not have seen it.
        """
        values = {"event_id": event_id, "type": type_, "applied_at": now}
        claim = _claim(self.connection.dialect.name)
        if claim is not None:
            return self.connection.execute(claim, values).first() is not None
        if self.applied(event_id):
            return False
        self.connection.execute(insert(t.processed_events).values(**values))
        return True

    def applied(self, event_id: str) -> bool:
        return self.connection.execute(select(t.processed_events.c.event_id).where(
            t.processed_events.c.event_id == event_id)).first() is not None

    def live_from(self, prefix: str) -> list[str]:
        applied, log = t.processed_events.c.event_id, t.event_log.c
        retracted = select(log.record_id).where(log.record_id == applied,
                                                log.retracted_at.is_not(None)).exists()
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return list(self.connection.execute(
            select(applied).where(applied.like(f"{pattern}%", escape="\\"), ~retracted)
            .order_by(applied)).scalars())

    def expect(self, event_ids: Sequence[str]) -> None:
        """Claims here are one statement each (see :class:`~.group_repositories.HeldEvents`)."""

    def applied_among(self, event_ids: Sequence[str]) -> set[str]:
        """Those of ``event_ids`` already applied, read together."""
        wanted, found = list(dict.fromkeys(event_ids)), set[str]()
        for start in range(0, len(wanted), 500):
            found.update(self.connection.execute(select(t.processed_events.c.event_id).where(
                t.processed_events.c.event_id.in_(wanted[start:start + 500]))).scalars())
        return found
