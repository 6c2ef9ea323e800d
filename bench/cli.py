"""The CLI benchmark: ``python -m bench.cli [--size tiny|quick|full]`` (``make bench``).

How long a person waits for ``oversight --help``, ``status`` and ``tasks`` (on a fresh store),
and for ``sweep`` and ``dispatch`` on an empty store with no Prefect server configured
(``PREFECT_API_URL`` unset): the median wall time of a few fresh processes each, beside the
floor of a bare interpreter start (``python -c pass``) measured in the same run, with the peak
resident set of the slowest run and, in the note, the median CPU time (user and system) of the
runs, which a loaded machine inflates less than the wall time. ``--size`` sets the repetitions
(tiny 1, quick 3, full 5).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path

from bench.figures import ChildRun, Figure, child_env, run_child, write_figures

REPEATS = {"tiny": 1, "quick": 3, "full": 5}
COMMANDS = (("--help", 0.4), ("status", 0.4), ("tasks", 0.4), ("sweep", 1.0),
            ("dispatch", 1.0))
"""Each command and its target in seconds (issue 15, target 4)."""
RUN_AS_OVERSIGHT = ("import sys; from oversight.adapters.cli.app import main; "
                    "sys.argv = ['oversight', *sys.argv[1:]]; main()")


def import_times(stderr: str) -> tuple[float, dict[str, float]]:
    """``python -X importtime``'s report: the total in milliseconds, and per package the time
    of its outermost imports (a package imported by another package counts for itself)."""
    lines = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit():
                depth = (len(name) - len(name.lstrip(" "))) // 2
                lines.append((depth, int(cumulative) / 1000, name.strip().split(".")[0]))
    total = sum(ms for depth, ms, _ in lines if depth == 0)
    found: dict[str, float] = {}
    stack: list[tuple[int, str]] = []
    for depth, ms, top in reversed(lines):  # a parent is printed after its children
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if not stack or stack[-1][1] != top:
            found[top] = found.get(top, 0.0) + ms
        stack.append((depth, top))
    return total, found


def imports_of(command: str, env: dict[str, str], cwd: Path) -> tuple[float, str]:
    """The import time of one command and its heaviest top-level packages."""
    done = run_child([sys.executable, "-X", "importtime", "-c", RUN_AS_OVERSIGHT, command],
                     env=env, cwd=cwd)
    total, times = import_times(done.stderr)
    heaviest = sorted(((name, ms) for name, ms in times.items()
                       if name not in ("oversight", "site", "encodings")
                       and not name.startswith("_")), key=lambda i: -i[1])
    return total, ", ".join(f"{name} {ms:.0f} ms" for name, ms in heaviest[:4])


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[ChildRun, float]:
    """One run and the CPU seconds it used (the children's usage grows as each is reaped)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = run_child(argv, env=env, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cli", description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(REPEATS), default="full")
    parser.add_argument("--figures", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    repeats = REPEATS[args.size]
    oversight = str(Path(sys.executable).parent / "oversight")
    figures = []
    with tempfile.TemporaryDirectory(prefix="oversight-bench-cli-") as home:
        env = {k: v for k, v in child_env(OVERSIGHT_HOME=home).items()
               if not k.startswith("PREFECT_API") and k != "OVERSIGHT_DATABASE_URL"}
        ready = run_child([oversight, "init"], env=env, cwd=Path(home))
        if ready.returncode != 0:
            raise SystemExit(f"oversight init failed:\n{ready.stderr[-2000:]}")
        floor_runs = [run_child([sys.executable, "-c", "pass"], env=env, cwd=Path(home))
                      for _ in range(repeats)]
        floor = statistics.median(r.seconds for r in floor_runs)
        for command, target in COMMANDS:
            measured = [timed([oversight, command], env, Path(home)) for _ in range(repeats)]
            runs = [run for run, _ in measured]
            cpu = statistics.median(seconds for _, seconds in measured)
            failed = [r for r in runs if r.returncode != 0]
            if failed:
                print(f"oversight {command} failed: {failed[0].stderr[-500:]}", file=sys.stderr)
            seconds = statistics.median(r.seconds for r in runs)
            figures.append(Figure(
                "cli", f"`oversight {command}`" + (" on an empty store, no Prefect server"
                                                   if target > 0.4 else ""),
                seconds, "s", higher_is_better=False, target=target, floor=floor,
                floor_name="python -c pass", peak_rss_mb=max(r.peak_rss_mb for r in runs),
                note=f"median of {repeats}, CPU {cpu:.2f} s" + (", FAILED" if failed else "")))
            print(f"oversight {command}: {seconds:.2f} s, CPU {cpu:.2f} s (floor {floor:.2f} s)"
                  + (" FAILED" if failed else ""))
            total, heaviest = imports_of(command, env, Path(home))
            figures.append(Figure("cli", f"imports of `oversight {command}` (-X importtime)",
                                  total, "ms", higher_is_better=False, note=heaviest))
            print(f"  imports {total:.0f} ms: {heaviest}")
    write_figures(args.figures, figures)


if __name__ == "__main__":
    os.environ.pop("PREFECT_API_URL", None)
    main()
