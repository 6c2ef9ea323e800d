"""The SSD import benchmark: ``python -m bench.ssd_import [--size tiny|quick|full]``.

Writes a seeded SSD extract (``oversight synth --ssd``), imports its staff list, then times
``oversight import ssd FOLDER --json`` end to end in a fresh process on a fresh SQLite store,
with that process's peak resident set. ``full`` is a large authority's five years (about 1,500
professionals, 35,000 referrals: the issue's target, under 5 minutes); ``quick`` and ``tiny`` a
team's year. A second run of the same extract (every event already applied, nothing written)
is timed too: what a nightly re-import of an unchanged extract costs.

There is no plain-SQL floor: what costs is the lifecycles, as in ``bench.simulate``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench.figures import REPO, Figure, child_env, run_child, write_figures

RUNS = {"tiny": "team", "quick": "team", "full": "large"}
TARGETS = {"team": None, "large": 300.0}
"""Seconds for the first import (issue 23: a large authority's five years in under 5 minutes)."""
UNTIL = "2026-11-30"
"""The extract's last day: fixed, so every run imports the same rows."""


def oversight() -> str:
    return str(Path(sys.executable).parent / "oversight")


def measure(size: str, workdir: Path) -> list[Figure]:
    extract, env = workdir / "extract", child_env(OVERSIGHT_HOME=str(workdir / "home"))
    written = ""
    for argv in (["synth", "--ssd", str(extract), "--size", size, "--until", UNTIL, "--json"],
                 ["init"], ["import", "staff", str(extract / "staff.csv")]):
        done = run_child([oversight(), *argv], env=env, cwd=workdir)
        if done.returncode != 0:
            raise SystemExit(f"oversight {argv[0]} failed:\n{done.stderr[-3000:]}")
        written = written or done.stdout
    rows = json.loads(written)["rows"]
    total = sum(count for name, count in rows.items() if name != "staff")
    figures = []
    for run in ("first", "again"):
        done = run_child([oversight(), "import", "ssd", str(extract), "--json"], env=env,
                         cwd=workdir)
        if done.returncode != 0:
            raise SystemExit(f"oversight import ssd failed:\n{done.stderr[-3000:]}")
        report = json.loads(done.stdout)
        what = (f"import ssd: {size} extract, {total:,} rows, {report['events']:,} events"
                + (", again (nothing new)" if run == "again" else ""))
        figures.append(Figure("ssd_import", what, done.seconds, "s", higher_is_better=False,
                              target=TARGETS[size] if run == "first" else None,
                              peak_rss_mb=done.peak_rss_mb,
                              note=f"{report['added']:,} added, {report['left']:,} left, "
                                   f"{report['tasks_opened']:,} tasks opened"))
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ssd_import",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(RUNS), default="full")
    parser.add_argument("--figures", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="oversight-bench-ssd-", dir=REPO / ".oversight"
                                     if (REPO / ".oversight").is_dir() else None) as folder:
        figures = measure(RUNS[args.size], Path(folder))
    for figure in figures:
        print(f"{figure.what}: {figure.value:,.1f} {figure.unit}"
              f" (peak {figure.peak_rss_mb:,.0f} MB) {figure.note}")
    write_figures(args.figures, figures)


if __name__ == "__main__":
    main()
