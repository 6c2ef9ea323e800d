"""Migrations are history: a store made at any past revision upgrades to head and loses nothing.

Each past store is made by Alembic at that revision and filled with rows written in the SQL of
that revision's schema (not through today's code, which knows only today's tables). A store
upgraded while 0002 and 0003 were still empty (made at 0001, stamped 0003) is repaired by 0004.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from oversight.adapters.store.database import alembic_config, make_engine, upgrade
from oversight.adapters.store.tables import metadata
from tests.integration.databases import PostgresStores, SqliteStores

WRITTEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday

# What a store at 0001 holds: one row in each table, in 0001's columns.
ROWS_0001 = {
    "meta": [{"key": "policy", "value": "surrey"}],
    "staff": [{"id": "tm1", "role": "team_manager", "started": "2020-01-06",
               "line_manager": None, "qualified": "2012-07-01", "part_time": False,
               "agency": False, "team": "north"},
              {"id": "sw1", "role": "social_worker", "started": "2025-09-01",
               "line_manager": "tm1", "qualified": "2025-07-01", "part_time": False,
               "agency": False, "team": "north"}],
    "entities": [{"kind": "relationship", "id": "tm1:sw1", "authority": "surrey",
                  "policy_version": "2024-12", "state": "active", "version": 3,
                  "subject": "sw1", "party": "tm1", "started_on": "2025-09-01",
                  "updated_on": "2026-02-27", "data": '{"last_session": "2026-02-27"}'}],
    "timers": [{"id": 1, "entity_kind": "relationship", "entity_id": "tm1:sw1",
                "name": "supervision_due", "fires_on": "2026-03-27",
                "rule": '{"authority": "surrey", "section": "4.3"}', "basis": None}],
    "tasks": [{"id": "relationship:tm1:sw1:supervision:1", "entity_kind": "relationship",
               "entity_id": "tm1:sw1", "key": "supervision:1", "type": "supervision_due",
               "assignee": "tm1", "assignee_role": "team_manager", "subject": "sw1",
               "raised_on": "2026-02-27", "due": "2026-03-27", "state": "open",
               "closed_on": None, "breached_on": None, "authority": "surrey",
               "section": "4.3", "rule": '{"path": "relationship.cadence"}',
               "basis": '{"from": "2026-02-27"}', "escalates": None, "level": 0}],
    "outbox": [{"id": "m-delivered", "task_id": "relationship:tm1:sw1:supervision:1",
                "type": "task.opened", "message": '{"id": "m-delivered"}',
                "created_at": WRITTEN, "status": "delivered", "attempts": 1,
                "next_attempt_at": None, "last_error": None, "delivered_at": WRITTEN},
               {"id": "m-failed", "task_id": "relationship:tm1:sw1:supervision:1",
                "type": "task.breached", "message": '{"id": "m-failed"}',
                "created_at": WRITTEN.replace(minute=31), "status": "failed", "attempts": 3,
                "next_attempt_at": None, "last_error": "connection refused",
                "delivered_at": None}],
    "audit": [{"id": 1, "entity_kind": "relationship", "entity_id": "tm1:sw1",
               "source": "none", "dest": "active", "trigger": "relationship_started",
               "cause": "event e1", "on": "2025-09-01", "rule": None, "actor": "tm1",
               "event_id": "e1", "recorded_at": WRITTEN}],
    "processed_events": [{"event_id": "e1", "type": "relationship_started",
                          "applied_at": WRITTEN}],
}
ROWS_0002 = {
    "deliveries": [{"message_id": "m-delivered", "receiver": "webhook", "seq": 1,
                    "task_id": "relationship:tm1:sw1:supervision:1", "status": "delivered",
                    "attempts": 1, "due_since": WRITTEN, "next_attempt_at": None,
                    "last_error": None, "delivered_at": WRITTEN}],
}
ROWS_0003 = {
    "api_tokens": [{"id": "t1", "hash": "ab" * 32, "role": "manager", "person": "tm1",
                    "created_at": WRITTEN, "revoked_at": None}],
    "access_log": [{"id": 1, "at": WRITTEN, "token_id": "t1", "person": "tm1",
                    "role": "manager", "resource": "asye", "target": "sw1",
                    "outcome": "allowed"}],
}
ROWS = {"0001": ROWS_0001, "0002": {**ROWS_0001, **ROWS_0002},
        "0003": {**ROWS_0001, **ROWS_0002, **ROWS_0003}}


def insert(engine: Engine, rows: dict[str, list[dict]]) -> None:
    with engine.begin() as connection:
        for table, items in rows.items():
            for item in items:
                if table == "outbox" and "seq" in {c["name"] for c in
                                                   inspect(connection).get_columns("outbox")}:
                    # From 0002 the outbox numbers its messages and records their routing.
                    item = {**item, "seq": 1 if item["id"] == "m-delivered" else 2,
                            "routed_at": item["delivered_at"]}
                names = ", ".join(f'"{name}"' for name in item)
                values = ", ".join(f":{name}" for name in item)
                connection.execute(text(f'INSERT INTO "{table}" ({names}) VALUES ({values})'),
                                   item)


def kept(engine: Engine, rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The same columns of the same rows, read back after the upgrade, as text."""
    found: dict[str, list[dict]] = {}
    with engine.connect() as connection:
        for table, items in rows.items():
            names = list(items[0])
            columns = ", ".join(f'"{name}"' for name in names)
            result = connection.execute(text(
                f'SELECT {columns} FROM "{table}" ORDER BY "{names[0]}"'))
            found[table] = [{name: normal(value) for name, value in row._mapping.items()}
                            for row in result]
    return found


