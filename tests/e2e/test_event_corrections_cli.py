"""`oversight event retract` and `oversight event amend` at the command line, in-process on the
seeded store of tests/e2e/api_server.py (sw1's last session Mon 2 Feb 2026, next due Mon 2 Mar,
4-weekly under surrey §4.1). `oversight event --type …` still records, as before."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from oversight.adapters.cli.app import app as cli
from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import api_store, seeded  # noqa: F401 - fixtures
from tests.integration.helpers import snapshot


@pytest.fixture
def run(seeded: App, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OVERSIGHT_HOME", str(seeded.settings.home))
    monkeypatch.delenv("OVERSIGHT_DATABASE_URL", raising=False)
    return lambda *args: CliRunner().invoke(cli, list(args))


def _due_open(app: App) -> list[str]:
    with app.engine.connect() as connection:
        return sorted(d.isoformat() for d in connection.execute(select(t.tasks.c.due).where(
            t.tasks.c.entity_id == "tm1:sw1", t.tasks.c.type == "personal_supervision",
            t.tasks.c.state == "open")).scalars())


def test_a_session_recorded_then_retracted_then_recorded_again_by_amending(
        seeded: App, run) -> None:  # type: ignore[no-untyped-def]
    """Held Fri 27 Feb (next due Fri 27 Mar); retracted: due Mon 2 Mar again; then an amended
    record of a retracted event is refused, and amending a live one to Thu 26 Feb makes the next
    due Thu 26 Mar."""
    held = ["-f", "supervisor=tm1", "-f", "supervisee=sw1"]
    recorded = run("event", "--type", "supervision_held", "--on", "2026-02-27", *held,
                   "-f", "event_id=cli-1", "--json")
    assert recorded.exit_code == 0, recorded.output
    assert json.loads(recorded.stdout)["event_id"] == "cli-1"
    assert _due_open(seeded) == ["2026-03-27"]
    retracted = run("event", "retract", "cli-1", "--reason", "wrong worker", "--json")
    assert retracted.exit_code == 0, retracted.output
    assert [e["entity"] for e in json.loads(retracted.stdout)["entities"]] == [
        "relationship:tm1:sw1"]
    assert _due_open(seeded) == ["2026-03-02"]
    before = snapshot(seeded.engine)
    again = run("event", "retract", "cli-1", "--reason", "twice")
    assert again.exit_code == 1 and "retracted" in again.stderr
    assert snapshot(seeded.engine) == before
    run("event", "--type", "supervision_held", "--on", "2026-02-27", *held, "-f",
        "event_id=cli-2")
    amended = run("event", "amend", "cli-2", "--reason", "wrong date", "--type",
                  "supervision_held", "--on", "2026-02-26", *held, "-f", "event_id=cli-3")
    assert amended.exit_code == 0, amended.output
    assert _due_open(seeded) == ["2026-03-26"]
