"""CSV injection: no cell of any CSV or XLSX export is a formula a spreadsheet would run.

Identifiers may start with ``-`` (a child id ``-A1`` is valid), and ``-A1`` in a spreadsheet is a
reference to cell A1. Every export quotes a text cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return (OWASP), so it is shown as the text it is.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from oversight.adapters.delivery.files import BatchFileDeliverer
from oversight.adapters.report_files import write_report
from oversight.adapters.spreadsheet_cells import TRIGGERS
from oversight.adapters.store import tables as t
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App
from oversight.workflows.reads.compliance import Period, compliance
from tests.e2e.api_server import NOW

PAYLOADS = ["=HYPERLINK(\"http://evil.example\")", "+1+1", "-A1", "@SUM(A1)", "\tA1", "\rA1"]


def _unsafe(cell: object) -> bool:
    return isinstance(cell, str) and cell.startswith(TRIGGERS)


def test_a_child_id_starting_with_a_minus_is_quoted_in_the_files_adapters_csv(
        teams: App, tmp_path: Path) -> None:
    """Child ``-A1``'s tasks go to the case system's CSV as ``'-A1``, never as ``-A1``."""
    teams.service.record(parse_event({"type": "assessment_started", "on": "2026-03-02",
                                      "child": "-A1", "worker": "sw1", "manager": "tm1"}),
                         now=NOW)
    with teams.engine.connect() as connection:
        messages = [row.message for row in connection.execute(
            select(t.outbox.c.message).order_by(t.outbox.c.seq))]
    deliverer = BatchFileDeliverer(tmp_path, run_at=NOW)
    deliverer.deliver_many(messages)
    [written] = deliverer.written
    rows = list(csv.DictReader(io.StringIO(written.read_text(encoding="utf-8"))))
    assert "'-A1" in {row["child_id"] for row in rows}
    assert not [cell for row in rows for cell in row.values() if _unsafe(cell)]


def test_every_text_cell_of_a_report_in_csv_and_xlsx_is_safe(teams: App, tmp_path: Path) -> None:
    """A report whose labels and rule ids carry each payload: in the CSV every cell is quoted;
    in the workbook every cell is text (no formula), starting with the quote."""
    report = compliance(teams.store, _year())
    for index, line in enumerate(report["rules"]):
        line["rule"] = PAYLOADS[index % len(PAYLOADS)]
    for index, line in enumerate(report["categories"]):
        line["label"] = PAYLOADS[index % len(PAYLOADS)]
    write_report(report, tmp_path / "report.csv", "csv")
    write_report(report, tmp_path / "report.xlsx", "xlsx")
    with (tmp_path / "report.csv").open(newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert "'-A1" in cells and not [cell for cell in cells if _unsafe(cell)]
    book = load_workbook(tmp_path / "report.xlsx")
    values = [(cell.value, cell.data_type) for sheet in book for row in sheet.iter_rows()
              for cell in row if cell.value is not None]
    assert not [value for value, kind in values if kind == "f" or _unsafe(value)]
    assert ("'=HYPERLINK(\"http://evil.example\")", "s") in values


def _year() -> Period:
    return Period(date(2026, 1, 1), date(2026, 12, 31))
