"""Writes the benchmark table of docs/benchmarks.md from ``.oversight/bench/latest.json``:
``python -m bench.readme [--json FILE] [--readme FILE]``.

The table goes between the ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` lines of the
the table of docs/benchmarks.md, with the machine, the date and the size it was measured at; the
text around it is left as it is. ``tests/test_bench_readme.py`` checks that its table
has the columns this module writes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.figures import HEADERS, LATEST, REPO, Report, cells, machine_line

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def _escape(text: str) -> str:
    """A cell for a Markdown table: its bars escaped, and underscores, which would embolden."""
    return text.replace("|", "\\|").replace("_", "\\_")


def markdown(report: Report) -> str:
    """The block between the markers: the machine line, then one table of every figure."""
    lines = [f"Measured by `make bench` at size `{report.size}` on {machine_line(report.machine)}."
             " Ratios are to the plain-SQL floor of the same run: on a shared machine they hold "
             "where seconds do not.", "",
             "| " + " | ".join(HEADERS) + " |",
             "|" + "|".join("---:" if h in ("figure", "× floor", "peak RSS MB") else "---"
                            for h in HEADERS) + "|"]
    for figure in report.figures:
        lines.append("| " + " | ".join(_escape(cell) for cell in cells(figure)) + " |")
    if report.carried:
        lines.append("")
        lines.append("Carried over from an earlier run: " + ", ".join(
            f"{name} ({when[:16].replace('T', ' ')} UTC)" for name, when in report.carried.items())
            + ".")
    for failure in report.failures:
        lines.append("")
        lines.append(f"Not measured: {_escape(failure)}")
    return "\n".join(lines)


def table_rows(readme: str) -> list[list[str]]:
    """The cells of every table row between the markers (header and rule included)."""
    start, end = readme.index(BEGIN), readme.index(END)
    rows = []
    for line in readme[start:end].splitlines():
        if line.startswith("|"):
            inner = line.strip()[1:-1].replace("\\|", "\0")
            rows.append([cell.strip().replace("\0", "|").replace("\\_", "_")
                         for cell in inner.split("|")])
    return rows


def regenerate(readme: str, report: Report) -> str:
    """``readme`` with the block between the markers replaced by :func:`markdown`."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + markdown(report) + "\n" + readme[end:]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.readme",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, default=LATEST)
    parser.add_argument("--readme", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    report = Report.from_json(json.loads(args.json.read_text(encoding="utf-8")))
    args.readme.write_text(regenerate(args.readme.read_text(encoding="utf-8"), report),
                           encoding="utf-8")
    print(f"wrote {len(report.figures)} figures into {args.readme}")


if __name__ == "__main__":
    main()
