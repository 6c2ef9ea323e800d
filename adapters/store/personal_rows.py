"""The rows that name a person, in every table of the store, and how to rename them.

The store holds identifiers, never names: a person appears as their id, alone (``assignee``,
``person``, ``actor``) or as a part of another id (``relationship`` ``tm1:sw1``, a task id, a
CloudEvent's ``subject`` ``supervisee:sw1``, an actor "system:lcs for sw1"), in text and JSON
columns alike. An identifier is made of ``[A-Za-z0-9_.-]``, so the person's id is found as a
whole word between other characters — ``sw1`` in ``tm1:sw1`` but not in ``sw10``.

Every table is searched (the metadata's, so a table added by a later revision is included);
only the bookkeeping tables that hold no person (the chain heads, the erasures, the Alembic
version) are left out. Subject access reads what :func:`rows_naming` finds; erasure rewrites
it with :func:`renamed`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import JSON, Connection, String, Table, Text, cast, or_, select

from oversight.adapters.store import tables as t

SKIPPED = frozenset({"chain_heads", "erasures", "meta", "dashboard_sessions"})
"""Tables that hold no person's identifier."""
IDENTIFIER = r"[A-Za-z0-9_.-]"


def _word(person: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!{IDENTIFIER}){re.escape(person)}(?!{IDENTIFIER})")


def names(value: Any, pattern: re.Pattern[str]) -> bool:
    """Whether ``value`` (text, or JSON: keys and values) holds the person's id."""
    if isinstance(value, str):
        return pattern.search(value) is not None
    if isinstance(value, dict):
        return any(names(key, pattern) or names(item, pattern) for key, item in value.items())
    if isinstance(value, list):
        return any(names(item, pattern) for item in value)
    return False


def renamed(value: Any, pattern: re.Pattern[str], pseudonym: str) -> Any:
    """``value`` with every occurrence of the person's id replaced by ``pseudonym``."""
    if isinstance(value, str):
        return pattern.sub(pseudonym, value)
    if isinstance(value, dict):
        return {renamed(key, pattern, pseudonym): renamed(item, pattern, pseudonym)
                for key, item in value.items()}
    if isinstance(value, list):
        return [renamed(item, pattern, pseudonym) for item in value]
    return value


def personal_tables() -> list[Table]:
    return [table for table in t.metadata.sorted_tables if table.name not in SKIPPED]


def _searchable(table: Table) -> list[Any]:
    return [column for column in table.columns
            if isinstance(column.type, (String, Text, JSON))]


def rows_naming(connection: Connection, person: str, table: Table
                ) -> Iterator[dict[str, Any]]:
    """The rows of ``table`` that name ``person`` (a SQL filter first, then the exact word)."""
    columns = _searchable(table)
    if not columns:
        return
    like = f"%{person}%"
    query = select(table).where(or_(*[
        (cast(column, Text) if isinstance(column.type, JSON) else column).like(like)
        for column in columns]))
    pattern = _word(person)
    for row in connection.execute(query).mappings():
        if any(names(row[column.name], pattern) for column in columns):
            yield dict(row)


def pattern_for(person: str) -> re.Pattern[str]:
    return _word(person)


def existing_tables(connection: Connection) -> list[Table]:
    """The personal tables this store has (a table of a revision not yet run is left out)."""
    from sqlalchemy import inspect

    present = set(inspect(connection).get_table_names())
    return [table for table in personal_tables() if table.name in present]


__all__ = ["SKIPPED", "existing_tables", "names", "pattern_for", "personal_tables", "renamed",
           "rows_naming"]
