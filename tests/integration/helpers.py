"""Helpers of the integration tests: whole-store snapshots, store copies, the sweep loop
without Prefect, and subprocesses that open the same SQLite file as a restarted process."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from oversight.adapters.store import tables as t
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App
from tests.integration import team

REPO = Path(__file__).resolve().parents[2]

TABLES = {
    "staff": t.staff, "meta": t.meta, "entities": t.entities, "timers": t.timers,
    "audit": t.audit, "tasks": t.tasks, "outbox": t.outbox, "processed_events": t.processed_events,
}
ORDER = {"entities": ("kind", "id"), "timers": ("entity_kind", "entity_id", "name"),
         "audit": ("id",), "tasks": ("id",), "outbox": ("id",), "processed_events": ("event_id",),
         "staff": ("id",), "meta": ("key",)}


def rows(engine: Engine, table: str, *, without: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every row of one table as plain dicts, in a stable order, leaving out ``without``."""
    spec = TABLES[table]
    query = select(spec).order_by(*(spec.c[name] for name in ORDER[table]))
    with engine.connect() as connection:
        found = [dict(row) for row in connection.execute(query).mappings()]
    return [{k: v for k, v in row.items() if k not in without} for row in found]


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """The whole store, every column of every row: two equal snapshots mean nothing changed."""
    return {name: rows(engine, name) for name in TABLES}


def counts(engine: Engine) -> dict[str, int]:
    return {name: len(found) for name, found in snapshot(engine).items()}


def copy_store(source: Path, target: Path) -> None:
    """A byte-for-byte logical copy of a live WAL database (the backup API, not ``cp``)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass
class Worker:
    """Starts ``tests.integration.worker`` subprocesses on one store."""

    home: Path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
        env["OVERSIGHT_HOME"] = str(self.home)
        env["PYTHONPATH"] = str(REPO)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "tests.integration.worker", *args]

    def run(self, *args: str, timeout: float = 60) -> list[dict[str, Any]]:
        """Run one command to the end; its JSON lines, or the failure with its stderr."""
        done = subprocess.run(self.command(*args), cwd=REPO, env=self.env(), capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, f"worker {args[0]} failed:\n{done.stderr}"
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(self.command(*args), cwd=REPO, env=self.env(), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=1)



def record(app: App, **fields: Any):  # type: ignore[no-untyped-def]
    """Record one event given as fields, at the fixed instant of these tests."""
    return app.service.record(parse_event(fields), now=team.NOW)


def due_ids(app: App, as_of: date) -> list[int]:
    """Every timer due on or before ``as_of``, in firing order, without firing any."""
    found: list[int] = []
    cursor = None
    while page := app.service.due_timer_ids(as_of, limit=100, after=cursor):
        found += [timer_id for _, timer_id in page]
        cursor = page[-1]
    return found


def sweep(app: App, as_of: date = team.YEAR_END, batch: int = 50) -> dict[str, int]:
    """What the sweep flow does, without Prefect: page through due timers and fire each."""
    fired = stale = 0
    while page := app.service.due_timer_ids(as_of, limit=batch):
        for _, timer_id in page:
            outcome = app.service.fire(timer_id, now=team.NOW)
            fired, stale = fired + outcome.fired, stale + outcome.stale
    return {"fired": fired, "stale": stale}
