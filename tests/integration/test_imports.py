"""CSV imports: a file is applied whole or not at all, every bad row is reported with its line,
column and reason, and importing the same file again changes nothing."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from oversight.adapters.imports import ImportRejected, import_file
from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.integration.helpers import record, snapshot

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""Imports are checked against this instant: a date after Monday 2 March 2026 is in the future."""

STAFF_HEADER = ["id", "role", "started", "line_manager", "qualified", "part_time", "agency",
                "team"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _staff_rows(count: int) -> list[list[str]]:
    """``count`` staff in teams of 20: each team's first member reports to tm1, the rest to it."""
    rows = []
    for n in range(count):
        lead = n - n % 20
        manager = "tm1" if n == lead else f"s{lead:05d}"
        role = "manager" if n == lead else "qualified_social_worker"
        rows.append([f"s{n:05d}", role, "2021-09-01", manager, "2020-07-01",
                     "yes" if n % 7 == 0 else "no", "no", f"team{n // 20}"])
    return rows


def _staff_count(app: App) -> int:
    with app.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(t.staff)).scalar_one()


def test_a_ten_thousand_row_staff_file_with_bad_rows_is_refused_whole_then_imports_corrected(
        app: App, tmp_path: Path) -> None:
    """Five bad rows among 10,000: one report names each by line, column and reason, nothing
    is written; the corrected file then imports in one go, and again changes nothing."""
    rows = _staff_rows(10_000)
    good = [list(row) for row in rows]
    # Data row k is on file line k + 2 (line 1 is the header).
    rows[99][1] = "wizard"                      # line 101: unknown role
    rows[2000][2] = "2021-02-30"                # line 2002: a date that does not parse
    rows[5001][3] = "nobody"                    # line 5003: unknown manager
    rows[7002][0] = rows[7001][0]               # line 7004: duplicate id (first on line 7003)
    rows[9003][4] = "2026-06-01"                # line 9005: a date in the future
    bad = _write(tmp_path / "itrent-staff.csv", STAFF_HEADER, rows)
    before = snapshot(app.engine)

    with pytest.raises(ImportRejected) as rejected:
        import_file(app, "staff", bad, now=NOW)

    found = [(p.line, p.column, p.reason) for p in rejected.value.problems]
    assert [(line, column) for line, column, _ in found] == [
        (101, "role"), (2002, "started"), (5003, "line_manager"), (7004, "id"),
        (9005, "qualified")]
    reasons = [reason for _, _, reason in found]
    assert reasons[0].startswith("unknown role 'wizard'")
    assert reasons[1] == "'2021-02-30' is not a date (write YYYY-MM-DD or DD/MM/YYYY)"
    assert reasons[2] == "unknown manager 'nobody': not in this file or the store"
    assert reasons[3] == "duplicate id 's07001' (first on line 7003)"
    assert reasons[4] == "2026-06-01 is in the future (today is 2026-03-02)"
    assert snapshot(app.engine) == before

    corrected = _write(tmp_path / "itrent-staff-fixed.csv", STAFF_HEADER, good)
    # How fast is `make bench`'s business, not a test's: a shared machine makes timings noise.
    report = import_file(app, "staff", corrected, now=NOW)
    assert report.staff == {"added": 10_000, "updated": 0, "unchanged": 0}
    assert _staff_count(app) == 10_000 + 12
    with app.engine.connect() as connection:
        row = connection.execute(select(t.staff).where(t.staff.c.id == "s00007")).mappings().one()
    assert (row["line_manager"], row["part_time"], row["agency"], row["team"]) == \
        ("s00000", True, False, "team0")

    after = snapshot(app.engine)
    again = import_file(app, "staff", corrected, now=NOW)
    assert again.staff == {"added": 0, "updated": 0, "unchanged": 10_000}
    assert snapshot(app.engine) == after


