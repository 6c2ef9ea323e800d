"""``oversight sweep`` with no Prefect server runs the engine without Prefect and leaves the
store exactly as the ``sweep`` flow leaves it."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Invoke, json_of
from tests.e2e.test_simulate import flow_runs_named

# Every test here compares the serverless path with a flow run on the session's Prefect server.
pytestmark = pytest.mark.usefixtures("prefect_harness")

AS_OF = date(2026, 5, 29)
"""A Friday, nine weeks after c1's assessment started (Wednesday 25 March) and 20 weeks into
sw1's ASYE (Monday 5 January): allocation, day-10, day-20 and day-35 oversight, weekly and
fortnightly supervision all breached, and their escalations raised."""
NOW = datetime(2026, 5, 29, 6, 0, tzinfo=UTC)
EVENTS = [
    ["--type", "relationship_started", "--on", "2026-01-05", "-f", "supervisor=tm1",
     "-f", "supervisee=sw1"],
    ["--type", "asye_enrolled", "--on", "2026-01-05", "-f", "worker=sw1", "-f", "supervisor=tm1"],
    ["--type", "assessment_started", "--on", "2026-03-25", "-f", "child=c1", "-f", "worker=sw1",
     "-f", "manager=tm1"],
]
VOLATILE = {"audit": ("recorded_at", "digest", "chain"),
            "outbox": ("created_at", "next_attempt_at")}
"""Columns holding the instant the sweep ran (the audit row's digest and link cover it): the flow
and the command run at different instants."""


@pytest.fixture
def recorded(store: Path, oversight: Invoke) -> Path:
    """The example's store with sw1's relationship and ASYE and c1's assessment begun."""
    for flags in EVENTS:
        result = oversight("event", *flags)
        assert result.exit_code == 0, result.stderr
    return store / "oversight.db"


def copy_of(database: Path, folder: Path) -> Path:
    """A copy of the store in its own folder, what its write-ahead log holds included, with
    the audit chain's key file beside it (a copy without its key may not be written to)."""
    folder.mkdir(parents=True)
    source, target = sqlite3.connect(database), sqlite3.connect(folder / "oversight.db")
    with target:
        source.backup(target)
    source.close()
    target.close()
    shutil.copytree(database.parent / "audit", folder / "audit")
    return folder


def rows(database: Path, table: str, order: str, volatile: tuple[str, ...] = ()) -> list[Any]:
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        found = [dict(row) for row in connection.execute(
            f"SELECT * FROM {table} ORDER BY {order}")]  # noqa: S608 - our own table names
    connection.close()
    for row in found:
        for column in volatile:
            row.pop(column)
        if table == "outbox" and volatile:
            message = json.loads(row["message"])
            message.pop("time")
            row["message"] = message
    return found


def the_store(database: Path, *, volatile: bool = False) -> dict[str, list[Any]]:
    """Every row the sweep writes, table by table, in a fixed order."""
    return {table: rows(database, table, order, VOLATILE.get(table, ()) if volatile else ())
            for table, order in (("entities", "kind, id"), ("timers", "id"), ("tasks", "id"),
                                 ("audit", "id"), ("outbox", "seq"))}


def test_the_sweep_without_a_server_writes_exactly_what_the_sweep_flow_writes(
        recorded: Path, tmp_path: Path):
    """sweep_day's batches as Prefect tasks and as plain calls, at the same instant and in
    batches of 7: the same totals and the same rows, every column."""
    from prefect import flow

    from oversight.workflows.bootstrap import open_app
    from oversight.workflows.flows.operations import sweep_day
    from oversight.workflows.recording.sweeping import sweep_due
    from oversight.workflows.settings import Settings

    by_flow = copy_of(recorded, tmp_path / "flow") / "oversight.db"
    plain = copy_of(recorded, tmp_path / "plain") / "oversight.db"

    @flow(name="sweep")
    def the_flow_path() -> dict[str, int]:
        return sweep_day(f"sqlite:///{by_flow}", AS_OF, NOW, 7)

    flow_totals = the_flow_path()
    errors: list[str] = []
    plain_totals = sweep_due(open_app(Settings(database_url=f"sqlite:///{plain}")).service,
                             AS_OF, now=NOW, batch_size=7, say=errors.append)
    assert plain_totals == flow_totals and not errors
    assert flow_totals["batches"] >= 2 and flow_totals["tasks_breached"] > 5
    assert the_store(plain) == the_store(by_flow)


def test_oversight_sweep_with_no_server_says_so_once_and_leaves_the_flows_tasks_audit_and_outbox(
        recorded: Path, tmp_path: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch):
    """The command in a process of its own with PREFECT_API_URL unset, beside the same command
    run as a flow on this session's Prefect server: one flow run more there, none here, a note
    here, and the same tasks, audit and outbox but for the instant they were written."""
    plain_home = copy_of(recorded, tmp_path / "plain")
    flow_home = copy_of(recorded, tmp_path / "flow")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "OVERSIGHT_"))}
    env.update(OVERSIGHT_HOME=str(plain_home), PREFECT_HOME=str(tmp_path / "prefect-home"))
    done = subprocess.run([str(Path(sys.executable).parent / "oversight"), "sweep", "--as-of",
                           AS_OF.isoformat(), "--json"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("runs are recorded only with a server") == 1
    plain_totals = json.loads(done.stdout)

    runs = flow_runs_named("sweep")
    monkeypatch.setenv("OVERSIGHT_HOME", str(flow_home))
    flow_totals = json_of(oversight("sweep", "--as-of", AS_OF.isoformat(), "--json"))
    assert flow_runs_named("sweep") == runs + 1
    assert plain_totals == flow_totals and flow_totals["fired"] > 5
    plain_rows = the_store(plain_home / "oversight.db", volatile=True)
    flow_rows = the_store(flow_home / "oversight.db", volatile=True)
    for table in ("tasks", "audit", "outbox", "timers", "entities"):
        assert plain_rows[table] == flow_rows[table], table


def test_the_dispatch_without_a_server_sends_what_the_dispatch_flow_sends(
        recorded: Path, tmp_path: Path):
    """After the same sweep, one dispatch run as Prefect tasks and one as plain calls: the
    same totals, the same lines in each store's JSON Lines file, the same deliveries."""
    from prefect import flow

    from oversight.workflows.bootstrap import dispatch_here, open_app
    from oversight.workflows.flows.operations import dispatch_run
    from oversight.workflows.recording.sweeping import sweep_due
    from oversight.workflows.settings import Settings

    homes = {path: copy_of(recorded, tmp_path / path) for path in ("flow", "plain")}
    apps = {path: open_app(Settings(home=home, database_url=f"sqlite:///{home / 'oversight.db'}"))
            for path, home in homes.items()}
    for app in apps.values():
        sweep_due(app.service, AS_OF, now=NOW, batch_size=500, say=print)

    @flow(name="dispatch")
    def the_flow_path() -> dict[str, Any]:
        return dispatch_run(apps["flow"].settings.url, NOW, 1000)

    os.environ["OVERSIGHT_HOME"] = str(homes["flow"])  # the flow's tasks read their settings
    flow_totals = the_flow_path()
    os.environ["OVERSIGHT_HOME"] = str(homes["plain"])
    plain_totals = dispatch_here(apps["plain"], NOW, 1000)
    assert plain_totals == flow_totals and flow_totals["delivered"] > 5
    lines = {path: (app.settings.outbox_file.read_text(encoding="utf-8").splitlines())
             for path, app in apps.items()}
    assert lines["plain"] == lines["flow"] and len(lines["flow"]) == flow_totals["delivered"]
    kept = ("receiver", "message_id", "seq", "task_id", "status", "attempts")
    deliveries = {path: [{key: row[key] for key in kept} for row in rows(
        home / "oversight.db", "deliveries", "seq, receiver")] for path, home in homes.items()}
    assert deliveries["plain"] == deliveries["flow"] and len(deliveries["flow"]) > 5
