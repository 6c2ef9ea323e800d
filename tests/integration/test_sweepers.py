"""Concurrent sweepers: several processes sweep one store and fire each due timer exactly once."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine

from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.workflows.bootstrap import App, open_app
from oversight.workflows.settings import Settings
from tests.integration import team
from tests.integration.databases import PostgresStores, SqliteStores
from tests.integration.helpers import Worker, counts, due_ids, rows


def _timer_audit(engine: Engine) -> Counter[tuple[str, str, str, str, str]]:
    """Audit rows written by fired timers, counted by entity, cause, trigger and day."""
    return Counter((r["entity_kind"], r["entity_id"], r["cause"], r["trigger"], r["on"].isoformat())
                   for r in rows(engine, "audit") if r["cause"].startswith("timer:"))


@pytest.mark.slow  # five sweeper processes over a year of 24 workers: 70-100 s under load
def test_four_sweepers_at_once_fire_each_due_timer_exactly_once(
        worker: Worker, stores: SqliteStores | PostgresStores, tmp_path: Path) -> None:
    """Four processes started together on the same due timers (sharing the work on
    PostgreSQL, taking turns on SQLite) leave exactly the store one sweeper leaves: each
    timer's audit rows, tasks and outbox messages once."""
    worker.run("seed", stores.url("base"), "--workers", "24", "--asyes", "2")
    one, four = stores.copy("base", "one"), stores.copy("base", "four")
    due = len(due_ids(open_app(Settings(home=tmp_path, database_url=one)), team.YEAR_END))

    [alone] = worker.run("sweep", one, "--via", "flows", "--batch", "20")
    assert alone["done"]["fired"] > due > 100 and alone["done"]["failed"] == 0

    go = tmp_path / "go"
    sweepers = [worker.start("sweep", four, "--via", "flows", "--batch", "20", "--each",
                             "--go", str(go)) for _ in range(4)]
    for sweeper in sweepers:  # each imported, connected and waiting at the line
        assert json.loads(sweeper.stdout.readline())["ready"]  # type: ignore[union-attr]
    go.touch()
    done, batches = [], []
    for sweeper in sweepers:
        out, err = sweeper.communicate(timeout=120)
        assert sweeper.returncode == 0, err
        lines = [json.loads(line) for line in out.splitlines()]
        done.append(lines[-1]["done"])
        batches.append(sum(line["fired"] for line in lines[:-1]))
    assert sum(d["fired"] for d in done) == alone["done"]["fired"]
    assert all(d["failed"] == 0 for d in done)
    assert batches == [d["fired"] for d in done]
    if stores.backend == "postgresql":  # SQLite's single writer lock may go to one of them
        assert sum(fired > 0 for fired in batches) >= 2, f"one sweeper did everything: {batches}"

    a = open_app(Settings(home=tmp_path, database_url=one)).engine
    b = open_app(Settings(home=tmp_path, database_url=four)).engine
    fired = _timer_audit(b)
    assert fired == _timer_audit(a)
    assert sum(fired.values()) >= due
    assert max(fired.values()) == 1, [key for key, n in fired.items() if n > 1]
    outbox = [m["id"] for m in rows(b, "outbox")]
    assert len(outbox) == len(set(outbox))
    assert outbox == [m["id"] for m in rows(a, "outbox")]
    assert rows(b, "tasks") == rows(a, "tasks")
    assert rows(b, "entities") == rows(a, "entities")
    assert rows(b, "timers", without=("id",)) == rows(a, "timers", without=("id",))
    assert counts(b) == counts(a)


def test_timers_locked_by_a_sweeper_that_dies_are_skipped_then_fired_by_the_next(
        seeded: App, stores: SqliteStores | PostgresStores) -> None:
    """PostgreSQL: a sweeper's batch stays locked while it runs, so another sweeper skips it;
    when its connection dies the locks go, and the next sweep fires the batch once."""
    if stores.backend == "sqlite":
        pytest.skip("SQLite has one writer: a second sweeper waits for the first batch, "
                    "it cannot skip it (the four-sweeper test covers SQLite)")
    url = seeded.settings.url
    due = due_ids(seeded, team.YEAR_END)
    held = SqlUnitOfWork(seeded.engine).__enter__()  # a sweeper mid-batch
    backend = held.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    claimed = held.timers.claim_due(team.YEAR_END, limit=5)
    assert [t.id for t in claimed] == due[:5]

    others = _sweep_without_prefect(url)
    assert others["fired"] > 0 and others["failed"] == 0
    left = {t["id"] for t in rows(seeded.engine, "timers")}
    assert {t.id for t in claimed} <= left  # skipped, not fired, not waited for

    held.connection.invalidate()  # the sweeper's process dies: its connection and locks go
    held.__exit__(None, None, None)
    # The server ends the session when it sees the socket close; on a busy CI machine it once
    # took over 30 s to notice, so the backend is also ended as a crashed process's would be.
    deadline = time.monotonic() + 30
    with seeded.engine.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(backend)})")
        while connection.exec_driver_sql(
                f"SELECT count(*) FROM pg_stat_activity WHERE pid = {int(backend)}").scalar_one():
            assert time.monotonic() < deadline, "the dead sweeper's session is still there"
            time.sleep(0.05)
    again = _sweep_without_prefect(url)
    assert again["fired"] >= 5
    assert not {t.id for t in claimed} & {t["id"] for t in rows(seeded.engine, "timers")}
    assert _sweep_without_prefect(url)["fired"] == 0
    assert max(_timer_audit(seeded.engine).values()) == 1


def _sweep_without_prefect(url: str) -> dict[str, int]:
    """``sweep_day`` with its batch task run as plain Python (no Prefect server)."""
    from oversight.workflows.flows import operations as flows
    totals = {"fired": 0, "failed": 0}
    skip: list[int] = []
    while (batch := flows.fire_due_batch.fn(url, team.YEAR_END, team.NOW, 50, skip))["claimed"]:
        totals["fired"] += batch["fired"]
        totals["failed"] += batch["failed"]
        skip += batch["failed_ids"]
    return totals
