"""The test clock seen from outside: `oversight` run as a process takes OVERSIGHT_CLOCK as its
"today" beside a scratch store, and refuses it beside any other, changing nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.integration.helpers import snapshot

OVERSIGHT = Path(sys.executable).parent / "oversight"
CLOCK = "2031-01-06T10:00:00+00:00"
"""Mon 6 Jan 2031, 10:00 UTC: years after any day these tests run on, so an event dated then
is accepted only if the process runs on this clock."""
STAFF = ("id,role,started,line_manager,qualified\n"
         "tm1,manager,2019-04-01,,2014-07-01\n"
         "sw1,qualified_social_worker,2022-09-05,tm1,2022-07-01\n")
STARTED = ["event", "--type", "relationship_started", "--on", "2031-01-06",
           "-f", "supervisor=tm1", "-f", "supervisee=sw1"]


def run(home: Path, temporary: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`oversight ARGS` over the store in ``home``, with ``temporary`` as the system's
    temporary folder (TMPDIR) and the test clock set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(home), OVERSIGHT_CLOCK=CLOCK, TMPDIR=str(temporary))
    return subprocess.run([str(OVERSIGHT), *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def _store(home: Path, temporary: Path) -> None:
    for args in (["init", "--policy", "hull"], ["import", "staff", str(home / "staff.csv")]):
        done = run(home, temporary, *args)
        assert done.returncode == 0, done.stderr


def test_a_process_beside_a_scratch_store_runs_on_the_test_clock(tmp_path: Path):
    """The store inside TMPDIR: an event dated Mon 6 Jan 2031 (today on the test clock) is
    recorded, and `status` runs."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "staff.csv").write_text(STAFF)
    _store(home, tmp_path)
    recorded = run(home, tmp_path, *STARTED)
    assert recorded.returncode == 0, recorded.stderr


def test_a_process_beside_a_kept_store_refuses_the_test_clock_and_changes_nothing(
        tmp_path: Path):
    """The same store, but TMPDIR elsewhere (so the store is not in the temporary folder):
    every command stops with the one line, exit 1, the store as it was."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "staff.csv").write_text(STAFF)
    _store(home, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    from oversight.workflows.bootstrap import open_app
    from oversight.workflows.settings import Settings

    app = open_app(Settings(home=home))
    before = snapshot(app.engine)
    for args in (STARTED, ["sweep"], ["status"]):
        refused = run(home, elsewhere, *args)
        assert refused.returncode == 1
        assert refused.stderr == (
            "error: OVERSIGHT_CLOCK is set, but the store is not a scratch store (a test clock "
            "is for tests only: docs/clock.md); unset OVERSIGHT_CLOCK\n")
    assert snapshot(app.engine) == before
    app.engine.dispose()
