"""The simulation benchmark: ``python -m bench.simulate [--size tiny|quick|full]``.

Generates an authority's year (:mod:`bench.authority`, seeded) and times ``oversight simulate
FILE --json`` on it end to end in a fresh process (interpreter start, validation, Prefect's
temporary server, every simulated day, the JSON written), with that process's peak resident set.
``--size quick`` runs the small authority (150 workers, 1,000 assessments); ``full`` the small
and the large one (1,500 workers, 10,000 assessments); ``tiny`` a three-month team.

Beside them, :mod:`bench.simulate_floor` runs the same scenario in a child process with the
engine's calls timed and its statements counted, then writes the rows the engine wrote with plain
``sqlite3`` (``executemany`` per kind of row per day): the engine's cost per event against that
floor (issue 22: at most 3x), and the statements per event. ``python -m bench.simulate write
SIZE FILE`` only writes the scenario.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench.authority import SHAPES, describe, generate
from bench.figures import REPO, Figure, child_env, run_child, write_figures

RUNS = {"tiny": ("tiny",), "quick": ("small",), "full": ("small", "large")}
TARGETS = {"small": (15.0, None), "large": (120.0, 600.0), "tiny": (None, None)}
"""Seconds end to end, and peak memory in MB (issue 15, target 1)."""


def oversight() -> str:
    return str(Path(sys.executable).parent / "oversight")


def measure(size: str, seed: int, workdir: Path) -> list[Figure]:
    scenario = workdir / f"authority-{size}.yaml"
    text = generate(size, seed)
    scenario.write_text(text, encoding="utf-8")
    counts = describe(text)
    print(f"simulating a {size} authority: {counts}", file=sys.stderr, flush=True)
    done = run_child([oversight(), "simulate", str(scenario), "--json"],
                     env=child_env(OVERSIGHT_HOME=str(workdir / "home")), cwd=workdir)
    if done.returncode != 0:
        raise SystemExit(f"oversight simulate failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout)
    seconds_target, memory_target = TARGETS[size]
    shape = SHAPES[size]
    what = (f"simulate: {size} authority, {shape.workers:,} workers, {shape.assessments:,} "
            f"assessments, {counts['events']:,} events")
    note = f"{len(result['tasks']):,} tasks, {len(result['transitions']):,} transitions"
    figures = [Figure("simulate", what, done.seconds, "s", higher_is_better=False,
                      target=seconds_target, peak_rss_mb=done.peak_rss_mb, note=note),
               Figure("simulate", f"simulate: {size} authority, peak memory", done.peak_rss_mb,
                      "MB", higher_is_better=False, target=memory_target,
                      peak_rss_mb=done.peak_rss_mb)]
    if memory_target is None:
        figures.pop()
    figures += floor_figures(size, scenario, workdir)
    checked = run_child([sys.executable, "-c", CHECK_ONLY, str(scenario)], env=child_env(),
                        cwd=REPO)
    if checked.returncode == 0:
        figures.append(Figure("simulate", f"simulate: {size} authority, reading and checking "
                              f"the file alone (load_scenario)", float(checked.last_json()), "s",
                              higher_is_better=False, peak_rss_mb=checked.peak_rss_mb,
                              note="part of the run above, once; the engine's dry run only "
                                   "for a refused file"))
    return figures


def floor_figures(size: str, scenario: Path, workdir: Path) -> list[Figure]:
    """The engine's cost per event beside its plain-SQL floor, and statements per event."""
    folder = workdir / f"floor-{size}"
    folder.mkdir()
    done = run_child([sys.executable, "-m", "bench.simulate_floor", str(scenario), str(folder)],
                     env=child_env(), cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"bench.simulate_floor failed ({done.returncode}):\n"
                         f"{done.stderr[-3000:]}")
    found = done.last_json()
    events = found["events"]
    per_event = 1000 * found["engine_seconds"] / events
    floor = 1000 * found["floor_seconds"] / events
    return [Figure("simulate", f"simulate: {size} authority, the engine's cost per event "
                   f"(its days' calls, in process)", per_event, "ms", higher_is_better=False,
                   floor=floor, floor_name="its rows by plain sqlite3, executemany per kind "
                   "per day", ratio_target=3.0, peak_rss_mb=done.peak_rss_mb,
                   note=f"{events:,} events, {found['fired']:,} timers fired, "
                        f"{found['rows_written']:,} rows written"),
            Figure("simulate", f"simulate: {size} authority, statements per event",
                   found["statements_per_event"], "statements", higher_is_better=False,
                   peak_rss_mb=done.peak_rss_mb,
                   note=f"{found['statements']:,} statements; "
                        + ", ".join(f"{kind} {count:,}" for kind, count in
                                    list(found["by_kind"].items())[:6]))]


CHECK_ONLY = ("import json, sys, time; from pathlib import Path; "
              "from oversight.adapters.scenario import load_scenario; "
              "started = time.perf_counter(); "
              "load_scenario(Path(sys.argv[1]), engine_check=False); "
              "print(json.dumps(time.perf_counter() - started))")
"""How long reading and checking the file takes by itself, as ``oversight simulate`` does it
(the engine's dry run of every event runs only when the run meets a refusal)."""


def main(argv: list[str] | None = None) -> None:
    if argv is None and sys.argv[1:2] == ["write"]:
        Path(sys.argv[3]).write_text(generate(sys.argv[2]), encoding="utf-8")
        return
    parser = argparse.ArgumentParser(prog="python -m bench.simulate",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(RUNS), default="full")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--figures", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="oversight-bench-sim-", dir=REPO / ".oversight"
                                     if (REPO / ".oversight").is_dir() else None) as folder:
        for size in RUNS[args.size]:
            figures += measure(size, args.seed, Path(folder))
    for figure in figures:
        floor = "" if figure.ratio is None else (
            f", floor {figure.floor:,.2f} {figure.unit}: {figure.ratio:.1f}x")
        print(f"{figure.what}: {figure.value:,.2f} {figure.unit}{floor}"
              f" (peak {figure.peak_rss_mb or 0:,.0f} MB) {figure.note}")
    write_figures(args.figures, figures)


if __name__ == "__main__":
    main()