def normal(value: object) -> object:
    """One spelling per value on both databases: times in UTC, dates and JSON as text."""
    if isinstance(value, str):
        if value[:1] in "{[":
            value = json.loads(value)
        elif len(value) > 10 and value[4:5] == "-" and ":" in value:
            value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        stored = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stored.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return int(value)  # SQLite has no booleans: it reads back 0 and 1
    return value


def as_written(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The rows as ``kept`` reads them back: normalised, in the order of their first column."""
    return {table: sorted(({name: normal(value) for name, value in item.items()}
                           for item in items), key=lambda item: next(iter(item.values())))
            for table, items in rows.items()}


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@pytest.mark.parametrize("revision", sorted(ROWS))
def test_a_store_filled_at_a_past_revision_upgrades_to_head_keeping_every_row(
        stores: SqliteStores | PostgresStores, revision: str) -> None:
    """Made and filled at 0001, 0002 or 0003, then upgraded: every row and value is still there."""
    engine = make_engine(stores.url(f"at_{revision}"))
    command.upgrade(alembic_config(engine), revision)
    insert(engine, ROWS[revision])

    upgrade(engine)

    assert current_revision(engine) == head_revision(engine)
    expected = as_written(ROWS[revision])
    if revision == "0001":  # 0002 makes an undelivered message pending, routed afresh
        expected["outbox"][1]["status"] = "pending"
    assert kept(engine, ROWS[revision]) == expected
    with engine.connect() as connection:
        outbox = connection.execute(text(
            "SELECT id, seq, status, routed_at IS NOT NULL FROM outbox ORDER BY seq")).all()
    # Numbered in the order written: m-delivered at 09:30, m-failed at 09:31.
    status = "pending" if revision == "0001" else "failed"
    assert [tuple(row) for row in outbox] == [("m-delivered", 1, "delivered", True),
                                              ("m-failed", 2, status, False)]
    engine.dispose()


def test_a_store_upgraded_while_0002_and_0003_were_empty_gets_every_table_and_column(
        stores: SqliteStores | PostgresStores) -> None:
    """At 0001, stamped 0003 (what the empty revisions did), then upgraded: today's schema."""
    engine = make_engine(stores.url("stamped"))
    command.upgrade(alembic_config(engine), "0001")
    insert(engine, ROWS_0001)
    command.stamp(alembic_config(engine), "0003")
    missing = {"deliveries", "api_tokens", "access_log"}
    assert missing.isdisjoint(inspect(engine).get_table_names())

    upgrade(engine)

    assert set(inspect(engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
    expected = as_written(ROWS_0001)
    expected["outbox"][1]["status"] = "pending"  # as 0002 does: routed afresh
    assert kept(engine, ROWS_0001) == expected
    with engine.connect() as connection:
        numbered = connection.execute(text("SELECT id, seq FROM outbox ORDER BY seq")).all()
    assert [tuple(row) for row in numbered] == [("m-delivered", 1), ("m-failed", 2)]
    engine.dispose()
