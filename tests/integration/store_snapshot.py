"""What a store holds, read with plain ``sqlite3`` into a form two stores can be compared in.

The fast paths of issue 15 (a day's events in one transaction, batched writes, group commit)
must leave exactly the rows the paths they replace left. A snapshot keeps every column that
says something about the obligations (entities, timers, tasks, the audit trail, the event log,
the outbox's messages) and leaves out only what differs between two equal runs by
construction: autoincrement ids and the hash chain's position and digests (checked on their own
by ``oversight audit verify``). Rows are ordered by what they are about, then by the order they
were written in, so that writing a batch's rows kind by kind instead of step by step still
compares equal while an entity's own history in a different order does not.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

QUERIES = {
    "entities": "SELECT kind, id, authority, policy_version, state, version, subject, party, "
                "started_on, updated_on, data FROM entities ORDER BY kind, id",
    "timers": "SELECT entity_kind, entity_id, name, fires_on, rule, basis FROM timers "
              "ORDER BY entity_kind, entity_id, name",
    "tasks": "SELECT id, entity_kind, entity_id, key, type, assignee, assignee_role, subject, "
             "raised_on, due, state, closed_on, breached_on, authority, section, rule, basis, "
             "escalates, level, recorded_at, withdrawn_because FROM tasks ORDER BY id",
    "audit": 'SELECT entity_kind, entity_id, source, dest, "trigger", cause, "on", rule, actor, '
             "event_id, recorded_at FROM audit ORDER BY entity_kind, entity_id, id",
    "event_log": 'SELECT record_id, entity_kind, entity_id, type, "on", recorded_at, actor, '
                 "body, retracted_at FROM event_log ORDER BY entity_kind, entity_id, id",
    "outbox": "SELECT id, task_id, type, message, created_at FROM outbox ORDER BY task_id, seq",
}
JSON_COLUMNS = {"data", "rule", "basis", "body", "message"}


def snapshot(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every table of :data:`QUERIES` as a list of rows, JSON columns decoded."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        return {table: [_row(row) for row in connection.execute(query)]
                for table, query in QUERIES.items()}
    finally:
        connection.close()


def _row(row: sqlite3.Row) -> dict[str, Any]:
    return {key: json.loads(row[key]) if key in JSON_COLUMNS and row[key] is not None
            else row[key] for key in row.keys()}


def first_difference(expected: dict[str, list[dict[str, Any]]],
                     actual: dict[str, list[dict[str, Any]]]) -> str | None:
    """A line naming the first table and row where the snapshots differ, or None."""
    for table in QUERIES:
        want, got = expected.get(table, []), actual.get(table, [])
        for index, (one, other) in enumerate(zip(want, got, strict=False)):
            if one != other:
                columns = [k for k in one if one.get(k) != other.get(k)]
                want_values = {k: one.get(k) for k in columns}
                got_values = {k: other.get(k) for k in columns}
                return (f"{table} row {index}: {columns} differ: expected {want_values} "
                        f"got {got_values}")
        if len(want) != len(got):
            return f"{table}: expected {len(want)} rows, got {len(got)}"
    return None