def test_relationships_import_as_events_and_a_second_import_changes_nothing(
        app: App, tmp_path: Path) -> None:
    """Each row starts a relationship (and signs its agreement when dated); re-importing the
    same file is recognised row by row and leaves every table as it was."""
    path = _write(tmp_path / "relationships.csv", ["supervisor", "supervisee", "started",
                                                   "agreement_signed"],
                  [["tm1", f"w{n}", "2026-01-05", "2026-01-06" if n % 2 else ""]
                   for n in range(8)])
    report = import_file(app, "relationships", path, now=NOW)
    assert (report.rows, report.events, report.applied, report.duplicates) == (8, 12, 12, 0)
    with app.engine.connect() as connection:
        states = dict(connection.execute(select(t.entities.c.id, t.entities.c.state).where(
            t.entities.c.kind == "relationship")).all())
    assert states == {f"tm1:w{n}": "active" if n % 2 else "agreement_pending" for n in range(8)}
    after = snapshot(app.engine)
    again = import_file(app, "relationships", path, now=NOW)
    assert (again.applied, again.duplicates) == (0, 12)
    assert snapshot(app.engine) == after


def test_a_row_a_lifecycle_refuses_is_reported_on_its_line_with_the_bad_rows(
        app: App, tmp_path: Path) -> None:
    """A session dated before its relationship started (refused by the relationship) and a
    session with someone who is not staff are both in the one report; nothing is applied."""
    record(app, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="w0")
    record(app, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="w1")
    rows = [["tm1", "w0", "2026-02-02", "90"],
            ["tm1", "w1", "2025-12-01", "60"],      # line 3: before the relationship began
            ["tm1", "w0", "2026-01-05", ""],
            ["tm1", "w9", "2026-01-05", ""]]        # line 5: not staff
    header = ["supervisor", "supervisee", "held", "minutes"]
    before = snapshot(app.engine)
    with pytest.raises(ImportRejected) as rejected:
        import_file(app, "sessions", _write(tmp_path / "sessions.csv", header, rows), now=NOW)
    problems = rejected.value.problems
    assert [(p.line, p.column) for p in problems] == [(3, "row"), (5, "supervisee")]
    assert "before the entity started" in problems[0].reason
    assert problems[1].reason == "unknown staff member 'w9': import staff first"
    assert snapshot(app.engine) == before

    fixed = _write(tmp_path / "sessions-fixed.csv", header, [rows[0], rows[2]])
    report = import_file(app, "sessions", fixed, now=NOW)
    assert report.applied == 2
    with app.engine.connect() as connection:
        due = connection.execute(select(t.tasks.c.due).where(
            t.tasks.c.entity_id == "tm1:w0", t.tasks.c.type == "personal_supervision",
            t.tasks.c.state == "open")).scalars().all()
    assert [d.isoformat() for d in due] == ["2026-03-02"]  # 4 weeks after the later session


def test_allocations_become_child_allocations_supervised_by_the_workers_line_manager(
        app: App, tmp_path: Path) -> None:
    """Without a manager column the worker's line manager supervises the child; unknown case
    types and risks are reported by column."""
    header = ["Child ID", "Case Type", "Risk", "Worker", "Allocation Date"]
    path = _write(tmp_path / "mosaic-allocations.csv", header, [
        ["c1", "cp", "high", "w0", "02/02/2026"],
        ["c2", "looked after", "", "w1", "2026-02-03"],
        ["c3", "cin", "extreme", "w2", "2026-02-04"],
    ])
    with pytest.raises(ImportRejected) as rejected:
        import_file(app, "allocations", path, now=NOW)
    assert [(p.line, p.column, p.reason.split(" (")[0]) for p in rejected.value.problems] == [
        (3, "Case Type (case_type)", "unknown case type 'looked after'"),
        (4, "Risk (risk)", "unknown risk 'extreme'"),
    ]
    fixed = _write(tmp_path / "mosaic-allocations-fixed.csv", header, [
        ["c1", "cp", "high", "w0", "02/02/2026"],
        ["c2", "cla", "", "w1", "2026-02-03"],
    ])
    report = import_file(app, "allocations", fixed, now=NOW)
    assert report.applied == 2
    with app.engine.connect() as connection:
        found = {row.id: row.data for row in connection.execute(select(
            t.entities.c.id, t.entities.c.data).where(t.entities.c.kind == "child_supervision"))}
    assert {child: (data["worker"], data["manager"], data["case_type"], data["risk"])
            for child, data in found.items()} == {"c1": ("w0", "tm1", "cp", "high"),
                                                  "c2": ("w1", "tm1", "cla", "standard")}


