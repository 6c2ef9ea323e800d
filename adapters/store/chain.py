"""A hash chain over the append-only tables (``audit``, ``access_log``): tamper-evidence.

Each row carries its place in the chain (``seq``), the SHA-256 of its content (``digest``, over a
fixed list of columns so a later revision's new column changes no old digest) and the link
``chain = sha256(previous chain : seq : digest)``. ``chain_heads`` holds the last link of each
table. Editing a row breaks its digest; deleting one leaves a gap in ``seq``; reordering or
splicing breaks a link; cutting the tail no longer reaches the head.

Rows are written unsealed (``seq`` null) and sealed when their transaction commits
(:func:`seal`, called from the unit of work's commit): the head is locked only then, after every
entity lock the transaction takes, so two writers never wait on each other in a circle. On
PostgreSQL a transaction sees only its own unsealed rows (the others' are uncommitted); SQLite
has one writer at a time.

Erasure (``adapters/store/erasure.py``) replaces a row's personal fields and sets ``erased_at``;
the row keeps its digest, so the chain still verifies, and the erasure itself is recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update

from oversight.adapters.store import tables as t

GENESIS = "0" * 64
"""The link before the first row."""

CONTENT: dict[str, tuple[str, ...]] = {
    "audit": ("entity_kind", "entity_id", "source", "dest", "trigger", "cause", "on", "rule",
              "actor", "event_id", "recorded_at"),
    "access_log": ("at", "token_id", "person", "role", "resource", "target", "outcome",
                   "purpose", "reader"),
}
"""The columns each digest covers, fixed: a column added later is outside the chain."""

TABLES: dict[str, Table] = {"audit": t.audit, "access_log": t.access_log}


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # SQLite gives instants back without a zone: both UTC
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def digest(values: Sequence[Any]) -> str:
    """The SHA-256 of a row's chained columns (in :data:`CONTENT` order), as canonical JSON."""
    text = json.dumps([_canonical(value) for value in values], sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link(previous: str, seq: int, row_digest: str) -> str:
    return hashlib.sha256(f"{previous}:{seq}:{row_digest}".encode("ascii")).hexdigest()


def _head(connection: Connection, name: str) -> tuple[int, str]:
    """The head of ``name``'s chain, locked until the transaction ends (PostgreSQL)."""
    query = select(t.chain_heads.c.seq, t.chain_heads.c.chain).where(
        t.chain_heads.c.name == name)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).first()
    if row is None:
        connection.execute(insert(t.chain_heads).values(name=name, seq=0, chain=GENESIS))
        return 0, GENESIS
    return int(row.seq), str(row.chain)


def seal(connection: Connection, name: str, table: Table | None = None) -> int:
    """Give this transaction's unsealed rows of ``name`` their place in the chain: how many."""
    table = TABLES[name] if table is None else table
    # The unsealed ids through the seq index, always (SQLite: INDEXED BY), then their rows
    # by id. Left to itself, under the statistics a bulk load leaves (ANALYZE while every
    # line was unsealed: seq looks unselective), SQLite scans the whole table for them, at
    # every commit, and the table only grows.
    if connection.dialect.name == "sqlite":  # SQLAlchemy renders no table hint for SQLite
        found = connection.exec_driver_sql(  # the table's name is this module's, not input
            f"SELECT id FROM {table.name} INDEXED BY ix_{table.name}_seq WHERE seq IS NULL")
    else:
        found = connection.execute(select(table.c.id).where(table.c.seq.is_(None)))
    ids = [row[0] for row in found]
    if not ids:
        return 0
    seq, previous = _head(connection, name)
    columns = [table.c[column] for column in CONTENT[name]]
    rows = sorted((row for start in range(0, len(ids), 10_000)
                   for row in connection.execute(select(table.c.id, *columns).where(
                       table.c.id.in_(ids[start:start + 10_000])))), key=lambda row: row[0])
    updates = []
    for row in rows:
        seq += 1
        row_digest = digest(row[1:])
        previous = link(previous, seq, row_digest)
        updates.append({"rid": row[0], "s": seq, "d": row_digest, "c": previous})
    connection.execute(update(table).where(table.c.id == bindparam("rid")).values(
        seq=bindparam("s"), digest=bindparam("d"), chain=bindparam("c")), updates)
    connection.execute(update(t.chain_heads).where(t.chain_heads.c.name == name).values(
        seq=seq, chain=previous))
    return len(updates)


def seal_all(connection: Connection) -> None:
    """Seal every chained table's unsealed rows: the unit of work calls this as it commits."""
    for name in TABLES:
        seal(connection, name)


@dataclass(frozen=True)
class Verdict:
    """What ``oversight audit verify`` reports for one table."""

    table: str
    rows: int
    """Rows checked, in chain order."""
    erased: int
    """Rows whose personal fields were erased: their links are checked, not their content."""
    unsealed: int
    broken_at: int | None = None
    """The ``id`` of the first row whose link is broken (None: the chain holds)."""
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.reason is None

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table, "rows": self.rows, "erased": self.erased,
                "unsealed": self.unsealed, "intact": self.intact, "broken_at": self.broken_at,
                "broken_seq": self.broken_seq, "reason": self.reason}


def verify(connection: Connection, name: str) -> Verdict:
    """Walk ``name``'s chain from the first row; stop at the first broken link."""
    table = TABLES[name]
    unsealed = connection.execute(select(func.count()).select_from(table).where(
        table.c.seq.is_(None))).scalar_one()
    head = connection.execute(select(t.chain_heads.c.seq, t.chain_heads.c.chain).where(
        t.chain_heads.c.name == name)).first()
    columns = [table.c[column] for column in CONTENT[name]]
    query = select(table.c.id, table.c.seq, table.c.digest, table.c.chain, table.c.erased_at,
                   *columns).where(table.c.seq.is_not(None)).order_by(table.c.seq)
    content = slice(5, None)
    previous, expected, rows, erased = GENESIS, 1, 0, 0

    def broken(row: Mapping[Any, Any] | None, reason: str) -> Verdict:
        return Verdict(name, rows, erased, unsealed, row["id"] if row else None,
                       row["seq"] if row else None, reason)

    for line in connection.execute(query.execution_options(yield_per=2000)):
        row = line._mapping
        if row["seq"] != expected:
            return broken(row, f"row {expected} of the chain is missing (deleted?)"
                          if row["seq"] > expected else "a row repeats a place in the chain")
        if row["erased_at"] is None and digest(line[content]) != row["digest"]:
            return broken(row, "the row's content does not match its digest (edited)")
        if link(previous, row["seq"], row["digest"]) != row["chain"]:
            return broken(row, "the row's link does not follow from the row before it")
        previous, expected = row["chain"], expected + 1
        rows += 1
        erased += row["erased_at"] is not None
    last_seq, last_chain = (int(head.seq), str(head.chain)) if head else (0, GENESIS)
    if (expected - 1, previous) != (last_seq, last_chain):
        return Verdict(name, rows, erased, unsealed, None, expected,
                       f"the chain ends at row {expected - 1} but its head is row {last_seq} "
                       f"(rows cut from the end?)")
    return Verdict(name, rows, erased, unsealed)


__all__ = ["CONTENT", "GENESIS", "TABLES", "Verdict", "digest", "link", "seal", "seal_all",
           "verify"]
