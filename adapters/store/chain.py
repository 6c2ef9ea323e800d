"""A hash chain over the append-only tables (``audit``, ``access_log``): tamper-evidence.

Each row carries its place in the chain (``seq``), the SHA-256 of its content (``digest``, over a
fixed list of columns so a later revision's new column changes no old digest) and the link
``chain = HMAC(key, previous chain : seq : digest)``, the key being outside the store
(:mod:`oversight.adapters.store.chain_keys`; rows sealed before a store had a key keep their
plain SHA-256 links). ``chain_heads`` holds the last link of each table and the key that made it.
Editing a row breaks its digest; deleting one leaves a gap in ``seq``; reordering, splicing or
recomputing the chain without the key breaks a link; cutting the tail and moving the head back
is found against the last anchor (:mod:`oversight.adapters.store.chain_anchors`).

Rows are written unsealed (``seq`` null) and each unit of work seals the rows it wrote itself
(:func:`written` names them, :func:`seal` takes those and no other) when it commits: a row
inserted by hand with ``seq`` null stays outside the chain, and ``audit verify`` names it. The
head is locked only then, after every entity lock the transaction takes, so two writers never
wait on each other in a circle.

Erasure (``adapters/store/erasure.py``) replaces a row's personal fields, sets ``erased_at``
and seals what it left (``erased_digest``: a keyed MAC over the place, the original digest, the
erasure's time and the new content), so the row keeps its place and its content is still
checked; an ``erased_at`` set by hand has no such seal.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from oversight.adapters.store import tables as t
from oversight.adapters.store.chain_keys import Key, Keyring, keyring_of
from oversight.states.errors import StoreNotReady
from oversight.states.event_time import naive_utc

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
        return naive_utc(value).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json(values: Sequence[Any]) -> str:
    return json.dumps([_canonical(value) for value in values], sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True, default=str)


def digest(values: Sequence[Any]) -> str:
    """The SHA-256 of a row's chained columns (in :data:`CONTENT` order), as canonical JSON."""
    return hashlib.sha256(_json(values).encode("utf-8")).hexdigest()


def link(previous: str, seq: int, row_digest: str, key: Key | None = None) -> str:
    """The row's link: HMAC-SHA256 under ``key``; plain SHA-256 for the part before any key."""
    text = f"{previous}:{seq}:{row_digest}"
    if key is None:
        return hashlib.sha256(text.encode("ascii")).hexdigest()
    return key.mac(text)


def erasure_seal(key: Key, seq: int, row_digest: str, erased_at: datetime,
                 values: Sequence[Any]) -> str:
    """What an erasure leaves in ``erased_digest``: the key's id and a MAC over the row's
    place, its original digest, the erasure's time and the content it left."""
    return f"{key.id}:" + key.mac(f"{seq}:{row_digest}:" + _json([erased_at, *values]))


def seal_erased(connection: Connection, name: str, key: Key, *where: Any) -> None:
    """Seal the erased rows of ``name`` that ``where`` picks, over their content as read back
    (as ``audit verify`` reads it)."""
    table = TABLES[name]
    columns = [table.c[column] for column in CONTENT[name]]
    seals = [{"rid": line[0], "e": erasure_seal(key, line[1], line[2], line[3], line[4:])}
             for line in connection.execute(select(
                 table.c.id, table.c.seq, table.c.digest, table.c.erased_at, *columns).where(
                 table.c.erased_at.is_not(None), table.c.seq.is_not(None), *where))]
    if seals:
        connection.execute(update(table).where(table.c.id == bindparam("rid")).values(
            erased_digest=bindparam("e")), seals)


# ----- sealing: each unit of work its own rows ---------------------------------------------------

_WRITTEN: weakref.WeakKeyDictionary[Connection, tuple[weakref.ref[Any], dict[str, list[int]]]] \
    = weakref.WeakKeyDictionary()


def written(connection: Connection, name: str, ids: Iterable[int]) -> None:
    """Name rows of ``name`` this transaction inserted: :func:`seal` takes these and no other."""
    transaction = connection.get_transaction()
    held = _WRITTEN.get(connection)
    if held is None or held[0]() is not transaction:  # a new transaction forgets the last's
        held = (weakref.ref(transaction), {})
        _WRITTEN[connection] = held
    held[1].setdefault(name, []).extend(ids)


