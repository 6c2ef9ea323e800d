"""The fast paths of issue 15 leave exactly the rows the paths they replaced left.

Each scenario below was simulated by the engine as it stood before issue 15 (commit e3a1177:
one transaction per event, a Prefect task per simulated day) and its store written out as a
snapshot (``tests/fixtures/fast_paths/*.expected.json``, made with
``python -m tests.integration.test_fast_paths --write`` on that commit). The same scenario
simulated now must give the same snapshot, row for row: entities, timers, tasks, the audit
trail, the event log and every outbox message. The expected files are not made by the code
under test: regenerate them only on purpose, saying why in the commit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.store_snapshot import first_difference, snapshot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fast_paths"
REPO = Path(__file__).resolve().parent.parent.parent
SCENARIOS = {
    # bench.authority's tiny authority (seed 15): 17 staff, 40 assessments, 193 events
    "tiny-authority": FIXTURES / "tiny-authority.yaml",
    # the README's demo: a Surrey team's year
    "surrey-team": REPO / "config" / "scenarios" / "surrey-team.yaml",
}


def simulated(scenario: Path, store: Path) -> dict[str, list[dict[str, object]]]:
    from oversight.workflows.simulation.runs import simulate

    simulate(scenario, store=store)
    return snapshot(store)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_simulated_year_leaves_the_rows_the_old_engine_left(
        name: str, tmp_path: Path, prefect_harness: None) -> None:
    """Simulating a scenario gives, row for row, the store the pre-issue-15 engine gave."""
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    actual = simulated(SCENARIOS[name], tmp_path / "year.db")
    assert {table: len(rows) for table, rows in actual.items()} == \
        {table: len(rows) for table, rows in expected.items()}
    assert first_difference(expected, actual) is None


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_simulation_without_a_prefect_server_leaves_the_same_rows(name: str, tmp_path: Path
                                                                   ) -> None:
    """``oversight simulate`` with no Prefect server configured runs the flow's steps as plain
    calls (no temporary server): the store it leaves is, row for row, the old engine's."""
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PREFECT_", "OVERSIGHT_"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), OVERSIGHT_HOME=str(tmp_path / "home"))
    store = tmp_path / "year.db"
    done = subprocess.run([str(Path(sys.executable).parent / "oversight"), "simulate",
                           str(SCENARIOS[name]), "--store", str(store)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "no Prefect server configured" in done.stderr
    assert not (tmp_path / "prefect" / "prefect.db").exists()  # no temporary server ran
    assert first_difference(expected, snapshot(store)) is None


def main() -> None:  # pragma: no cover - run by hand on purpose (see the module's docstring)
    import tempfile

    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python -m tests.integration.test_fast_paths --write")
    for name, scenario in SCENARIOS.items():
        with tempfile.TemporaryDirectory() as folder:
            rows = simulated(scenario, Path(folder) / "year.db")
        out = FIXTURES / f"{name}.expected.json"
        out.write_text(json.dumps(rows, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {out}: " + ", ".join(f"{t} {len(r)}" for t, r in rows.items()))


if __name__ == "__main__":
    main()
