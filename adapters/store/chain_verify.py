"""``oversight audit verify``'s walk of one chain: the first row that does not hold, named.

Each row, in place order: its place follows the last (a gap is a deletion, a repeat a splice);
its content matches its digest, or, erased, the erasure's keyed seal; its link follows from the
row before under the key of that part of the chain (the plain SHA-256 before the first key);
the first row of each key follows the link that key's entry recorded; the last reaches the
head, and the head names the newest key. A row outside the chain (``seq`` null once its
transaction has committed) is named too. The anchors are checked by
:mod:`oversight.adapters.store.chain_anchors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, select

from oversight.adapters.store import tables as t
from oversight.adapters.store.chain import CONTENT, GENESIS, TABLES, digest, erasure_seal, link
from oversight.adapters.store.chain_keys import Keyring, bind, keyring_of
from oversight.workflows.ports.custody import Verdict


def verify(connection: Connection, name: str, keyring: Keyring | None = None) -> Verdict:
    """Walk ``name``'s chain from the first row; stop at the first row that does not hold."""
    keyring = bind(keyring, connection) if keyring is not None else keyring_of(connection)
    keys = keyring.keys if keyring is not None else []
    table = TABLES[name]
    outside = connection.execute(select(func.count(), func.min(table.c.id)).select_from(
        table).where(table.c.seq.is_(None))).one()
    heads = t.chain_heads
    head = connection.execute(select(heads.c.seq, heads.c.chain, heads.c.key_id).where(
        heads.c.name == name)).first()
    columns = [table.c[column] for column in CONTENT[name]]
    query = select(table.c.id, table.c.seq, table.c.digest, table.c.chain, table.c.erased_at,
                   table.c.erased_digest, *columns).where(
        table.c.seq.is_not(None)).order_by(table.c.seq)
    content = slice(6, None)
    previous, expected, rows, erased = GENESIS, 1, 0, 0
    head_key = head.key_id if head else None

    def broken(row: Mapping[Any, Any] | None, reason: str, seq: int | None = None) -> Verdict:
        return Verdict(name, rows, erased, outside[0], head_key, row["id"] if row else None,
                       row["seq"] if row else seq, reason)

    for line in connection.execute(query.execution_options(yield_per=2000)):
        row = line._mapping
        seq = row["seq"]
        if seq != expected:
            return broken(row, f"row {expected} of the chain is missing (deleted?)"
                          if seq > expected else "a row repeats a place in the chain")
        key = keyring.for_place(name, seq) if keyring is not None else None
        if key is not None and key.starts[name] == seq and key.after[name] != previous:
            return broken(row, f"the chain before key {key.id}'s first row is not the one "
                               f"recorded when that key was made (the earlier part rewritten?)")
        if row["erased_at"] is None:
            if digest(line[content]) != row["digest"]:
                return broken(row, "the row's content does not match its digest (edited)")
        elif keys:
            problem = _erasure_problem(keyring, row, line[content])
            if problem:
                return broken(row, problem)
        if link(previous, seq, row["digest"], key) != row["chain"]:
            return broken(row, "the row's link does not follow from the row before it" + (
                f" under key {key.id} (reordered, inserted, recomputed without the key, or the key "
                f"file swapped?)"
                if key is not None else ""))
        previous, expected = row["chain"], expected + 1
        rows += 1
        erased += row["erased_at"] is not None
    last_seq, last_chain = (int(head.seq), str(head.chain)) if head else (0, GENESIS)
    if (expected - 1, previous) != (last_seq, last_chain):
        return broken(None, f"the chain ends at row {expected - 1} but its head is row "
                            f"{last_seq} (rows cut from the end?)", expected)
    newest = keys[-1].id if keys else None
    if head_key != newest:
        return broken(None, f"the chain's head names key {head_key or 'none'} but the key file"
                            f" {'holds ' + newest if newest else 'is missing'} (key file "
                            f"swapped, lost or rolled back?)", last_seq)
    if outside[0]:
        return Verdict(name, rows, erased, outside[0], head_key, outside[1], None,
                       f"{outside[0]} row(s) outside the chain (seq empty), the first id "
                       f"{outside[1]}: written by no unit of work (inserted by hand?)")
    return Verdict(name, rows, erased, 0, head_key)


def _erasure_problem(keyring: Keyring | None, row: Mapping[Any, Any],
                     values: Any) -> str | None:
    seal = row["erased_digest"]
    if not seal:
        return "erased_at is set but no erasure sealed the row (set by hand to hide an edit?)"
    key_id, _, _ = str(seal).partition(":")
    key = keyring.by_id(key_id) if keyring is not None else None
    if key is None:
        return f"the row's erasure was sealed with key {key_id}, which the key file lacks"
    if erasure_seal(key, row["seq"], row["digest"], row["erased_at"], values) != seal:
        return "the erased row's content does not match its erasure's seal (edited)"
    return None


__all__ = ["Verdict", "verify"]
