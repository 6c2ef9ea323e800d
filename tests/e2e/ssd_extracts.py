"""A small SSD extract written by hand, for the tests of ``oversight import ssd``: as a folder
of CSV files or as tables of a database (SQLite or PostgreSQL), the same rows either way.

Two workers of one team manager (the staff list: tm1 manages sw1 and sw2; sw2 has no staff id in
the SSD and is matched by its professional id), two children:
- C1: allocated to sw1 on Mon 2 Mar 2026, reallocated to sw2 (professional P2) on Fri 1 May
  2026; assessed from Tue 3 Mar 2026 (by sw1), authorised Mon 20 Apr 2026; on a child
  protection plan from Mon 1 Jun 2026.
- C2: allocated to sw1 on Mon 5 Jan 2026, its CIN episode closed Tue 31 Mar 2026.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Column, Date, DateTime, MetaData, String, Table, create_engine
from sqlalchemy.pool import NullPool

STAFF_CSV = ("id,role,started,line_manager\n"
             "tm1,manager,2020-01-06,\n"
             "sw1,qualified_social_worker,2021-01-04,tm1\n"
             "P2,qualified_social_worker,2021-01-04,tm1\n")

Tables = dict[str, list[dict[str, str]]]


def extract() -> Tables:
    """The extract's rows, table by table (dates in each of the three formats extracts use)."""
    return {
        "ssd_professionals": [
            {"prof_professional_id": "P1", "prof_staff_id": "sw1",
             "prof_professional_job_title": "Social Worker", "prof_professional_department": "T1"},
            {"prof_professional_id": "P2", "prof_staff_id": "",
             "prof_professional_job_title": "Social Worker", "prof_professional_department": "T1"},
            {"prof_professional_id": "GP9", "prof_staff_id": "",
             "prof_professional_job_title": "GP", "prof_professional_department": ""}],
        "ssd_involvements": [
            _involvement("I1", "C1", "P1", "2026-03-02", "2026-05-01 00:00:00.000"),
            _involvement("I2", "C1", "P2", "01/05/2026", ""),
            _involvement("I3", "C2", "P1", "2026-01-05", "2026-03-31")],
        "ssd_cin_episodes": [
            {"cine_referral_id": "R1", "cine_person_id": "C1", "cine_referral_date": "2026-03-02",
             "cine_close_date": "", "cine_close_reason": "", "cine_referral_nfa": "N"},
            {"cine_referral_id": "R2", "cine_person_id": "C2", "cine_referral_date": "2026-01-05",
             "cine_close_date": "31/03/2026", "cine_close_reason": "RC8",
             "cine_referral_nfa": "N"}],
        "ssd_cin_assessments": [
            {"cina_assessment_id": "A1", "cina_person_id": "C1", "cina_referral_id": "R1",
             "cina_assessment_start_date": "2026-03-03 09:30:00",
             "cina_assessment_auth_date": "2026-04-20", "cina_assessment_team": "T1",
             "cina_assessment_worker_id": "P1"}],
        "ssd_cp_plans": [
            {"cppl_cp_plan_id": "CP1", "cppl_person_id": "C1", "cppl_referral_id": "R1",
             "cppl_cp_plan_start_date": "2026-06-01", "cppl_cp_plan_end_date": ""}],
    }


def _involvement(row: str, child: str, worker: str, start: str, end: str) -> dict[str, str]:
    return {"invo_involvements_id": row, "invo_person_id": child,
            "invo_professional_id": worker, "invo_professional_role_id": "SW",
            "invo_professional_team": "T1", "invo_involvement_start_date": start,
            "invo_involvement_end_date": end, "invo_worker_change_reason": "",
            "invo_referral_id": "R1" if child == "C1" else "R2"}


def write_folder(folder: Path, tables: Tables) -> Path:
    """``<table>.csv`` for each table (the header from its first row)."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


def write_database(url: str, tables: Tables) -> str:
    """The tables in the database at ``url``, date columns typed as the SSD types them
    (datetime; a few as date), so the reader meets what a driver hands back."""
    engine = create_engine(url, poolclass=NullPool)
    metadata = MetaData()
    made = {}
    for table, rows in tables.items():
        columns = [Column(name, _type(name), primary_key=index == 0)
                   for index, name in enumerate(rows[0])]
        made[table] = Table(table, metadata, *columns)
    metadata.create_all(engine)
    with engine.begin() as connection:
        for table, rows in tables.items():
            connection.execute(made[table].insert(), [
                {name: _value(name, text) for name, text in row.items()} for row in rows])
    engine.dispose()
    return url


def _type(name: str) -> type[String] | type[DateTime] | type[Date]:
    if name.endswith("_date") and name.startswith("cine_"):
        return Date
    return DateTime if name.endswith("_date") else String


def _value(name: str, text: str) -> object:
    from oversight.adapters.imports.ssd.checks import parse_day

    if not name.endswith("_date"):
        return text
    if not text:
        return None
    day = parse_day(text)
    if name.startswith("cine_"):
        return day
    from datetime import datetime

    return datetime(day.year, day.month, day.day)
