"""``oversight import ssd`` as a council runs it: a Standard Safeguarding Dataset extract (the
hand-written one of :mod:`tests.e2e.ssd_extracts`) imported into a Surrey store, in-process.

The import is judged against the same history recorded event by event through ``oversight
event``, against itself (twice: nothing changes), against a bad extract (every fault named,
nothing kept) and against the personal data an extract holds (none of it reaches the store).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Invoke, json_of
from tests.e2e.ssd_extracts import STAFF_CSV, extract, write_database, write_folder
from tests.integration.store_snapshot import snapshot

AS_OF = "2026-11-30"
"""The day both stores are swept to: a Monday, after every date of the extract."""

EVENTS = [
    # What the extract says, as a person would record it; worked out from the rows by hand.
    {"type": "child_allocated", "on": "2026-01-05", "child": "C2", "worker": "sw1",
     "manager": "tm1", "case_type": "cin", "plan": "cin"},
    {"type": "child_allocated", "on": "2026-03-02", "child": "C1", "worker": "sw1",
     "manager": "tm1", "case_type": "cin", "plan": "cin"},
    # Referral R1 (cine_referral_date) is Mon 2 Mar, the day before the assessment.
    {"type": "assessment_started", "on": "2026-03-03", "child": "C1", "worker": "sw1",
     "manager": "tm1", "referred_on": "2026-03-02"},
    {"type": "case_closed", "on": "2026-03-31", "child": "C2"},
    {"type": "assessment_completed", "on": "2026-04-20", "child": "C1"},
    {"type": "child_reallocated", "on": "2026-05-01", "child": "C1", "worker": "P2",
     "manager": "tm1"},
    {"type": "case_details_changed", "on": "2026-06-01", "child": "C1", "case_type": "cp",
     "plan": "cp"},
]


def _store(home: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch, name: str) -> Path:
    """A fresh Surrey store under ``home/name`` with the staff list, made the current one."""
    folder = home / name
    monkeypatch.setenv("OVERSIGHT_HOME", str(folder))
    assert oversight("init").exit_code == 0
    staff = home.parent / "staff.csv"
    staff.write_text(STAFF_CSV, encoding="utf-8")
    done = oversight("import", "staff", str(staff))
    assert done.exit_code == 0, done.stderr
    return folder


def _obligations(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """What the obligations are (entities, timers, tasks), without what differs by how the
    events came in: their ids and when they were recorded."""
    rows = snapshot(folder / "oversight.db")
    drop = {"recorded_at", "version"}
    return {table: [{k: v for k, v in row.items() if k not in drop} for row in rows[table]]
            for table in ("entities", "timers", "tasks")}


def test_an_extract_leaves_the_tasks_states_breaches_and_timers_its_events_recorded_one_by_one_leave(  # noqa: E501 - the sentence is the test
        home: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Imported, then swept to 30 Nov: equal to the seven events recorded by hand and swept."""
    by_hand = _store(home, oversight, monkeypatch, "by-hand")
    for event in EVENTS:
        done = oversight("event", json.dumps(event))
        assert done.exit_code == 0, done.stderr
    assert oversight("sweep", "--as-of", AS_OF).exit_code == 0
    imported = _store(home, oversight, monkeypatch, "imported")
    report = json_of(oversight("import", "ssd", str(write_folder(tmp_path / "x", extract())),
                               "--json"))
    assert oversight("sweep", "--as-of", AS_OF).exit_code == 0
    assert (report["events"], report["added"], report["professionals_not_staff"]) == (7, 7, 1)
    assert _obligations(imported) == _obligations(by_hand)
    tasks = {t["id"]: t for t in _obligations(imported)["tasks"]}
    # 35 working days from Tue 3 Mar 2026, Good Friday (3 Apr) and Easter Monday (6 Apr)
    # skipped: Thu 23 Apr; authorised Mon 20 Apr, so met on time.
    complete = tasks["assessment:C1:complete"]
    assert (complete["due"], complete["state"], complete["closed_on"]) == (
        "2026-04-23", "closed", "2026-04-20")
    # The day-10 oversight (Tue 17 Mar) was never recorded: breached the day after.
    assert tasks["assessment:C1:mo:day10"]["breached_on"] == "2026-03-18"