def test_a_source_systems_column_names_map_through_settings(app: App, tmp_path: Path) -> None:
    """``OVERSIGHT_IMPORT_COLUMNS`` maps an HR export's headers to ours; a header it does not
    map and we do not know is left unread and listed."""
    app.settings.import_columns["staff"] = {"Employee Number": "id", "Job": "role",
                                            "Start": "started", "Reports To": "line_manager"}
    path = _write(tmp_path / "hr.csv", ["Employee Number", "Job", "Start", "Reports To",
                                        "Payroll Grade"],
                  [["n1", "asye", "2026-01-05", "tm1", "PO3"]])
    report = import_file(app, "staff", path, now=NOW)
    assert report.staff["added"] == 1 and report.ignored_columns == ["Payroll Grade"]
    path_bad = _write(tmp_path / "hr-bad.csv", ["Employee Number", "Job", "Start"],
                      [["n2", "asye", "tomorrow"]])
    with pytest.raises(ImportRejected) as rejected:
        import_file(app, "staff", path_bad, now=NOW)
    assert [str(p) for p in rejected.value.problems] == [
        "line 2: Start (started): 'tomorrow' is not a date (write YYYY-MM-DD or DD/MM/YYYY)"]


def test_the_shipped_itrent_mapping_reads_an_itrent_style_export(app: App, tmp_path: Path) -> None:
    """``config/imports/itrent.yaml`` named by ``OVERSIGHT_IMPORT_COLUMNS_FILE`` maps every
    column of an export with those headers."""
    from dataclasses import replace

    from oversight.adapters.imports import column_mapping

    repo = Path(__file__).resolve().parents[2]
    settings = app.settings.model_copy(update={"import_columns_file":
                                               repo / "config" / "imports" / "itrent.yaml"})
    mapping = column_mapping(settings, "staff")
    path = _write(tmp_path / "itrent.csv", list(mapping), [
        ["e100", "practitioner", "2023-05-02", "tm1", "", "Y", "N", "north"]])
    report = import_file(replace(app, settings=settings), "staff", path, now=NOW)
    assert report.staff["added"] == 1 and report.ignored_columns == []
    with app.engine.connect() as connection:
        row = connection.execute(select(t.staff).where(t.staff.c.id == "e100")).mappings().one()
    assert (row["role"], row["line_manager"], row["part_time"], row["team"]) == \
        ("practitioner", "tm1", True, "north")


def test_a_file_missing_a_required_column_is_refused_at_its_header(app: App,
                                                                  tmp_path: Path) -> None:
    """No ``started`` column: one problem on line 1, before any row is read."""
    path = _write(tmp_path / "staff.csv", ["id", "role"], [["n1", "asye"]])
    with pytest.raises(ImportRejected) as rejected:
        import_file(app, "staff", path, now=NOW)
    assert [str(p) for p in rejected.value.problems] == [
        "line 1: started: required column is missing"]


def test_a_dry_run_reports_what_would_happen_and_keeps_nothing(app: App, tmp_path: Path) -> None:
    """The events are applied and counted, then rolled back."""
    path = _write(tmp_path / "relationships.csv", ["supervisor", "supervisee", "started"],
                  [["tm1", "w0", "2026-01-05"], ["tm1", "w1", "2026-01-05"]])
    before = snapshot(app.engine)
    report = import_file(app, "relationships", path, now=NOW, dry_run=True)
    assert (report.applied, report.tasks_opened, report.dry_run) == (2, 4, True)
    assert snapshot(app.engine) == before
