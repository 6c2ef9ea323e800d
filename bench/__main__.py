"""Every benchmark, one table: ``python -m bench [--size tiny|quick|full]`` (``make bench``).

Runs each benchmark module in its own process (``python -m bench.<name> --size S --figures F``),
collects their figures, prints one table (each figure with its target, the plain-SQL floor
measured in the same run, the ratio and the peak memory of the process that did the work) and
writes it all as JSON, with the machine and the date, to ``.oversight/bench/latest.json``.
``python -m bench.readme`` then writes that table into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench.figures import (
    HEADERS,
    LATEST,
    REPO,
    SIZES,
    Report,
    cells,
    child_env,
    machine_line,
    read_figures,
    run_child,
)

MODULES = ("cli", "sweep", "simulate", "ssd_import", "api", "api_workers", "dispatch", "scale")
"""In this order: the quick ones first, the scale benchmark (England, PostgreSQL) last."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--only", default=",".join(MODULES),
                        help=f"comma-separated benchmarks to run (of {', '.join(MODULES)})")
    parser.add_argument("--out", type=Path, default=LATEST, help="where to write the JSON")
    parser.add_argument("--merge", action="store_true",
                        help="keep the figures of the benchmarks not run from --out's last run "
                             "(the table says which were carried over, and from when)")
    args = parser.parse_args(argv)
    chosen = [name for name in args.only.split(",") if name]
    unknown = sorted(set(chosen) - set(MODULES))
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}; they are {', '.join(MODULES)}")

    report = Report(size=args.size)
    with tempfile.TemporaryDirectory(prefix="oversight-bench-") as folder:
        for name in chosen:
            if name == "scale" and args.size == "tiny":
                continue  # it builds England (or a twentieth of it) and starts PostgreSQL
            figures = Path(folder) / f"{name}.json"
            print(f"bench: {name} ({args.size})…", file=sys.stderr, flush=True)
            done = run_child([sys.executable, "-m", f"bench.{name}", "--size", args.size,
                              "--figures", str(figures)], env=child_env(), cwd=REPO)
            sys.stderr.write(done.stdout)
            if figures.exists():  # what it measured, even if a later step failed
                report.figures += read_figures(figures)
            if done.returncode != 0:
                lines = done.stderr.strip().splitlines() or done.stdout.strip().splitlines()
                report.failures.append(f"{name}: exit {done.returncode}: "
                                       f"{lines[-1] if lines else '?'}")
                sys.stderr.write(done.stderr[-3000:])
            # What is measured so far, should the run be cut short (LATEST.partial.json)
            partial = args.out.with_name(f"{args.out.stem}.partial.json")
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")

    if args.merge and args.out.exists():
        before = Report.from_json(json.loads(args.out.read_text(encoding="utf-8")))
        ran = set(chosen)
        kept = [f for f in before.figures if f.benchmark not in ran]
        report.figures = sorted(report.figures + kept,
                                key=lambda f: MODULES.index(f.benchmark)
                                if f.benchmark in MODULES else len(MODULES))
        report.failures += [f"{failure} (carried over)" for failure in before.failures
                            if failure.split(":")[0] not in ran]
        if kept:
            report.carried = {name: before.machine["date"]
                              for name in sorted({f.benchmark for f in kept})}
    print_table(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} (`python -m bench.readme` puts it in docs/benchmarks.md)")
    return 1 if report.failures else 0


def print_table(report: Report) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 180))
    table = Table(title=f"oversight benchmarks ({report.size}): {machine_line(report.machine)}")
    for header in HEADERS:
        table.add_column(header, justify="left" if header in ("benchmark", "what", "target",
                                                              "plain-SQL floor") else "right")
    previous = None
    for figure in report.figures:
        if previous is not None and figure.benchmark != previous:
            table.add_section()
        table.add_row(*cells(figure))
        previous = figure.benchmark
    console.print(table)
    for failure in report.failures:
        console.print(f"FAILED {failure}", markup=False)


if __name__ == "__main__":
    raise SystemExit(main())