def test_importing_the_same_extract_twice_changes_nothing_in_the_store(
        home: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The second run leaves all seven events alone: every table's rows are as they were."""
    store = _store(home, oversight, monkeypatch, "twice")
    folder = write_folder(tmp_path / "x", extract())
    assert json_of(oversight("import", "ssd", str(folder), "--json"))["added"] == 7
    before = snapshot(store / "oversight.db")
    again = json_of(oversight("import", "ssd", str(folder), "--json"))
    assert (again["added"], again["amended"], again["retracted"], again["left"]) == (0, 0, 0, 7)
    assert snapshot(store / "oversight.db") == before


def test_a_changed_date_amends_its_event_and_a_gone_row_is_retracted_with_mirror(
        home: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Authorised on Fri 24 Apr instead of Mon 20 Apr: amended, the completion closed that day
    (it was due Thu 23 Apr); the CP plan's row gone: with --mirror its case change is retracted
    and the child is a child in need again (the plan was cp from Mon 1 Jun)."""
    store = _store(home, oversight, monkeypatch, "amend")
    tables = extract()
    oversight("import", "ssd", str(write_folder(tmp_path / "x", tables)))
    tables["ssd_cin_assessments"][0]["cina_assessment_auth_date"] = "24/04/2026"
    del tables["ssd_cp_plans"]
    changed = write_folder(tmp_path / "y", tables)
    without = json_of(oversight("import", "ssd", str(changed), "--json"))
    assert (without["added"], without["amended"], without["retracted"], without["left"]) == (
        0, 1, 0, 5)
    def child(folder: Path) -> dict[str, Any]:
        (found,) = [e["data"] for e in _obligations(folder)["entities"]
                    if (e["kind"], e["id"]) == ("child_supervision", "C1")]
        return found

    assert (child(store)["case_type"], child(store)["plan"]) == ("cp", "cp")
    mirrored = json_of(oversight("import", "ssd", str(changed), "--mirror", "--json"))
    assert (mirrored["amended"], mirrored["retracted"], mirrored["left"]) == (0, 1, 6)
    tasks = {t["id"]: t for t in _obligations(store)["tasks"]}
    complete = tasks["assessment:C1:complete"]
    assert (complete["state"], complete["closed_on"]) == ("closed", "2026-04-24")
    # The discussion due Mon 30 Mar (4 weeks after Mon 2 Mar) was breached on Tue 31 Mar, before
    # the plan began: judged by event time, the case change raised no discussion of its own.
    assert tasks["child_supervision:C1:discussion:1"]["state"] == "breached"
    assert (child(store)["case_type"], child(store)["plan"]) == ("cin", "cin")


def test_a_bad_extract_names_every_fault_by_table_row_and_column_and_keeps_nothing(
        home: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An unknown professional, an end before its start, a future date, an unknown code and a
    date in no format: the dry run lists all five; the import refuses, the store unchanged."""
    store = _store(home, oversight, monkeypatch, "bad")
    tables = extract()
    tables["ssd_involvements"][2]["invo_professional_id"] = "P404"
    tables["ssd_cin_episodes"][1]["cine_close_date"] = "2025-12-31"
    tables["ssd_cin_assessments"][0]["cina_assessment_auth_date"] = "2099-01-05"
    tables["ssd_cin_episodes"][0]["cine_close_reason"] = "RC99"
    tables["ssd_cp_plans"][0]["cppl_cp_plan_start_date"] = "1st June 2026"
    folder = write_folder(tmp_path / "bad", tables)
    before = snapshot(store / "oversight.db")
    dry = oversight("import", "ssd", str(folder), "--dry-run", "--json")
    assert dry.exit_code == 1
    faults = {(p["table"], p["row"], p["column"]): p["reason"]
              for p in json.loads(dry.stdout)["problems"]}
    assert sorted(faults) == [
        ("ssd_cin_assessments", "A1", "cina_assessment_auth_date"),
        ("ssd_cin_episodes", "R1", "cine_close_reason"),
        ("ssd_cin_episodes", "R2", "cine_close_date"),
        ("ssd_cp_plans", "CP1", "cppl_cp_plan_start_date"),
        ("ssd_involvements", "I3", "invo_professional_id")]
    assert faults[("ssd_involvements", "I3", "invo_professional_id")].startswith(
        "unknown professional 'P404'")
    assert faults[("ssd_cin_episodes", "R2", "cine_close_date")] == (
        "2025-12-31 is before cine_referral_date (2026-01-05)")
    assert "2099-01-05 is in the future" in faults[
        ("ssd_cin_assessments", "A1", "cina_assessment_auth_date")]
    assert faults[("ssd_cin_episodes", "R1", "cine_close_reason")].startswith(
        "unknown code 'RC99'")
    refused = oversight("import", "ssd", str(folder))
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-1] == (
        "error: 5 problem(s) in the extract; nothing was imported")
    assert snapshot(store / "oversight.db") == before


PERSONAL = {"prof_professional_name": "Zebedee Quillfeather",
            "pers_dob": "2011-02-13", "pers_ethnicity": "WIRI", "pers_sex": "F",
            "addr_address_json": '{"street": "Larkspur Crescent", "postcode": "SR9 4XQ"}'}


def test_names_dates_of_birth_ethnicity_and_addresses_in_the_extract_are_in_no_table_or_file(
        home: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every byte under the store's folder, and every text of every table, searched for them."""
    store = _store(home, oversight, monkeypatch, "pii")
    tables = extract()
    for row in tables["ssd_professionals"]:
        row["prof_professional_name"] = PERSONAL["prof_professional_name"]
    tables["ssd_person"] = [{"pers_person_id": "C1", "pers_dob": PERSONAL["pers_dob"],
                             "pers_expected_dob": "", "pers_sex": PERSONAL["pers_sex"],
                             "pers_ethnicity": PERSONAL["pers_ethnicity"]}]
    tables["ssd_address"] = [{"addr_table_id": "AD1", "addr_person_id": "C1",
                              "addr_address_json": PERSONAL["addr_address_json"]}]
    done = oversight("import", "ssd", str(write_folder(tmp_path / "x", tables)), "--json")
    assert json_of(done)["added"] == 7
    assert oversight("sweep", "--as-of", AS_OF).exit_code == 0
    assert oversight("dispatch").exit_code == 0
    needles = ["Zebedee", "Quillfeather", "2011-02-13", "13/02/2011", "WIRI", "Larkspur",
               "SR9 4XQ"]
    files = [path for path in store.rglob("*") if path.is_file()]
    assert files, "the store's folder holds its files"
    for path in files:
        content = path.read_bytes()
        assert [n for n in needles if n.encode() in content] == [], path
    with sqlite3.connect(store / "oversight.db") as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in names:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                text = " ".join(str(value) for value in row)
                assert [n for n in needles if n in text] == [], table
    connection.close()


def test_an_extract_in_a_sqlite_database_imports_as_the_same_rows_in_csv_files_do(
        home: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The SSD tables in SQLite (dates as DATETIME and DATE columns): the same obligations."""
    from_csv = _store(home, oversight, monkeypatch, "from-csv")
    oversight("import", "ssd", str(write_folder(tmp_path / "x", extract())))
    from_db = _store(home, oversight, monkeypatch, "from-db")
    url = write_database(f"sqlite:///{tmp_path / 'ssd.db'}", extract())
    assert json_of(oversight("import", "ssd", url, "--json"))["added"] == 7
    assert _obligations(from_db) == _obligations(from_csv)


def test_an_extract_in_a_postgresql_database_imports_as_the_same_rows_in_csv_files_do(
        home: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The SSD tables in a PostgreSQL database made for the test: the same obligations."""
    from tests.integration.databases import POSTGRES_MISSING, PostgresStores, postgres_server

    server = postgres_server()
    if server is None:
        pytest.skip(POSTGRES_MISSING)
    databases = PostgresStores(server)
    try:
        url = write_database(databases.url("ssd"), extract())
        from_csv = _store(home, oversight, monkeypatch, "from-csv")
        oversight("import", "ssd", str(write_folder(tmp_path / "x", extract())))
        from_db = _store(home, oversight, monkeypatch, "from-pg")
        assert json_of(oversight("import", "ssd", url, "--json"))["added"] == 7
        assert _obligations(from_db) == _obligations(from_csv)
    finally:
        databases.close()


def test_under_a_policy_with_no_child_specific_rules_only_the_assessments_are_recorded(
        home: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Hull times no child-specific supervision: the two allocations, the reallocation, the
    closure and the case change are left out (and said so); the assessment's two events kept."""
    monkeypatch.setenv("OVERSIGHT_POLICY", "hull")
    _store(home, oversight, monkeypatch, "hull")
    report = json_of(oversight("import", "ssd", str(write_folder(tmp_path / "x", extract())),
                               "--json"))
    assert (report["events"], report["added"], report["untimed"]) == (2, 2, 5)
    entities = json_of(oversight("status", "--json"))["entities"]
    assert entities == [{"kind": "assessment", "state": "completed", "count": 1}]
