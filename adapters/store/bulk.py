"""Bulk loading: the rows the engine wrote for a few template entities, replicated under new
identifiers by the hundred thousand.

A :class:`Template` holds every row some entities own (entities, timers, tasks, audit, and the
staff rows of their people) exactly as the engine stored them, with each person's identifier
replaced by a format field (``{c}``, ``{w}``…). :func:`fill` puts real identifiers back.
:class:`BulkLoad` writes rows straight to the store's tables: SQLite by ``executemany`` in one
transaction, PostgreSQL by ``COPY``. Rows are streamed: memory does not grow with the store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from oversight.adapters.store.database import postgres_url
from oversight.workflows.ports.templates import Template, fill, formattable

COLUMNS: dict[str, tuple[str, ...]] = {
    "staff": ("id", "role", "started", "line_manager", "qualified", "part_time", "agency", "team"),
    "entities": ("kind", "id", "authority", "policy_version", "state", "version", "subject",
                 "party", "started_on", "updated_on", "data"),
    "timers": ("entity_kind", "entity_id", "name", "fires_on", "rule", "basis"),
    "tasks": ("id", "entity_kind", "entity_id", "key", "type", "assignee", "assignee_role",
              "subject", "raised_on", "due", "state", "closed_on", "breached_on", "authority",
              "section", "rule", "basis", "escalates", "level"),
    "audit": ("entity_kind", "entity_id", "source", "dest", "trigger", "cause", "on", "rule",
              "actor", "event_id", "recorded_at"),
}
"""The columns a template copies, per table; generated ids (timers, audit) are left out."""
INSTANTS = {("audit", "recorded_at")}
"""UTC instants that SQLite stores without their offset; PostgreSQL is told it is UTC."""


def capture(path: Path, owners: Iterable[tuple[str, str]], people: Iterable[str],
            tokens: Mapping[str, str]) -> Template:
    """The rows of entities ``owners`` (kind, id) and staff ``people`` in the SQLite store at
    ``path``, as stored (text dates and JSON), made into a :class:`Template` over ``tokens``."""
    template = Template({table: [] for table in COLUMNS})
    db = sqlite3.connect(path)
    try:
        def select(table: str, where: str, key: tuple[str, ...], order: str) -> None:
            names = ", ".join(f'"{c}"' for c in COLUMNS[table])
            for row in db.execute(f"SELECT {names} FROM {table} WHERE {where} ORDER BY {order}",
                                  key):
                template.rows[table].append(tuple(formattable(v, tokens) for v in row))

        for kind, ident in owners:
            select("entities", "kind = ? AND id = ?", (kind, ident), "id")
            for table in ("timers", "tasks", "audit"):
                select(table, "entity_kind = ? AND entity_id = ?", (kind, ident),
                       "id" if table != "tasks" else "raised_on, id")
        for person in people:
            select("staff", "id = ?", (person,), "id")
    finally:
        db.close()
    return template


def entity_keys(path: Path) -> list[tuple[str, str]]:
    """(kind, id) of every entity in the SQLite store at ``path``, in the order written."""
    db = sqlite3.connect(path)
    try:
        return [(kind, ident) for kind, ident in db.execute("SELECT kind, id FROM entities")]
    finally:
        db.close()


class BulkLoad:
    """Appends rows to a store's tables in one go; ``close`` commits and refreshes statistics."""

    def __init__(self, url: str):
        self.url = url
        self.postgres = not url.startswith("sqlite")
        if self.postgres:
            import psycopg

            conninfo = make_url(postgres_url(url)).set(drivername="postgresql")
            self._pg = psycopg.connect(conninfo.render_as_string(hide_password=False))
        else:
            self._db = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("PRAGMA cache_size=-262144")
            self._db.execute("BEGIN IMMEDIATE")

    def write(self, table: str, rows: Iterable[tuple[Any, ...]]) -> int:
        """Append ``rows`` (values in :data:`COLUMNS` order) to ``table``; how many."""
        columns = COLUMNS[table]
        count = 0
        if self.postgres:
            instants = [i for i, c in enumerate(columns) if (table, c) in INSTANTS]
            names = ", ".join(f'"{c}"' for c in columns)
            with self._pg.cursor() as cursor, \
                    cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    if instants:
                        row = tuple(f"{v}+00" if i in instants and v is not None else v
                                    for i, v in enumerate(row))
                    copy.write_row(row)
                    count += 1
            return count

        def counted() -> Iterable[tuple[Any, ...]]:
            nonlocal count
            for row in rows:
                count += 1
                yield row

        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        self._db.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", counted())
        return count

    def close(self) -> None:
        if self.postgres:
            self._pg.commit()
            self._pg.close()
        else:
            self._db.execute("COMMIT")
            self._db.close()
        # The audit rows written here join the hash chain now, not in the first sweep's
        # transaction (issue 14, adapters/store/chain.py); the planner's statistics are taken
        # after that: taken while every line's seq was NULL, they made PostgreSQL (and SQLite)
        # find a commit's few unsealed lines by scanning the whole trail, at every commit.
        from oversight.adapters.store import chain
        from oversight.adapters.store.database import make_engine

        engine = make_engine(self.url)
        with engine.begin() as connection:
            for name in chain.TABLES:  # this load's own lines, written outside any unit of work
                chain.adopt_unsealed(connection, name)
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        engine.dispose()


__all__ = ["COLUMNS", "BulkLoad", "Template", "capture", "entity_keys", "fill", "formattable"]
