"""A batch costs the store a handful of statements, and each is answered from an index: a
sweep's time follows the number of timers due, not the number of steps or the store's size."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from oversight.workflows.bootstrap import App
from tests.integration import team
from tests.integration.helpers import due_ids


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the engine sends to the database inside the block, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def _plan(engine: Engine, statement: str, parameters: Any) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # A few rows: PostgreSQL would rightly scan them. Forbid it to see an index answer.
            connection.exec_driver_sql("SET enable_seqscan = off")
            return " ".join(str(row[0]) for row in connection.exec_driver_sql(
                "EXPLAIN " + statement, parameters))
        return " ".join(str(row[-1]) for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters))


def test_a_batch_of_entities_of_several_kinds_is_read_by_primary_key(seeded: App) -> None:
    """get_many finds each asked-for entity once, skips a missing one, and every query it sends
    searches the primary key: SQLite scans the whole table for ``(kind, id) IN (...)``."""
    keys = [("assessment", "c1"), ("relationship", "tm1:w1"), ("asye", "a0"),
            ("assessment", "c1"), ("assessment", "nobody")]
    with statements(seeded.engine) as seen, seeded.store() as uow:
        found = uow.entities.get_many(keys)
    # team.events: child c1's assessment, the relationship of tm1 and w1, the ASYE of a0.
    assert sorted(found) == [("assessment", "c1"), ("asye", "a0"), ("relationship", "tm1:w1")]
    assert all(found[key].kind == key[0] and found[key].id == key[1] for key in found)
    reads = [(s, p) for s, p in seen if s.lstrip().startswith("SELECT") and "entities" in s]
    assert len(reads) == 3  # one per kind asked for
    for statement, parameters in reads:
        plan = _plan(seeded.engine, statement, parameters)
        if seeded.engine.dialect.name == "postgresql":
            assert "Index Scan" in plan or "Index Only Scan" in plan, plan
        else:
            assert "SEARCH entities USING INDEX" in plan, plan
            assert "SCAN entities" not in plan, plan


def test_a_batch_of_timers_sends_each_kind_of_statement_a_few_times_not_once_per_timer(
        seeded: App) -> None:
    """Firing a claimed batch writes each kind of row with one statement (executemany), so no
    statement but the per-person staff read is sent once per timer fired."""
    due = len(due_ids(seeded, team.YEAR_END))
    with statements(seeded.engine) as seen:
        batch = seeded.service.fire_due(team.YEAR_END, now=team.NOW, limit=500)
    assert batch.claimed >= 12 and not batch.failed  # the earliest due timer of each entity
    assert batch.outcome.fired == batch.claimed < due
    kinds = Counter(statement for statement, _ in seen if "FROM staff" not in statement)
    assert max(kinds.values()) <= 2, kinds.most_common(3)
    assert sum(kinds.values()) < 2 * batch.claimed


def test_the_staff_of_a_batch_are_read_together_as_each_is_read_alone(seeded: App) -> None:
    """members() gives, in one query, what member() gives person by person; unknown ids are
    left out and a repeated id is read once."""
    people = ["w1", "tm1", "a0", "nobody", "w1"]
    with seeded.store() as uow:
        one_by_one = {p: m for p in people if (m := uow.staff.member(p)) is not None}
        with statements(seeded.engine) as seen:
            together = uow.staff.members(people)
    assert together == one_by_one
    assert sorted(together) == ["a0", "tm1", "w1"]
    assert together["w1"].line_manager == "tm1"  # team.staff: tm1 manages the workers
    assert len(seen) == 1
