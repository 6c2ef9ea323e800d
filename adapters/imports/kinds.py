"""What each import reads and what it makes: staff records, or domain events.

    staff          id, role, started, line_manager, qualified, part_time, agency, team
                   → staff records (added, or updated where they changed)
    relationships  supervisor, supervisee, started, agreement_signed
                   → relationship_started (and agreement_signed when dated)
    allocations    child, case_type, risk, worker, allocated, manager, plan
                   → child_allocated
    sessions       supervisor, supervisee, held, minutes → supervision_held

Every row is checked on its own (identifiers, dates that parse and are not in the future,
known roles and case types) and against the rest of the file and the store (duplicates, people
who are not staff). Event ids come from the event's own content, so importing the same row again
is recognised and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, get_args

from oversight.adapters.imports.rows import (
    Header,
    Problem,
    SourceRow,
    day,
    flag,
    identifier,
    one_of,
)
from oversight.states.events.child_supervision import PlanOrNone, Risk
from oversight.states.policy.model import ROLES
from oversight.states.policy.practice_sections import CaseType
from oversight.workflows.ports.store import StaffRecord

CASE_TYPES: tuple[str, ...] = get_args(CaseType)
RISKS: tuple[str, ...] = get_args(Risk)
PLANS: tuple[str, ...] = get_args(PlanOrNone)


@dataclass
class Context:
    """What the checks of one file share: today, the store's staff, what the file said so far."""

    today: date
    header: Header
    staff: dict[str, str | None]
    """Staff in the store: id → line manager."""
    problems: list[Problem] = field(default_factory=list)
    seen: dict[Any, int] = field(default_factory=dict)
    """A row's key → the line it was first seen on, for duplicates."""
    records: list[StaffRecord] = field(default_factory=list)
    managers: list[tuple[int, str]] = field(default_factory=list)
    """(line, line manager) of each staff row that names one."""
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """(line, event) in file order."""

    def problem(self, row: SourceRow | int, column: str, reason: str) -> None:
        line = row if isinstance(row, int) else row.line
        self.problems.append(Problem(line, self.header.label(column), reason))

    def value(self, row: SourceRow, column: str, parse: Callable[[str], Any],
              *, optional: bool = False) -> Any:
        """``parse`` applied to the column's text; a problem (and None) if it fails."""
        text = row.get(column)
        if optional and not text:
            return None
        try:
            return parse(text)
        except ValueError as error:
            self.problem(row, column, str(error))
            return None

    def date(self, row: SourceRow, column: str, *, optional: bool = False) -> date | None:
        return self.value(row, column, lambda text: day(text, today=self.today), optional=optional)

    def first(self, row: SourceRow, key: Any, column: str, what: str) -> bool:
        """False (and a problem) when ``key`` was already on an earlier line."""
        if key in self.seen:
            self.problem(row, column, f"duplicate {what} (first on line {self.seen[key]})")
            return False
        self.seen[key] = row.line
        return True

    def known(self, row: SourceRow, column: str, person: str | None) -> bool:
        if person is None:
            return False
        if person not in self.staff:
            self.problem(row, column, f"unknown staff member '{person}': import staff first")
            return False
        return True

    def add_event(self, row: SourceRow, fields: dict[str, Any]) -> None:
        content = json.dumps(fields, sort_keys=True, default=str)
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:32]
        self.events.append((row.line, {**fields, "event_id": f"import:{fields['type']}:{digest}"}))