def seal(connection: Connection, name: str) -> int:
    """Give the unsealed rows of ``name`` this transaction wrote their place in the chain."""
    held = _WRITTEN.get(connection)
    if held is None or held[0]() is not connection.get_transaction():
        return 0
    ids = held[1].pop(name, [])
    return _seal_ids(connection, name, ids) if ids else 0


def seal_all(connection: Connection) -> None:
    """Seal every chained table's rows this transaction wrote: the unit of work calls this as
    it commits."""
    for name in TABLES:
        seal(connection, name)


def adopt_unsealed(connection: Connection, name: str) -> int:
    """Seal every unsealed row of ``name``, whoever wrote it: only for a load that wrote them
    itself outside a unit of work (``oversight synth``'s bulk load, revision 0006's first seal
    of the rows written before the chain existed)."""
    table = TABLES[name]
    # The unsealed ids through the seq index (SQLite: INDEXED BY): under the statistics a bulk
    # load leaves, SQLite would otherwise scan the whole table for them.
    if connection.dialect.name == "sqlite":  # SQLAlchemy renders no table hint for SQLite
        found = connection.exec_driver_sql(  # the table's name is this module's, not input
            f"SELECT id FROM {table.name} INDEXED BY ix_{table.name}_seq WHERE seq IS NULL")
    else:
        found = connection.execute(select(table.c.id).where(table.c.seq.is_(None)))
    return _seal_ids(connection, name, [row[0] for row in found])


def head(connection: Connection, name: str, *, lock: bool = True) -> tuple[int, str, str | None]:
    """The head of ``name``'s chain (place, link, key id), locked until the transaction ends
    (PostgreSQL; SQLite's writer holds the whole store)."""
    heads = t.chain_heads
    query = select(heads.c.seq, heads.c.chain, heads.c.key_id).where(heads.c.name == name)
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).first()
    if row is None:
        connection.execute(insert(heads).values(name=name, seq=0, chain=GENESIS))
        return 0, GENESIS, None
    return int(row.seq), str(row.chain), row.key_id


def sealing_key(keyring: Keyring | None, head_key: str | None) -> Key | None:
    """The key a seal uses now: the key file's newest. A chain whose head a key made is never
    continued without one (a process that has no key file refuses to commit)."""
    key = keyring.current() if keyring is not None else None
    if key is None and head_key is not None:
        where = f" at {keyring.path}" if keyring is not None else ""
        raise StoreNotReady(f"the audit chain is sealed with key {head_key} but no key file "
                            f"was found{where}: restore it, or name it in "
                            f"OVERSIGHT_AUDIT_KEY_FILE")
    return key


def _seal_ids(connection: Connection, name: str, ids: list[int]) -> int:
    table = TABLES[name]
    columns = [table.c[column] for column in CONTENT[name]]
    rows = sorted((row for start in range(0, len(ids), 10_000)
                   for row in connection.execute(select(table.c.id, *columns).where(
                       table.c.id.in_(ids[start:start + 10_000]), table.c.seq.is_(None)))),
                  key=lambda row: row[0])
    if not rows:
        return 0
    seq, previous, head_key = head(connection, name)
    key = sealing_key(keyring_of(connection), head_key)  # read after the head is locked
    updates = []
    for row in rows:
        seq += 1
        row_digest = digest(row[1:])
        previous = link(previous, seq, row_digest, key)
        updates.append({"rid": row[0], "s": seq, "d": row_digest, "c": previous})
    connection.execute(update(table).where(table.c.id == bindparam("rid")).values(
        seq=bindparam("s"), digest=bindparam("d"), chain=bindparam("c")), updates)
    connection.execute(update(t.chain_heads).where(t.chain_heads.c.name == name).values(
        seq=seq, chain=previous, key_id=key.id if key else head_key))
    return len(updates)


__all__ = ["CONTENT", "GENESIS", "TABLES", "adopt_unsealed", "digest", "erasure_seal", "head",
           "link", "seal", "seal_all", "seal_erased", "sealing_key", "written"]
