"""Subject access (UK GDPR Article 15): everything the store holds about one person, as JSON.

The export gathers every row that names the person (:mod:`oversight.adapters.store.personal_rows`:
their staff record, lifecycles, timers, tasks, audit and access-log rows, messages and their
deliveries, tokens and calendar feeds — never a token's or a feed's hash), grouped by table,
with a manifest: who, when, by whom, and for each table how many rows and the SHA-256 of its
section, so a copy can be checked.
Producing it is itself a read of personal data, written to the access log.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from oversight.adapters.store import inbound
from oversight.adapters.store.personal_rows import existing_tables, rows_naming

WITHHELD = {"api_tokens": ("hash",), "calendar_feeds": ("hash",),
            "access_log": ("digest", "chain"), "audit": ("digest", "chain")}
"""Columns that are not about the person and would weaken the store if shared: a token's or a
calendar feed's secret digest (an offline guess at the secret could be checked against it)."""

DESCRIPTIONS = {
    "staff": "the staff record (role, dates, line manager, team)",
    "entities": "the lifecycles about or involving the person (state and data)",
    "timers": "the timers armed on those lifecycles",
    "tasks": "obligations assigned to or about the person",
    "audit": "the audit trail of those lifecycles and of what the person did",
    "access_log": "who read the person's records, and what the person read",
    "outbox": "messages sent about the person's tasks",
    "deliveries": "the deliveries of those messages to each receiving system",
    "api_tokens": "the person's API tokens (never the token or its hash)",
    "calendar_feeds": "the person's calendar feeds (never the secret or its hash)",
    "processed_events": "events applied, by event id",
}


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _section(rows: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    hidden = WITHHELD.get(table, ())
    return [{key: _json_value(value) for key, value in row.items() if key not in hidden}
            for row in rows]


def subject_access(connection: Connection, person: str, *, now: datetime, requested_by: str,
                   token: inbound.TokenRecord | None = None, role: str = "operator"
                   ) -> dict[str, Any]:
    """The export for ``person``, logged as read by ``requested_by``. The caller commits."""
    records: dict[str, list[dict[str, Any]]] = {}
    for table in existing_tables(connection):
        rows = _section(list(rows_naming(connection, person, table)), table.name)
        if rows:
            records[table.name] = rows
    manifest = {
        "subject": person,
        "generated_at": now.isoformat(),
        "requested_by": requested_by,
        "basis": "UK GDPR Article 15: a copy of the personal data the store holds",
        "identifiers_only": "the store holds identifiers, dates and rules, never names or "
                            "narrative; the systems of record hold the rest",
        "tables": {name: {"rows": len(rows), "what": DESCRIPTIONS.get(name, name),
                          "sha256": hashlib.sha256(json.dumps(
                              rows, sort_keys=True, default=str).encode("utf-8")).hexdigest()}
                   for name, rows in records.items()},
    }
    inbound.log_access(connection, token=token, role=role, resource="subject-access",
                       targets=[f"person:{person}"], outcome="allowed", now=now,
                       purpose="subject access request", reader=None if token else requested_by)
    return {"manifest": manifest, "records": records}


__all__ = ["DESCRIPTIONS", "subject_access"]
