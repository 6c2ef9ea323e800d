"""``oversight purge`` reaches every file the product wrote: after it, no file under the
store's folder (OVERSIGHT_HOME) names the erased person, byte for byte, the SQLite store
itself included; the other people's lines are kept.

Hull: sw1 (supervised by tm1 from Mon 5 Jan 2026) leaves on Fri 27 Feb 2026, the file is
archived on Thu 5 Mar; tm2 supervises sw3. Seven years after 27 Feb 2026 is Sun 27 Feb 2033:
the destruction date moves to Mon 28 Feb 2033.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import initialise
from oversight.workflows.settings import Settings
from tests.e2e.api_server import TEAM
from tests.security.chain_store import EVENTS, READ_AT

DESTROYED_AT = datetime(2033, 2, 28, 10, 0, tzinfo=UTC)
"""Mon 28 Feb 2033, 10:00 UTC: the custodian destroys sw1's file."""


def oversight(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    # The custodian's day is Mon 28 Feb 2033: the product's test clock (accepted on a scratch
    # store under the system's temporary folder only, docs/clock.md) stands at that moment, as a
    # purge "as of" a day after today is refused.
    env.update(OVERSIGHT_HOME=str(home), OVERSIGHT_CLOCK=DESTROYED_AT.isoformat())
    return subprocess.run([str(Path(sys.executable).parent / "oversight"), *args], env=env,
                          capture_output=True, text=True, timeout=180)


def naming(home: Path, person: bytes) -> list[str]:
    """Every file under ``home`` whose bytes hold ``person``."""
    return sorted(str(path.relative_to(home)) for path in home.rglob("*")
                  if path.is_file() and person in path.read_bytes())


def test_after_a_purge_no_file_under_the_home_names_the_person(tmp_path: Path) -> None:
    """The outbox (tasks.jsonl, after a dispatch) and a subject-access export left under the
    home name sw1 before; after ``oversight purge --as-of 2033-02-28`` no file does, the
    outbox keeps its line count and still names sw3, and the chains still verify."""
    home = tmp_path / "home"
    app = initialise(Settings(home=home), "hull")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert(TEAM)
        uow.commit()
    for raw in EVENTS:
        app.service.record(parse_event(raw), now=READ_AT)
    app.engine.dispose()
    assert oversight(home, "dispatch").returncode == 0
    outbox = home / "outbox" / "tasks.jsonl"
    lines = outbox.read_text(encoding="utf-8").splitlines()
    assert len([line for line in lines if "sw1" in line]) > 0
    export = home / "exports" / "sw1.json"
    export.parent.mkdir()
    assert oversight(home, "subject-access", "sw1", "--out", str(export)).returncode == 0
    assert {"outbox/tasks.jsonl", "exports/sw1.json"} <= set(naming(home, b"sw1"))
    # The file's destruction recorded on its day (the command would record it today, and
    # refuse a day after today): the purge then erases, judged on that day.
    app = initialise(Settings(home=home), "hull")
    app.service.record(parse_event({"type": "supervision_file_destroyed", "on": "2033-02-28",
                                    "person": "sw1"}), now=DESTROYED_AT)
    app.engine.dispose()

    run = oversight(home, "purge", "--as-of", "2033-02-28", "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert len(report["erasures"]) == 1
    assert set(report["files"]["changed"]) == {str(outbox), str(export)}
    assert naming(home, b"sw1") == []
    after = outbox.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(lines) and any("sw3" in line for line in after)
    pseudonym = report["erasures"][0]["pseudonym"]
    assert sum(pseudonym in line for line in after) == sum("sw1" in line for line in lines)
    assert oversight(home, "audit", "verify").returncode == 0
