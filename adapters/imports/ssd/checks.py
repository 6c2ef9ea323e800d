"""Every row of an SSD extract checked before anything is written: each fault named by table,
row id, column and reason, all of them in one report.

The faults: a value that is not a date in one of the extracts' formats, a date in the future (or
before the store's floor), an end before its start, an unknown code, an id that cannot be an
event's, a row naming a professional the staff list lacks, a row naming an episode the extract
lacks. A professional of ``ssd_professionals`` that no row needs (a GP, an agency worker) is not
a fault: it is counted, never invented as staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from oversight.adapters.imports.ssd.tables import Extract, Row
from oversight.states.event_time import FLOOR

_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$")
_UK_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

CODES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ssd_involvements", "invo_worker_change_reason"): (
        "MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED",
        "OTHERS"),
    ("ssd_cin_episodes", "cine_close_reason"): tuple(f"RC{n}" for n in range(1, 10)),
    ("ssd_cla_episodes", "clae_cla_episode_start_reason"): ("S", "L", "P", "T", "B", "U"),
}
"""The coded columns read, and their codes (the SSD specification's code sets)."""


@dataclass(frozen=True, slots=True, order=True)
class Fault:
    """One bad row: where (table, row id, column) and why."""

    table: str
    row: str
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.table} {self.row}: {self.column}: {self.reason}"

    def to_json(self) -> dict[str, str]:
        return {"table": self.table, "row": self.row, "column": self.column,
                "reason": self.reason}


def parse_day(text: str) -> date:
    """``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS[.fff]`` (the time dropped) or ``DD/MM/YYYY``."""
    try:
        if _ISO_DAY.match(text):
            return date.fromisoformat(text)
        if (moment := _ISO_MOMENT.match(text)) is not None:
            return date.fromisoformat(moment.group(1))
        if (uk := _UK_DAY.match(text)) is not None:
            return date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or DD/MM/YYYY)")


@dataclass
class Checker:
    """The checks of one extract: today, the staff list, and the faults found so far."""

    today: date
    staff: dict[str, str | None]
    """The store's staff: id → line manager."""
    faults: list[Fault] = field(default_factory=list)
    workers: dict[str, str] = field(default_factory=dict)
    """prof_professional_id → the staff id it is matched to."""
    unmatched: set[str] = field(default_factory=set)
    """Professionals the staff list lacks (reported if a row needs them)."""

    def fault(self, row: Row, column: str, reason: str) -> None:
        self.faults.append(Fault(row.table, row.id, column, reason))

    def day(self, row: Row, column: str, *, optional: bool = False) -> date | None:
        text = row.get(column)
        if not text:
            if not optional:
                self.fault(row, column, "required, but empty")
            return None
        try:
            value = parse_day(text)
        except ValueError as error:
            self.fault(row, column, str(error))
            return None
        if value > self.today:
            self.fault(row, column, f"{value.isoformat()} is in the future (today is "
                                    f"{self.today.isoformat()})")
            return None
        if value < FLOOR:
            self.fault(row, column, f"{value.isoformat()} is before {FLOOR.isoformat()}, the "
                                    f"earliest date an event may carry")
            return None
        return value

    def span(self, row: Row, start: str, end: str) -> tuple[date | None, date | None]:
        """A start (required) and an end (optional) that is not before it."""
        began, ended = self.day(row, start), self.day(row, end, optional=True)
        if began is not None and ended is not None and ended < began:
            self.fault(row, end, f"{ended.isoformat()} is before {start} "
                                 f"({began.isoformat()})")
            return began, None
        return began, ended

    def ident(self, row: Row, column: str, *, optional: bool = False) -> str | None:
        text = row.get(column)
        if not text:
            if not optional:
                self.fault(row, column, "required, but empty")
            return None
        if not _ID.match(text):
            self.fault(row, column, f"{text!r} cannot be an id here (letters, digits, '_', '.', "
                                    f"'-'; at most 64)")
            return None
        return text

    def code(self, row: Row, column: str) -> str | None:
        text = row.get(column).upper()
        allowed = CODES[(row.table, column)]
        if text and text not in allowed:
            self.fault(row, column, f"unknown code {row.get(column)!r} (codes: "
                                    f"{', '.join(allowed)})")
            return None
        return text or None

    def worker(self, row: Row, column: str) -> str | None:
        """The staff id of the professional ``column`` names; a fault if the list lacks them."""
        professional = self.ident(row, column)
        if professional is None:
            return None
        if professional not in self.workers:
            self.fault(row, column, f"unknown professional {professional!r}: neither their "
                                    f"prof_staff_id nor their prof_professional_id is in the "
                                    f"staff list (oversight import staff)")
            return None
        return self.workers[professional]

    def manager(self, row: Row, column: str, staff_id: str) -> str | None:
        """The worker's line manager, from the staff list (the SSD has no line management)."""
        manager = self.staff.get(staff_id)
        if manager is None:
            self.fault(row, column, f"staff member {staff_id!r} has no line manager in the staff "
                                    f"list: the child's supervising manager is theirs")
        return manager

    def match_professionals(self, extract: Extract) -> None:
        """Each professional matched by ``prof_staff_id``, else ``prof_professional_id``."""
        for row in extract["ssd_professionals"]:
            professional = self.ident(row, "prof_professional_id")
            if professional is None:
                continue
            staff_id = row.get("prof_staff_id")
            if staff_id and staff_id in self.staff:
                self.workers[professional] = staff_id
            elif professional in self.staff:
                self.workers[professional] = professional
            else:
                self.unmatched.add(professional)


__all__ = ["CODES", "Checker", "Fault", "parse_day"]
