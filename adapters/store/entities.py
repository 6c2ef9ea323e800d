"""Lifecycles in the store: :class:`SqlEntities`, the entities repository of the store port."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Connection, Select, bindparam, func, or_, select

from oversight.adapters.store import tables as t
from oversight.workflows.ports.store import StoredEntity

CHUNK = 500
"""Keys per ``IN`` list: well under any database's limit on bound parameters."""
_COLUMNS = tuple(t.entities.c[field.name] for field in dataclasses.fields(StoredEntity))
"""The columns of a :class:`StoredEntity`, in its order: a row is made without names."""


def locked(connection: Connection, query: Select) -> Select:
    """On PostgreSQL, entities a unit of work loads stay locked (``FOR UPDATE``) until it ends:
    a concurrent writer of the same entity waits for the commit, then loads the new version,
    instead of failing its version check (SQLite has one writer at a time)."""
    if connection.dialect.name == "postgresql":
        return query.with_for_update()
    return query


_PREBUILT: dict[tuple[bool, bool, bool, bool], Select] = {}


def _prebuilt(connection: Connection, one: bool, subject: bool, party: bool) -> Select:
    """The read of one entity (``k``, ``i``) or of a kind's entities by subject (``s``) and
    party (``p``), built once: building a statement costs more than running it (the routes
    read an entity or two for every event)."""
    key = (one, subject, party, connection.dialect.name == "postgresql")
    query = _PREBUILT.get(key)
    if query is None:
        query = select(*_COLUMNS).where(t.entities.c.kind == bindparam("k"))
        if one:
            query = query.where(t.entities.c.id == bindparam("i"))
        if subject:
            query = query.where(t.entities.c.subject == bindparam("s"))
        if party:
            query = query.where(t.entities.c.party == bindparam("p"))
        if not one:
            query = query.order_by(t.entities.c.started_on, t.entities.c.id)
        query = _PREBUILT[key] = locked(connection, query)
    return query


class SqlEntities:
    """The ``entities`` table, read in one unit of work's transaction."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def get(self, kind: str, entity_id: str) -> StoredEntity | None:
        row = self.connection.execute(_prebuilt(self.connection, True, False, False),
                                      {"k": kind, "i": entity_id}).first()
        return StoredEntity(*row) if row else None

    def get_many(self, keys: Sequence[tuple[str, str]]
                 ) -> dict[tuple[str, str], StoredEntity]:
        """Entities by (kind, id), one query per kind and :data:`CHUNK` ids, locked on
        PostgreSQL as :meth:`get` locks.

        ``kind = ? AND id IN (...)`` searches the primary key; SQLite plans the row-value form
        ``(kind, id) IN ((?, ?), ...)`` as a scan of the whole table, whose cost follows the
        store's size instead of the batch's."""
        by_kind: dict[str, list[str]] = {}
        for kind, entity_id in dict.fromkeys(keys):
            by_kind.setdefault(kind, []).append(entity_id)
        found: dict[tuple[str, str], StoredEntity] = {}
        for kind, ids in by_kind.items():
            for start in range(0, len(ids), CHUNK):
                result = self.connection.execute(locked(self.connection, select(*_COLUMNS).where(
                    t.entities.c.kind == kind, t.entities.c.id.in_(ids[start:start + CHUNK]))))
                for row in result:
                    found[(row[0], row[1])] = StoredEntity(*row)
        return found

    def find(self, kind: str, *, subject: str | None = None,
             party: str | None = None) -> list[StoredEntity]:
        query = _prebuilt(self.connection, False, subject is not None, party is not None)
        rows = self.connection.execute(query, {"k": kind, "s": subject, "p": party})
        return [StoredEntity(*row) for row in rows]

    def counts(self) -> list[tuple[str, str, int]]:
        query = (select(t.entities.c.kind, t.entities.c.state, func.count())
                 .group_by(t.entities.c.kind, t.entities.c.state)
                 .order_by(t.entities.c.kind, t.entities.c.state))
        return [(kind, state, count) for kind, state, count in self.connection.execute(query)]

    def listing(self, kinds: Sequence[str], *, subjects: Iterable[str] | None = None,
                party: str | None = None, person: str | None = None) -> list[StoredEntity]:
        query = select(t.entities).where(t.entities.c.kind.in_(list(kinds)))
        if subjects is not None:
            query = query.where(t.entities.c.subject.in_(list(subjects)))
        if party is not None:
            query = query.where(t.entities.c.party == party)
        if person is not None:
            query = query.where(or_(t.entities.c.subject == person, t.entities.c.party == person))
        rows = self.connection.execute(query.order_by(t.entities.c.started_on, t.entities.c.id))
        return [StoredEntity(**row) for row in rows.mappings()]

    def last_updated(self) -> date | None:
        return self.connection.execute(
            select(func.max(t.entities.c.updated_on))).scalar_one_or_none()
