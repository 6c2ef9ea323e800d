"""The sweep: idempotent when repeated, and exact after a crash (a SIGKILL) and a rerun."""

from __future__ import annotations

import json
import signal
from datetime import date
from pathlib import Path

import pytest

from oversight.adapters.store import chain_verify
from oversight.workflows.bootstrap import App, open_app
from oversight.workflows.flows.operations import fire_batch
from oversight.workflows.settings import Settings
from tests.integration import team
from tests.integration.databases import PostgresStores, SqliteStores
from tests.integration.helpers import (
    Worker,
    counts,
    due_ids,
    rows,
    snapshot,
    sweep,
)


def test_sweeping_the_same_day_twice_changes_nothing_the_second_time(seeded: App) -> None:
    """A second sweep for the same date fires nothing and leaves every table exactly as it was."""
    first = sweep(seeded)
    assert first["fired"] > 100 and first["stale"] == 0
    after_first = snapshot(seeded.engine)
    assert any(t["state"] == "escalated" for t in after_first["tasks"])
    second = sweep(seeded)
    assert second == {"fired": 0, "stale": 0}
    assert snapshot(seeded.engine) == after_first


def test_firing_the_same_due_timers_again_finds_them_gone_and_changes_nothing(seeded: App) -> None:
    """Each due timer fires once: replaying the same ids (a retried batch) finds them all stale
    and writes no row."""
    due = due_ids(seeded, date(2026, 4, 30))
    assert len(due) > 20
    first = seeded.service.fire_many(due, now=team.NOW)
    assert (first.fired, first.stale) == (len(due), 0)
    before = snapshot(seeded.engine)
    sizes = counts(seeded.engine)
    again = seeded.service.fire_many(due, now=team.NOW)
    assert (again.fired, again.stale, again.tasks_opened, again.tasks_breached) == (
        0, len(due), 0, 0)
    assert counts(seeded.engine) == sizes
    assert snapshot(seeded.engine) == before


def test_a_retried_prefect_batch_fires_each_timer_once(seeded: App, settings: Settings) -> None:
    """The ``fire_batch`` task body run twice on the same ids (a Prefect retry) writes once."""
    ids = due_ids(seeded, date(2026, 3, 31))[:40]
    first = fire_batch.fn(settings.url, ids, team.NOW)
    assert first["fired"] == len(ids) and first["failed"] == 0 and first["tasks_breached"] > 0
    before = snapshot(seeded.engine)
    second = fire_batch.fn(settings.url, ids, team.NOW)
    assert second == {"fired": 0, "stale": len(ids), "failed": 0, "tasks_opened": 0,
                      "tasks_breached": 0}
    assert snapshot(seeded.engine) == before


def _kill_part_way(worker: Worker, url: str, after: int) -> int:
    """Start a sweep (the flow's pager, 7 timers a batch), SIGKILL it once ``after`` batches
    have returned, while the next is firing; how many timers the finished batches fired."""
    process = worker.start("sweep", url, "--via", "flows", "--batch", "7", "--each")
    assert process.stdout is not None and process.stderr is not None
    batches = fired = 0
    for line in process.stdout:
        report = json.loads(line)
        assert "batch" in report, f"the sweep finished before it was killed: {report}"
        batches, fired = batches + 1, fired + report["fired"]
        if batches >= after:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    return fired


@pytest.mark.slow  # two killed sweeps of a year of 24 workers, on each backend: 44 s
def test_a_sweep_killed_part_way_then_rerun_ends_exactly_like_an_uninterrupted_one(
        worker: Worker, stores: SqliteStores | PostgresStores, tmp_path: Path) -> None:
    """Two SIGKILLs mid-sweep then a rerun leave the same tasks, outbox, states, audit and
    timers as one clean sweep."""
    worker.run("seed", stores.url("base"), "--workers", "24", "--asyes", "2")
    clean, crashed = stores.copy("base", "clean"), stores.copy("base", "crashed")

    [done] = worker.run("sweep", clean, "--via", "flows", "--batch", "500")
    total = done["done"]["fired"]
    assert total > 300 and done["done"]["failed"] == 0

    reported = _kill_part_way(worker, crashed, after=20)
    interrupted = open_app(Settings(home=tmp_path, database_url=crashed))
    assert interrupted.service.due_timer_ids(team.YEAR_END, limit=1), "nothing left to rerun"
    reported += _kill_part_way(worker, crashed, after=20)  # 280 of ~340
    assert reported < total
    [rerun] = worker.run("sweep", crashed)
    # A batch is one transaction: the one being fired at the kill rolled back whole. Batches
    # that committed after the last line was read (before the signal) are not fired again.
    assert rerun["done"]["stale"] == 0
    assert total - reported - 2 * 7 <= rerun["done"]["fired"] <= total - reported

    a = open_app(Settings(home=tmp_path, database_url=clean)).engine
    b = interrupted.engine
    assert rows(b, "tasks") == rows(a, "tasks")
    assert [m["id"] for m in rows(b, "outbox")] == [m["id"] for m in rows(a, "outbox")]
    # ``seq`` numbers messages across entities in the order batches fired them, which the batch
    # size decides; each task's own messages keep their order.
    assert rows(b, "outbox", without=("seq",)) == rows(a, "outbox", without=("seq",))

    def per_task(engine):  # type: ignore[no-untyped-def]
        """Each task's message ids in ``seq`` order."""
        found: dict[str, list[str]] = {}
        for message in sorted(rows(engine, "outbox"), key=lambda m: m["seq"]):
            found.setdefault(message["task_id"], []).append(message["id"])
        return found

    assert per_task(b) == per_task(a)
    assert rows(b, "entities") == rows(a, "entities")

    def audit(engine):  # type: ignore[no-untyped-def]
        """Each entity's trail in the order it was written. Ids differ across the two runs, and
        so do a row's place in the hash chain and its link (``seq``, ``chain``): the chain runs
        in commit order, which the kills changed. The row's own digest does not."""
        trail = rows(engine, "audit", without=("id", "seq", "chain"))
        return sorted(trail, key=lambda r: (r["entity_kind"], r["entity_id"]))  # stable sort

    assert audit(b) == audit(a)
    for engine in (a, b):  # each chain whole, in its own order: nothing lost, nothing forged
        with engine.connect() as connection:
            verdict = chain_verify.verify(connection, "audit")
        assert (verdict.intact, verdict.unsealed, verdict.rows) == (True, 0, len(rows(a, "audit")))
    assert rows(b, "timers", without=("id",)) == rows(a, "timers", without=("id",))
    assert counts(b) == counts(a)
