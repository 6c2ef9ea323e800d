"""The store's inbound side: the access log, the staff records an HR import writes, and the
reporting lines that decide who may read what. Tokens live in
:mod:`oversight.adapters.store.credentials` (re-exported here).

Functions take a SQLAlchemy ``Connection`` so that a caller can run them inside the transaction
of a :class:`~oversight.adapters.store.unit_of_work.SqlUnitOfWork` (``uow.connection``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from oversight.adapters.store import chain
from oversight.adapters.store import tables as t
from oversight.adapters.store.credentials import (
    TOKEN_PREFIX,
    TokenRecord,
    create_token,
    live_token_ids,
    revoke_token,
    rotate_token,
    token_for,
    token_hash,
    tokens,
)
from oversight.states.event_time import as_utc
from oversight.workflows.ports.store import StaffRecord  # the port's value: an HR export's row

# ----- the access log ----------------------------------------------------------------------------

def log_access(connection: Connection, *, token: TokenRecord | None, role: str,
               resource: str, targets: Iterable[str], outcome: str, now: datetime,
               purpose: str | None = None, reader: str | None = None,
               token_id: str | None = None, person: str | None = None) -> int:
    """One line per record read (or refused): who (the token, or ``reader`` when there is none:
    ``os:alice`` at the command line), with which role, what, when, and why if said. The rows
    join the access log's hash chain in the same transaction. ``token_id`` and ``person`` name
    the token when the caller holds only its id (the store port's access log)."""
    rows = [{"at": now, "token_id": token.id if token else token_id,
             "person": token.person if token else person, "role": role, "resource": resource,
             "target": target[:200], "outcome": outcome,
             "purpose": purpose[:200] if purpose else None,
             "reader": reader[:200] if reader else None} for target in dict.fromkeys(targets)]
    if rows:
        chain.written(connection, "access_log", connection.execute(
            insert(t.access_log).returning(t.access_log.c.id), rows).scalars())
        chain.seal(connection, "access_log")
    return len(rows)


def access_log(connection: Connection, *, target: str | None = None, person: str | None = None,
               limit: int = 1000) -> list[dict[str, Any]]:
    query = select(t.access_log)
    if target is not None:
        query = query.where(t.access_log.c.target == target)
    if person is not None:
        query = query.where(t.access_log.c.person == person)
    rows = connection.execute(query.order_by(t.access_log.c.id).limit(limit)).mappings()
    return [{**row, "at": as_utc(row["at"]), "erased_at": as_utc(row["erased_at"])} for row in rows]


# ----- staff -------------------------------------------------------------------------------------

def staff_ids(connection: Connection) -> set[str]:
    return set(connection.execute(select(t.staff.c.id)).scalars())


def staff_record(connection: Connection, person: str) -> StaffRecord | None:
    row = connection.execute(select(
        t.staff.c.id, t.staff.c.role, t.staff.c.started, t.staff.c.line_manager,
        t.staff.c.qualified, t.staff.c.part_time, t.staff.c.agency, t.staff.c.team,
    ).where(t.staff.c.id == person)).first()
    return StaffRecord(*row) if row else None


def upsert_staff_records(connection: Connection, records: Iterable[StaffRecord]) -> dict[str, int]:
    """Insert new staff, update changed ones, leave identical ones alone: counts of each."""
    existing = {row.id: tuple(row) for row in connection.execute(select(
        t.staff.c.id, t.staff.c.role, t.staff.c.started, t.staff.c.line_manager,
        t.staff.c.qualified, t.staff.c.part_time, t.staff.c.agency, t.staff.c.team))}
    added, changed, same = [], 0, 0
    for record in records:
        values = (record.id, record.role, record.started, record.line_manager, record.qualified,
                  record.part_time, record.agency, record.team)
        if record.id not in existing:
            added.append(dict(zip(_STAFF_COLUMNS, values, strict=True)))
        elif existing[record.id] != values:
            connection.execute(update(t.staff).where(t.staff.c.id == record.id).values(
                **dict(zip(_STAFF_COLUMNS[1:], values[1:], strict=True))))
            changed += 1
        else:
            same += 1
    if added:
        connection.execute(insert(t.staff), added)
    return {"added": len(added), "updated": changed, "unchanged": same}


_STAFF_COLUMNS = ("id", "role", "started", "line_manager", "qualified", "part_time", "agency",
                  "team")


def teams_of(connection: Connection, people: Iterable[str]) -> set[str]:
    wanted = list(people)
    if not wanted:
        return set()
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(team for team in connection.execute(
            select(t.staff.c.team).where(t.staff.c.id.in_(chunk))).scalars() if team)
    return found


# ----- children ----------------------------------------------------------------------------------

__all__ = ["TOKEN_PREFIX", "StaffRecord", "TokenRecord", "access_log",
           "create_token", "live_token_ids", "log_access", "revoke_token", "rotate_token",
           "staff_ids",
           "staff_record", "teams_of", "token_for", "token_hash", "tokens",
           "upsert_staff_records"]
