"""Writes in sets (issue 22): a group of events held and flushed at its commit, one statement per
kind of row, leaves exactly the rows of the same events applied one by one, on SQLite and on
PostgreSQL, and sends as many statements for twenty events as for two."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from oversight.adapters.store.unit_of_work import SqlStore
from oversight.states.events.registry import parse_event
from oversight.workflows.recording.service import OversightService
from tests.integration import team
from tests.integration.contract_stores import surrey_service
from tests.integration.store_snapshot import JSON_COLUMNS, QUERIES

NOW = team.NOW
LATE = {"type": "supervision_held", "on": "2026-01-08", "supervisor": "tm1",
        "supervisee": "a0", "event_id": "late-1"}
"""Thu 8 Jan 2026, before tm1 and a0's session of Mon 12 Jan recorded earlier in the same group:
the relationship is re-derived (its event log and tasks read back inside the group)."""
AGAIN = {"type": "supervision_held", "on": "2026-03-02", "supervisor": "tm1",
         "supervisee": "w0", "event_id": "again-1"}
"""Mon 2 Mar 2026: tm1 and w0's third step in the group, after its session of Mon 2 Feb, both
after the re-derivation's flush: read back from what the group holds since then."""
ORPHAN = {"type": "supervision_held", "on": "2026-01-20", "supervisor": "tm1",
          "supervisee": "w9", "event_id": "orphan-1"}
"""w9 has no relationship with tm1: refused, and rolled back alone."""


def the_events(refused: bool) -> list[dict[str, Any]]:
    """team's first quarter for six workers and an ASYE (relationships opened, agreements signed,
    sessions held, assessments started and completed: entities moved several times, tasks
    opened then closed, timers re-armed within the group), a late record among them and a
    refusal at the end if ``refused`` (the group is then applied again, a savepoint an event)."""
    events = [*team.events(workers=6, asyes=1), AGAIN, *([ORPHAN] if refused else [])]
    held = next(n for n, e in enumerate(events)
                if e["type"] == "supervision_held" and e["supervisee"] == "a0")
    # Right after the session it predates, before February's events of entities the group
    # wrote before it: those are read again after the re-derivation's flush.
    return [*events[:held + 1], LATE, *events[held + 1:]]


def rows(service: OversightService) -> dict[str, list[dict[str, Any]]]:
    """store_snapshot's tables, read through the service's own store (either kind)."""
    with service.uow_factory() as uow:
        connection = uow.connection  # type: ignore[attr-defined]  # the SQL unit of work's
        return {table: [_plain(dict(row)) for row in connection.execute(text(query)).mappings()]
                for table, query in {**QUERIES, **CLAIMS}.items()}


CLAIMS = {"processed_events": "SELECT event_id, type FROM processed_events ORDER BY event_id"}
"""The event ids applied: held claims are sent with the group's other writes."""


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {key: json.loads(value) if key in JSON_COLUMNS and isinstance(value, str)
            else value.isoformat() if isinstance(value, date) else value
            for key, value in row.items()}


@pytest.fixture(params=["sqlite", "postgresql"])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path
               ) -> Iterator[tuple[OversightService, OversightService]]:
    """Two equal Surrey stores of one kind, the team's staff written to both; the second's
    units of work hold nothing (each write sent as it is made, as before issue 22)."""
    staff = team.staff(workers=10, asyes=1)
    with surrey_service(request.param, tmp_path, staff, name="sets") as grouped, \
            surrey_service(request.param, tmp_path, staff, name="alone") as alone:
        engine = alone.uow_factory.engine  # type: ignore[attr-defined]  # the SqlStore's
        yield grouped, OversightService(uow_factory=SqlStore(engine, hold=False),
                                        policy=alone.book)


@pytest.mark.parametrize("refused", [False, True], ids=["held", "with-a-refusal"])
def test_a_group_flushed_in_sets_leaves_the_rows_of_its_events_applied_one_by_one(
        two_stores: tuple[OversightService, OversightService], refused: bool) -> None:
    """record_each of the whole list (held, flushed at commit) and record of each event alone,
    every write sent as it is made, give the same answers and, table by table, the same rows."""
    grouped, alone = two_stores
    events = [parse_event(raw) for raw in the_events(refused)]
    answers = grouped.record_each([(e, NOW) for e in events])
    singles: list[object] = []
    for e in events:
        try:
            singles.append(alone.record(e, now=NOW))
        except Exception as error:  # noqa: BLE001 - the refusal is the answer compared
            singles.append(error)
    assert [type(a).__name__ for a in answers] == [type(s).__name__ for s in singles]
    if refused:
        assert type(answers[-1]).__name__ == "UnknownEntity"  # ORPHAN, refused alone
    late = answers[[e.event_id for e in events].index("late-1")]
    assert not isinstance(late, Exception)
    assert [(t["entity"], t["trigger"]) for t in late.transitions] == [
        ("relationship:tm1:a0", "rederive"), ("asye:a0", "rederive")]
    together, one_by_one = rows(grouped), rows(alone)
    assert {k: len(v) for k, v in together.items()} == {k: len(v) for k, v in one_by_one.items()}
    for table in [*QUERIES, *CLAIMS]:
        assert together[table] == one_by_one[table], table