@dataclass(frozen=True)
class Kind:
    """One kind of import: its columns and the check that turns a row into output."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    aliases: dict[str, str]
    check: Callable[[SourceRow, Context], None]
    finish: Callable[[Context], None] = lambda context: None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


# ----- staff ------------------------------------------------------------------------------------

def _staff_row(row: SourceRow, c: Context) -> None:
    before = len(c.problems)
    person = c.value(row, "id", identifier)
    if person is not None:
        c.first(row, person, "id", f"id '{person}'")
    role = c.value(row, "role", lambda text: one_of(text, ROLES, "role"))
    started = c.date(row, "started")
    manager = c.value(row, "line_manager", identifier, optional=True)
    if manager is not None and manager == person:
        c.problem(row, "line_manager", "a person cannot be their own line manager")
    qualified = c.date(row, "qualified", optional=True)
    part_time = c.value(row, "part_time", flag)
    agency = c.value(row, "agency", flag)
    team = c.value(row, "team", identifier, optional=True)
    if manager is not None:
        c.managers.append((row.line, manager))
    if len(c.problems) == before and started is not None:  # no date is a problem already
        c.records.append(StaffRecord(person, role, started, manager, qualified, bool(part_time),
                                     bool(agency), team))


def _staff_managers(c: Context) -> None:
    """A line manager must be staff already, or a row of the same file (in any order)."""
    in_file = {key for key in c.seen if isinstance(key, str)}
    for line, manager in c.managers:
        if manager not in in_file and manager not in c.staff:
            c.problem(line, "line_manager",
                      f"unknown manager '{manager}': not in this file or the store")


STAFF = Kind(
    name="staff",
    required=("id", "role", "started"),
    optional=("line_manager", "qualified", "part_time", "agency", "team"),
    aliases={"staff_id": "id", "employee_id": "id", "start_date": "started",
             "started_on": "started", "manager": "line_manager", "line_manager_id":
             "line_manager", "qualified_date": "qualified", "qualified_on": "qualified",
             "parttime": "part_time"},
    check=_staff_row,
    finish=_staff_managers,
)


# ----- relationships ----------------------------------------------------------------------------

def _relationship_row(row: SourceRow, c: Context) -> None:
    before = len(c.problems)
    supervisor = c.value(row, "supervisor", identifier)
    supervisee = c.value(row, "supervisee", identifier)
    started = c.date(row, "started")
    signed = c.date(row, "agreement_signed", optional=True)
    c.known(row, "supervisor", supervisor)
    c.known(row, "supervisee", supervisee)
    if supervisor is not None and supervisor == supervisee:
        c.problem(row, "supervisee", "the same person as the supervisor")
    if supervisor and supervisee:
        c.first(row, (supervisor, supervisee), "supervisee",
                f"relationship {supervisor} → {supervisee}")
    if started and signed and signed < started:
        c.problem(row, "agreement_signed", f"{signed.isoformat()} is before the relationship "
                                           f"started ({started.isoformat()})")
    if len(c.problems) > before:
        return
    pair = {"supervisor": supervisor, "supervisee": supervisee}
    c.add_event(row, {"type": "relationship_started", "on": started, **pair})
    if signed is not None:
        c.add_event(row, {"type": "agreement_signed", "on": signed, **pair})


RELATIONSHIPS = Kind(
    name="relationships",
    required=("supervisor", "supervisee", "started"),
    optional=("agreement_signed",),
    aliases={"supervisor_id": "supervisor", "supervisee_id": "supervisee", "worker": "supervisee",
             "start_date": "started", "started_on": "started", "agreement_date":
             "agreement_signed", "agreement_signed_on": "agreement_signed"},
    check=_relationship_row,
)


# ----- children's allocations --------------------------------------------------------------------

def _allocation_row(row: SourceRow, c: Context) -> None:
    before = len(c.problems)
    child = c.value(row, "child", identifier)
    if child is not None:
        c.first(row, child, "child", f"child '{child}'")
    case_type = c.value(row, "case_type", lambda text: one_of(text, CASE_TYPES, "case type"))
    risk = c.value(row, "risk", lambda text: one_of(text or "standard", RISKS, "risk"))
    plan = c.value(row, "plan", lambda text: one_of(text or "none", PLANS, "plan"))
    worker = c.value(row, "worker", identifier)
    allocated = c.date(row, "allocated")
    manager = c.value(row, "manager", identifier, optional=True)
    if c.known(row, "worker", worker) and manager is None:
        manager = c.staff.get(worker)
        if manager is None:
            c.problem(row, "manager", f"no manager: give a manager column, or a line manager "
                                      f"for '{worker}' in the staff import")
    elif manager is not None:
        c.known(row, "manager", manager)
    if len(c.problems) > before:
        return
    c.add_event(row, {"type": "child_allocated", "on": allocated, "child": child,
                      "worker": worker, "manager": manager, "case_type": case_type,
                      "risk": risk, "plan": plan})


ALLOCATIONS = Kind(
    name="allocations",
    required=("child", "case_type", "worker", "allocated"),
    optional=("risk", "manager", "plan"),
    aliases={"child_id": "child", "case": "case_type", "service": "case_type", "worker_id":
             "worker", "allocation_date": "allocated", "allocated_on": "allocated",
             "risk_level": "risk", "manager_id": "manager"},
    check=_allocation_row,
)


# ----- historic sessions -------------------------------------------------------------------------

def _minutes(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= 600:
        raise ValueError(f"{text!r} is not a number of minutes from 1 to 600")
    return int(text)


def _session_row(row: SourceRow, c: Context) -> None:
    before = len(c.problems)
    supervisor = c.value(row, "supervisor", identifier)
    supervisee = c.value(row, "supervisee", identifier)
    held = c.date(row, "held")
    minutes = c.value(row, "minutes", _minutes, optional=True)
    c.known(row, "supervisor", supervisor)
    c.known(row, "supervisee", supervisee)
    if supervisor and supervisee and held:
        c.first(row, (supervisor, supervisee, held), "held",
                f"session {supervisor} → {supervisee} on {held.isoformat()}")
    if len(c.problems) > before:
        return
    event = {"type": "supervision_held", "on": held, "supervisor": supervisor,
             "supervisee": supervisee}
    if minutes is not None:
        event["minutes"] = minutes
    c.add_event(row, event)


SESSIONS = Kind(
    name="sessions",
    required=("supervisor", "supervisee", "held"),
    optional=("minutes",),
    aliases={"supervisor_id": "supervisor", "supervisee_id": "supervisee", "date": "held",
             "on": "held", "held_on": "held", "session_date": "held", "duration": "minutes",
             "length": "minutes"},
    check=_session_row,
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in (STAFF, RELATIONSHIPS, ALLOCATIONS, SESSIONS)}

__all__ = ["ALLOCATIONS", "Context", "KINDS", "Kind", "RELATIONSHIPS", "SESSIONS", "STAFF"]
