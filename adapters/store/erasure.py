"""Erasure: when a supervision file reaches its destruction date, its person leaves the store.

hull §3 keeps a supervision file for seven years after employment ends, then destroys it
(``retention`` in the policy; the ``SupervisionFile`` lifecycle arms the date). The purge finds
every file whose ``destroy_on`` has come and irreversibly anonymises its person everywhere the
store names them (:mod:`oversight.adapters.store.personal_rows`: staff, lifecycles, timers,
tasks, audit, access log, outbox, deliveries, tokens, and any table a later revision adds):
their id becomes a random pseudonym of which no record is kept, so nothing links it back.

What the figures need survives: the rows stay, with their dates, states and rules, so a
compliance report over those years counts the same tasks on time and breached. The audit and
access-log rows rewritten keep their place in the hash chain (``erased_at`` is set; their
digest and link are kept) and get a keyed seal over what the erasure left (``erased_digest``,
:func:`oversight.adapters.store.chain.erasure_seal`), so ``oversight audit verify`` still checks
their content; an ``erased_at`` set by hand has no seal. The destruction itself is recorded:
a row in ``erasures`` (when, by whom, how many rows of each table; never who) and a line in the
chained access log.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import Connection, and_, insert, select, update

from oversight.adapters.store import chain, inbound
from oversight.adapters.store import tables as t
from oversight.adapters.store.chain_keys import keyring_of
from oversight.adapters.store.personal_rows import (
    existing_tables,
    pattern_for,
    renamed,
    rows_naming,
)
from oversight.workflows.ports.personal_data import Erasure

CHAINED = frozenset({"audit", "access_log"})


def due_for_destruction(connection: Connection, as_of: date) -> list[str]:
    """The people whose supervision file's destruction date is on or before ``as_of``."""
    rows = connection.execute(select(t.entities.c.data).where(
        t.entities.c.kind == "supervision_file",
        t.entities.c.state.in_(("archived", "due_for_destruction", "destroyed"))))
    due = set()
    for (data,) in rows:
        destroy_on = data.get("destroy_on")
        if destroy_on and date.fromisoformat(destroy_on) <= as_of and \
                not str(data.get("person", "")).startswith("erased-"):
            due.add(data["person"])
    return sorted(due)


def destroyed_or_not(connection: Connection, people: list[str]) -> dict[str, bool]:
    """For each person, whether their supervision file is already ``destroyed``."""
    if not people:
        return {}
    rows = connection.execute(select(t.entities.c.subject, t.entities.c.state).where(
        t.entities.c.kind == "supervision_file", t.entities.c.subject.in_(people)))
    return {subject: state == "destroyed" for subject, state in rows}


def erase(connection: Connection, person: str, *, now: datetime, actor: str,
          reason: str) -> Erasure:
    """Anonymise ``person`` in every table, in the caller's transaction; record that it was
    done. The caller commits."""
    pseudonym = "erased-" + secrets.token_hex(8)
    pattern = pattern_for(person)
    counts: dict[str, int] = {}
    for table in existing_tables(connection):
        found = list(rows_naming(connection, person, table))
        keys = [column.name for column in table.primary_key.columns]
        for row in found:
            values = {name: renamed(value, pattern, pseudonym) for name, value in row.items()
                      if value != renamed(value, pattern, pseudonym)}
            if table.name == "api_tokens":
                values["revoked_at"] = row.get("revoked_at") or now
            if table.name in CHAINED:
                values["erased_at"] = now
            connection.execute(update(table).where(and_(*[
                table.c[key] == row[key] for key in keys])).values(**values))
        if found and table.name in CHAINED:
            _seal_erased(connection, table.name, [row["id"] for row in found])
        if found:
            counts[table.name] = len(found)
    erasure = Erasure("era_" + secrets.token_hex(6), pseudonym, counts, person)
    connection.execute(insert(t.erasures).values(
        id=erasure.id, at=now, pseudonym=pseudonym, reason=reason[:200], actor=actor[:200],
        counts=counts))
    inbound.log_access(connection, token=None, role="operator", resource="erasure",
                       targets=[f"erasure:{erasure.id}"], outcome="destroyed", now=now,
                       purpose=reason, reader=actor)
    return erasure


def _seal_erased(connection: Connection, name: str, ids: list[int]) -> None:
    """Each erased row's seal over what the erasure left, under the chain's current key: its
    content stays checked (issue 20). A store with no key yet (chained before revision 0009,
    ``oversight init`` not run since) gets none."""
    key = chain.sealing_key(keyring_of(connection), chain.head(connection, name)[2])
    if key is None:
        return
    for start in range(0, len(ids), 5000):
        chain.seal_erased(connection, name, key,
                          chain.TABLES[name].c.id.in_(ids[start:start + 5000]))


def purge(connection: Connection, *, as_of: date, now: datetime, actor: str) -> list[Erasure]:
    """Erase everyone whose supervision file is due for destruction on ``as_of``."""
    return [erase(connection, person, now=now, actor=actor,
                  reason="supervision file reached its destruction date (retention)")
            for person in due_for_destruction(connection, as_of)]


__all__ = ["Erasure", "destroyed_or_not", "due_for_destruction", "erase", "purge"]