@pytest.fixture
def statements() -> Iterator[Counter[str]]:
    """The writes every engine sends while the test runs, by verb and table."""
    counted: Counter[str] = Counter()

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        words = statement.split()
        if words[0] in ("INSERT", "UPDATE", "DELETE"):
            table = words[2] if words[0] != "UPDATE" else words[1]
            counted[f"{words[0]} {table.strip(chr(34))}"] += 1

    event.listen(Engine, "before_cursor_execute", count)
    yield counted
    event.remove(Engine, "before_cursor_execute", count)


def test_twenty_events_in_a_group_send_one_statement_per_kind_of_row(
        tmp_path: Path, statements: Counter[str]) -> None:
    """Twenty sessions of ten relationships in one group (the second of each after a catch-up of
    its timers held in the same group): one INSERT of their event ids, one of audit lines, one of
    event-log rows, one UPDATE of entities, one of tasks, one INSERT of tasks and of timers, one
    DELETE of timers, one INSERT of outbox rows (each session closes a task and opens the next),
    where one by one each of them was sent twenty times."""
    staff = team.staff(workers=10, asyes=0)
    with surrey_service("sqlite", tmp_path, staff, name="twenty") as service:
        starts = [parse_event({"type": "relationship_started", "on": "2026-01-05",
                               "supervisor": "tm1", "supervisee": f"w{i}"}) for i in range(10)]
        service.record_each([(e, NOW) for e in starts])
        sessions = [parse_event({"type": "supervision_held", "on": on, "supervisor": "tm1",
                                 "supervisee": f"w{i}", "event_id": f"s-{on}-{i}"})
                    for on in ("2026-01-12", "2026-02-09") for i in range(10)]
        statements.clear()
        answers = service.record_each([(e, NOW) for e in sessions])
    assert all(not isinstance(a, Exception) and a.applied == 1 for a in answers)
    for kind in ("INSERT processed_events", "INSERT audit", "INSERT event_log",
                 "UPDATE entities", "UPDATE tasks", "INSERT tasks", "INSERT timers",
                 "DELETE tasks", "INSERT outbox"):
        assert statements[kind] == 1, (kind, dict(statements))
    # Timers go by two statements: those the February sessions' catch-up fired, by id (each
    # relationship's first-month timer, due before Mon 9 Feb), and those disarmed, by name.
    assert statements["DELETE timers"] == 2, dict(statements)


def test_an_id_applied_before_or_twice_in_a_group_is_a_duplicate_with_claims_held(
        tmp_path: Path) -> None:
    """The group's ids read up front: s-1 (applied by an earlier group) and the second s-2 (the
    same id twice in this group) are duplicates; s-2 and s-3 are applied, each id stored once."""
    staff = team.staff(workers=3, asyes=0)
    with surrey_service("sqlite", tmp_path, staff, name="claims") as service:
        def held(supervisee: str, on: str, ident: str) -> Any:
            return parse_event({"type": "supervision_held", "on": on, "supervisor": "tm1",
                                "supervisee": supervisee, "event_id": ident})
        starts = [parse_event({"type": "relationship_started", "on": "2026-01-05",
                               "supervisor": "tm1", "supervisee": f"w{i}"}) for i in range(3)]
        service.record_each([(e, NOW) for e in [*starts, held("w0", "2026-01-12", "s-1")]])
        answers = service.record_each([(e, NOW) for e in [
            held("w0", "2026-01-12", "s-1"), held("w1", "2026-01-12", "s-2"),
            held("w1", "2026-01-12", "s-2"), held("w2", "2026-01-13", "s-3")]])
        assert [(a.applied, a.duplicates) for a in answers  # type: ignore[union-attr]
                ] == [(0, 1), (1, 0), (0, 1), (1, 0)]
        claimed = rows(service)["processed_events"]
    assert [row["event_id"] for row in claimed] == ["s-1", "s-2", "s-3"]


def test_a_group_reads_the_timers_due_by_each_of_its_days_once_not_once_an_event(
        tmp_path: Path) -> None:
    """Ten relationships started Mon 5 Jan 2026 (their timers stored by that group), then twenty
    sessions in one group, ten on Mon 12 Jan and ten on Mon 9 Feb: the catch-ups read the stored
    timers due by 12 Jan once and those due after it by 9 Feb once (SQLite), where each event
    read its entity's own, again after each firing: forty reads; and each February session
    still fires its relationship's timer due before 9 Feb (the DELETE by id of the test above)."""
    staff = team.staff(workers=10, asyes=0)
    reads: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().startswith("SELECT") and re.search(r"\sFROM timers\b", statement):
            reads.append(statement)

    with surrey_service("sqlite", tmp_path, staff, name="reads") as service:
        starts = [parse_event({"type": "relationship_started", "on": "2026-01-05",
                               "supervisor": "tm1", "supervisee": f"w{i}"}) for i in range(10)]
        service.record_each([(e, NOW) for e in starts])
        sessions = [parse_event({"type": "supervision_held", "on": on, "supervisor": "tm1",
                                 "supervisee": f"w{i}", "event_id": f"s-{on}-{i}"})
                    for on in ("2026-01-12", "2026-02-09") for i in range(10)]
        event.listen(Engine, "before_cursor_execute", count)
        try:
            answers = service.record_each([(e, NOW) for e in sessions])
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        fired = [a for a in answers[10:] if not isinstance(a, Exception)
                 and any(t["trigger"] != "supervision_held" for t in a.transitions)]
    assert all(not isinstance(a, Exception) and a.applied == 1 for a in answers)
    assert len(reads) == 2, reads
    assert len(fired) == 10
