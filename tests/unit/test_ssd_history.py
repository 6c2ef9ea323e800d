"""What SSD rows become (:mod:`oversight.adapters.imports.ssd.history`), checked without a store:
the dates the extracts write, the case type a child's plans give, an unborn allocation, and ids
that stay the same for the same row and change with its dates."""

from __future__ import annotations

from datetime import date

import pytest

from oversight.adapters.imports.ssd.checks import Checker, parse_day
from oversight.adapters.imports.ssd.history import plan_history
from oversight.adapters.imports.ssd.tables import COLUMNS, Extract, Row

TODAY = date(2026, 11, 30)


def _extract(**tables: list[dict[str, str]]) -> Extract:
    extract: Extract = {table: [] for table in COLUMNS}
    extract["ssd_professionals"] = [Row("ssd_professionals", 1, {
        "prof_professional_id": "P1", "prof_staff_id": "sw1"})]
    for table, rows in tables.items():
        extract[table] = [Row(table, n, row) for n, row in enumerate(rows, start=1)]
    return extract


def _involvement(row: str, start: str) -> dict[str, str]:
    return {"invo_involvements_id": row, "invo_person_id": "C1", "invo_professional_id": "P1",
            "invo_involvement_start_date": start}


def _plan(extract: Extract) -> list[dict[str, object]]:
    checker = Checker(today=TODAY, staff={"sw1": "tm1", "tm1": None})
    planned = plan_history(extract, checker)
    assert checker.faults == []
    return [p.fields for p in planned]


@pytest.mark.parametrize(("text", "day"), [
    ("2026-03-02", date(2026, 3, 2)),
    ("2026-03-02 00:00:00", date(2026, 3, 2)),
    ("2026-03-02 17:45:10.123", date(2026, 3, 2)),
    ("02/03/2026", date(2026, 3, 2)),
    ("2/3/2026", date(2026, 3, 2)),
])
def test_a_date_is_read_in_each_format_the_extracts_write(text: str, day: date) -> None:
    """ISO, ISO with a time (dropped) and UK day-first all give Monday 2 March 2026."""
    assert parse_day(text) == day


def test_a_month_first_date_or_a_31st_of_april_is_no_date() -> None:
    """03/31/2026 has no month 31; 2026-04-31 has no day 31."""
    for text in ("03/31/2026", "2026-04-31", "2 March 2026"):
        with pytest.raises(ValueError, match="is not a date"):
            parse_day(text)


def test_a_cp_plan_open_at_allocation_is_its_case_type_and_a_cla_episode_later_changes_it() -> None:
    """CP from Mon 2 Mar (before the allocation on Mon 9 Mar): allocated as cp; looked after
    from Mon 1 Jun: cla; the CLA episode ended Tue 1 Sep with the plan still open: back to cp."""
    fields = _plan(_extract(
        ssd_involvements=[_involvement("I1", "2026-03-09")],
        ssd_cp_plans=[{"cppl_cp_plan_id": "CP1", "cppl_person_id": "C1",
                       "cppl_cp_plan_start_date": "2026-03-02"}],
        ssd_cla_episodes=[{"clae_cla_episode_id": "CL1", "clae_person_id": "C1",
                           "clae_cla_episode_start_date": "2026-06-01",
                           "clae_cla_episode_ceased": "2026-09-01"}]))
    assert [(f["type"], f["on"], f.get("case_type")) for f in fields] == [
        ("child_allocated", date(2026, 3, 9), "cp"),
        ("case_details_changed", date(2026, 6, 1), "cla"),
        ("case_details_changed", date(2026, 9, 1), "cp")]


def test_a_child_with_an_expected_birth_after_its_allocation_is_allocated_unborn() -> None:
    """Expected 20 Jul, born Fri 17 Jul 2026, allocated Mon 1 Jun: unborn; no date is kept."""
    fields = _plan(_extract(
        ssd_involvements=[_involvement("I1", "2026-06-01")],
        ssd_person=[{"pers_person_id": "C1", "pers_dob": "2026-07-17",
                     "pers_expected_dob": "2026-07-20"}]))
    assert fields == [{"type": "child_allocated", "on": date(2026, 6, 1), "child": "C1",
                       "worker": "sw1", "manager": "tm1", "case_type": "cin", "plan": "cin",
                       "unborn": True}]


def test_the_same_row_keeps_its_id_and_a_moved_date_keeps_its_key_with_a_new_id() -> None:
    """I1 read twice: one id; I1 starting a day later: the same key, another id."""
    checker = Checker(today=TODAY, staff={"sw1": "tm1"})
    first = plan_history(_extract(ssd_involvements=[_involvement("I1", "2026-06-01")]), checker)
    again = plan_history(_extract(ssd_involvements=[_involvement("I1", "2026-06-01")]), checker)
    moved = plan_history(_extract(ssd_involvements=[_involvement("I1", "2026-06-02")]), checker)
    assert first[0].key == "ssd:invo:I1:allocated"
    assert first[0].event_id == again[0].event_id
    assert moved[0].key == first[0].key and moved[0].event_id != first[0].event_id


def test_a_row_id_on_two_rows_of_a_table_is_a_fault_on_the_second() -> None:
    """I1 twice: the second is named; the first is still planned."""
    checker = Checker(today=TODAY, staff={"sw1": "tm1"})
    plan_history(_extract(ssd_involvements=[_involvement("I1", "2026-06-01"),
                                            _involvement("I1", "2026-06-08")]), checker)
    assert [(f.table, f.row, f.column) for f in checker.faults] == [
        ("ssd_involvements", "I1", "invo_involvements_id")]
