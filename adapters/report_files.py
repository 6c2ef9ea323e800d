"""Compliance reports as files: CSV (one table), XLSX (a sheet per table, via openpyxl), JSON.

Each writer takes the dict of :func:`oversight.workflows.reads.compliance.compliance` unchanged, so
a file and the API give the same numbers for the same period. Every text cell of a CSV or XLSX
file goes through :func:`~oversight.adapters.spreadsheet_cells.neutralised`: none is a formula.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from oversight.adapters.spreadsheet_cells import neutralised, neutralised_row
from oversight.workflows.reads.compliance import FLAT_COLUMNS, flat_rows

FORMATS = ("csv", "xlsx", "json")

_SHEETS = [
    ("Categories", "categories", ["category", "label", "due", "on_time", "breached", "pending",
                                  "percent_on_time"]),
    ("By rule", "rules", ["category", "authority", "section", "rule", "due", "on_time",
                          "breached", "pending", "percent_on_time"]),
    ("Breaches", "breaches", ["authority", "section", "rule", "category", "breached"]),
    ("By month", "months", ["month", "category", "due", "on_time", "breached", "pending",
                            "percent_on_time"]),
]


def write_report(report: dict[str, Any], path: Path, fmt: str) -> None:
    """Write ``report`` to ``path`` as ``csv``, ``xlsx`` or ``json``."""
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=FLAT_COLUMNS)
            writer.writeheader()
            writer.writerows(neutralised_row(row) for row in flat_rows(report))
    elif fmt == "xlsx":
        _write_xlsx(report, path)
    elif fmt == "json":
        path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _write_xlsx(report: dict[str, Any], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    about = book.worksheets[0]  # a new workbook's one sheet (its active one)
    about.title = "Report"
    team = report["team"]
    for row in [("Compliance report", ""), ("From", report["period"]["from"]),
                ("To", report["period"]["to"]), ("Open tasks judged on", report["as_of"]),
                ("Team", f"{team['manager']} and {len(team['members']) - 1} below"
                 if team else "whole authority"),
                ("Due", report["totals"]["due"]), ("On time", report["totals"]["on_time"]),
                ("Breached", report["totals"]["breached"]),
                ("Pending", report["totals"]["pending"]),
                ("% on time", report["totals"]["percent_on_time"])]:
        about.append([neutralised(value) for value in row])
    about["A1"].font = Font(bold=True)
    for title, key, columns in _SHEETS:
        sheet = book.create_sheet(title)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in report[key]:
            sheet.append([neutralised(line.get(column)) for column in columns])
        sheet.freeze_panes = "A2"
    book.save(path)
