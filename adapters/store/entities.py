"""Lifecycles in the store: :class:`SqlEntities`, the entities repository of the store port."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Connection, Select, func, or_, select, tuple_

from oversight.adapters.store import tables as t
from oversight.workflows.ports import StoredEntity

CHUNK = 500
"""Keys per ``IN`` list: well under any database's limit on bound parameters."""


def locked(connection: Connection, query: Select) -> Select:
    """On PostgreSQL, entities a unit of work loads stay locked (``FOR UPDATE``) until it ends:
    a concurrent writer of the same entity waits for the commit, then loads the new version,
    instead of failing its version check (SQLite has one writer at a time)."""
    if connection.dialect.name == "postgresql":
        return query.with_for_update()
    return query


class SqlEntities:
    """The ``entities`` table, read in one unit of work's transaction."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def get(self, kind: str, entity_id: str) -> StoredEntity | None:
        row = self.connection.execute(locked(self.connection, select(t.entities).where(
            t.entities.c.kind == kind, t.entities.c.id == entity_id))).mappings().first()
        return StoredEntity(**row) if row else None

    def get_many(self, keys: Sequence[tuple[str, str]]
                 ) -> dict[tuple[str, str], StoredEntity]:
        """Entities by (kind, id) in a few queries, locked on PostgreSQL as :meth:`get` locks."""
        found: dict[tuple[str, str], StoredEntity] = {}
        for start in range(0, len(keys), CHUNK):
            rows = self.connection.execute(locked(self.connection, select(t.entities).where(
                tuple_(t.entities.c.kind, t.entities.c.id).in_(list(keys[start:start + CHUNK])))))
            for row in rows.mappings():
                found[(row["kind"], row["id"])] = StoredEntity(**row)
        return found

    def find(self, kind: str, *, subject: str | None = None,
             party: str | None = None) -> list[StoredEntity]:
        query = select(t.entities).where(t.entities.c.kind == kind)
        if subject is not None:
            query = query.where(t.entities.c.subject == subject)
        if party is not None:
            query = query.where(t.entities.c.party == party)
        rows = self.connection.execute(locked(
            self.connection, query.order_by(t.entities.c.started_on, t.entities.c.id)))
        return [StoredEntity(**row) for row in rows.mappings()]

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
