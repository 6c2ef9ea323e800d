"""The SSD tables ``oversight import ssd`` reads, and how it reads them: from a folder of CSV
files named after the tables, or from a database holding them (a SQLAlchemy URL).

Only the columns listed in :data:`COLUMNS` are ever read: a name, a date of birth, an address or
a free-text column the extract also holds is never selected from the database, and is dropped
from a CSV row as the row is read, so no later step can keep it. ``pers_dob`` and
``pers_expected_dob`` are read for one purpose only: to know whether a child was unborn when
first allocated (sunderland §6, "all unborn"); the dates themselves are never stored.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oversight.states.errors import OversightError

COLUMNS: dict[str, tuple[str, ...]] = {
    "ssd_professionals": ("prof_professional_id", "prof_staff_id",
                          "prof_professional_job_title", "prof_professional_department"),
    "ssd_department": ("dept_team_id", "dept_team_parent_id"),
    "ssd_person": ("pers_person_id", "pers_dob", "pers_expected_dob"),
    "ssd_involvements": ("invo_involvements_id", "invo_person_id", "invo_professional_id",
                         "invo_professional_role_id", "invo_professional_team",
                         "invo_involvement_start_date", "invo_involvement_end_date",
                         "invo_worker_change_reason", "invo_referral_id"),
    "ssd_cin_episodes": ("cine_referral_id", "cine_person_id", "cine_referral_date",
                         "cine_close_date", "cine_close_reason", "cine_referral_nfa"),
    "ssd_cin_assessments": ("cina_assessment_id", "cina_person_id", "cina_referral_id",
                            "cina_assessment_start_date", "cina_assessment_auth_date",
                            "cina_assessment_team", "cina_assessment_worker_id"),
    "ssd_cp_plans": ("cppl_cp_plan_id", "cppl_person_id", "cppl_referral_id",
                     "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
    "ssd_cla_episodes": ("clae_cla_episode_id", "clae_person_id", "clae_cla_episode_start_date",
                         "clae_cla_episode_start_reason", "clae_cla_episode_ceased"),
    "ssd_cla_reviews": ("clar_cla_review_id", "clar_cla_episode_id", "clar_cla_review_due_date",
                        "clar_cla_review_date"),
}
"""Each table this import reads → the SSD columns it reads (the specification's names)."""

KEYS = {table: columns[0] for table, columns in COLUMNS.items()}
"""Each table's row id (its key in the specification)."""

REQUIRED = ("ssd_professionals", "ssd_involvements")
"""Without these there is nothing to import; the other tables may be absent."""


@dataclass(frozen=True, slots=True)
class Row:
    """One row of an SSD table: the columns read, as text (stripped; empty when null)."""

    table: str
    number: int
    """Its position in the table (1 for the first row), for a row without an id."""
    values: dict[str, str]

    @property
    def id(self) -> str:
        return self.values.get(KEYS[self.table], "") or f"#{self.number}"

    def get(self, column: str) -> str:
        return self.values.get(column, "")


Extract = dict[str, list[Row]]
"""Every table read → its rows (an absent table: no rows)."""


def read_extract(source: str) -> Extract:
    """The SSD tables of ``source``: a folder of ``<table>.csv`` or a SQLAlchemy URL."""
    if "://" in source:
        from oversight.adapters.ssd_database import read_tables

        tables = {table: [Row(table, number, {name: text_of(v) for name, v in record.items()})
                          for number, record in enumerate(records, start=1)]
                  for table, records in read_tables(source, COLUMNS, KEYS).items()}
        _require(tables, re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", source))
        return tables
    folder = Path(source)
    if not folder.is_dir():
        raise OversightError(f"{source}: not a folder of SSD CSV files nor a database URL "
                             f"(e.g. mssql+pyodbc://…)")
    extract: Extract = {}
    for table in COLUMNS:
        path = folder / f"{table}.csv"
        extract[table] = list(_csv_rows(table, path)) if path.exists() else []
    _require(extract, source)
    return extract


def _require(extract: Extract, source: str) -> None:
    missing = [table for table in REQUIRED if not extract[table]]
    if missing:
        raise OversightError(f"{source}: no rows in {', '.join(missing)} (an SSD extract holds "
                             f"{', '.join(f'{t}.csv' for t in REQUIRED)} at least)")


def _csv_rows(table: str, path: Path) -> Iterator[Row]:
    wanted = COLUMNS[table]
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [cell.strip().lower() for cell in next(reader, [])]
            if KEYS[table] not in header:
                raise OversightError(f"{path}: no column {KEYS[table]} (the table's key)")
            positions = {name: header.index(name) for name in wanted if name in header}
            for number, record in enumerate(reader, start=1):
                if not any(cell.strip() for cell in record):
                    continue
                yield Row(table, number, {name: text_of(record[index]) if index < len(record)
                                          else "" for name, index in positions.items()})
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise OversightError(f"{path}: cannot be read as a UTF-8 CSV file ({error})") from None


def text_of(value: Any) -> str:
    """A cell as the import reads it: stripped, empty for NULL."""
    text = "" if value is None else str(value).strip()
    return "" if text.upper() == "NULL" else text


__all__ = ["COLUMNS", "KEYS", "Extract", "Row", "read_extract", "text_of"]
