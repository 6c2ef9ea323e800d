"""The CLI benchmark: ``python -m bench.cli [--size tiny|quick|full]`` (``make bench``).

How long a person waits for ``oversight --help``, ``status`` and ``tasks`` (on a fresh store),
and for ``sweep`` and ``dispatch`` on an empty store with no Prefect server configured
(``PREFECT_API_URL`` unset): the median wall time of a few fresh processes each, beside the
floor of a bare interpreter start (``python -c pass``) measured in the same run, with the peak
resident set of the slowest run. ``--size`` sets the repetitions (tiny 1, quick 3, full 5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.figures import Figure, child_env, run_child, write_figures

REPEATS = {"tiny": 1, "quick": 3, "full": 5}
COMMANDS = (("--help", 0.4), ("status", 0.4), ("tasks", 0.4), ("sweep", 1.0),
            ("dispatch", 1.0))
"""Each command and its target in seconds (issue 15, target 4)."""


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
            runs = [run_child([oversight, command], env=env, cwd=Path(home))
                    for _ in range(repeats)]
            failed = [r for r in runs if r.returncode != 0]
            if failed:
                print(f"oversight {command} failed: {failed[0].stderr[-500:]}", file=sys.stderr)
            seconds = statistics.median(r.seconds for r in runs)
            figures.append(Figure(
                "cli", f"`oversight {command}`" + (" on an empty store, no Prefect server"
                                                   if target > 0.4 else ""),
                seconds, "s", higher_is_better=False, target=target, floor=floor,
                floor_name="python -c pass", peak_rss_mb=max(r.peak_rss_mb for r in runs),
                note=f"median of {repeats}" + (", FAILED" if failed else "")))
            print(f"oversight {command}: {seconds:.2f} s (floor {floor:.2f} s)"
                  + (" FAILED" if failed else ""))
    write_figures(args.figures, figures)


if __name__ == "__main__":
    os.environ.pop("PREFECT_API_URL", None)
    main()
