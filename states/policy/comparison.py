"""How many supervision sessions each policy asks for in a year, for the README's comparison.

Counted from the policy, as the machines count: sessions are held on their due dates, the next
one falls due one interval after the last one held, and the interval is the one in force on the
day of the last session (ASYE phases, early weeks in post). A year is the due dates after the
start up to and including its first anniversary. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, get_args

from oversight.states.calendar import WorkingCalendar, months_after
from oversight.states.machines.child_supervision import sessions_per_cycle
from oversight.states.policy.model import Policy
from oversight.states.policy.practice_sections import CaseCadence, CaseType
from oversight.states.policy.rules import Interval

START = date(2026, 1, 5)
"""A Monday: the first day of the sample year (the sample team's ASYEs start on it)."""
LONG_AGO = date(2015, 1, 5)
"""The start in post of an established worker: no early-weeks phase applies any more."""

CASE_LABELS = {
    "early_help": "Early Help", "ifss": "Intensive Family Support (IFSS)",
    "youth_justice": "Youth justice / YOS", "adolescent": "Adolescent service",
    "assessment": "Assessment service", "family_safeguarding": "Family Safeguarding",
    "cin": "Child in need (CIN)", "cp": "Child protection (CP)",
    "cla": "Child looked after (CLA)", "cwd": "Child with a disability (CWD)",
    "care_leaver": "Care leaver", "fostering": "Fostering service",
    "private_fostering": "Private fostering assessment", "kinship": "Kinship assessment",
    "sgo": "SGO assessment", "form_f": "Form F assessment", "foster_carer": "Foster carer",
    "quality_assurance": "Quality assurance", "independent_review": "Independent chair / LADO work",
}
COVERAGE = "\u2020"
"""Marks a count that comes from what each session must cover, not from a case-type rule."""


def due_dates(start: date, end: date, interval_on: Callable[[date], Interval],
              calendar: WorkingCalendar, first: Interval | None = None) -> list[date]:
    """Due dates after ``start`` up to ``end``, each held on the day: one interval after the
    last, the interval in force on that day; ``first`` times the first one when it differs."""
    found, held = [], start
    interval = first or interval_on(start)
    while (due := interval.after(held, calendar)) <= end:
        if due <= held:
            raise ValueError("an interval of zero would fall due forever")
        found.append(due)
        held, interval = due, interval_on(due)
    return found


def asye_dates(policy: Policy, start: date, end: date) -> list[date]:
    """An ASYE's session dates from ``start`` to ``end``, by the policy's phases."""
    calendar = policy.working_calendar()
    ends = [(p.every, p.until.after(start, calendar) if p.until else None)
            for p in policy.asye.phases]

    def interval_on(day: date) -> Interval:
        return next(every for every, end in ends if end is None or day < end)

    return due_dates(start, end, interval_on, calendar)


def role_dates(policy: Policy, role: str, start: date, end: date, *,
               in_post_since: date = LONG_AGO) -> list[date] | None:
    """One role's personal supervision dates; None if the policy times none for the role."""
    cadence = policy.cadence_for(role)
    if cadence is None or cadence.every is None:
        return None
    calendar = policy.working_calendar()
    usual = cadence.every
    phases = [(p.every, p.until.after(in_post_since, calendar)) for p in cadence.initially]

    def interval_on(day: date) -> Interval:
        return next((every for every, end in phases if day < end), usual)

    return due_dates(start, end, interval_on, calendar)


def case_dates(policy: Policy, case: CaseCadence, interval: Interval, start: date,
               end: date) -> list[date]:
    """One child's discussion dates at ``interval``, the first as the case rule says."""
    return due_dates(start, end, lambda _: interval, policy.working_calendar(),
                     first=case.first_after)


def asye_year(policy: Policy, start: date = START) -> int:
    """Sessions an ASYE needs in the first year, by the policy's phases."""
    return len(asye_dates(policy, start, months_after(start, 12)))


def role_year(policy: Policy, role: str, start: date = START, *,
              in_post_since: date = LONG_AGO) -> int | None:
    """Personal supervision sessions of one role in a year; None if the policy times none."""
    found = role_dates(policy, role, start, months_after(start, 12), in_post_since=in_post_since)
    return None if found is None else len(found)


def case_year(policy: Policy, case: CaseCadence, interval: Interval,
              start: date = START) -> int:
    """Discussions of one child a year at ``interval``, the first as the case rule says."""
    return len(case_dates(policy, case, interval, start, months_after(start, 12)))


@dataclass(frozen=True)
class Row:
    """One line of the comparison: a cell of text and its numbers per authority."""

    group: str
    label: str
    cells: dict[str, str]
    numbers: dict[str, dict[str, int] | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "label": self.label, "cells": self.cells,
                "numbers": self.numbers}


PERSONAL = "Personal supervision sessions in a year"
CHILDREN = "Child-specific discussions of one child in a year"


def compare(policies: list[Policy], start: date = START) -> list[Row]:
    """The comparison rows, one column per policy, in the order given."""
    rows = [_personal("ASYE / NQSW, first year", policies,
                      lambda p: {"sessions": asye_year(p, start)})]
    for label, role, since in (
            ("Qualified social worker", "qualified_social_worker", LONG_AGO),
            ("Qualified social worker, first year in post", "qualified_social_worker", start),
            ("Social work student", "student", LONG_AGO),
            ("Manager", "manager", LONG_AGO),
            ("Returner after a change of role or long absence, first year", "returner", start)):
        rows.append(_personal(label, policies,
                              partial(_role_sessions, role=role, start=start, since=since)))
    types = [t for t in get_args(CaseType) if any(
        t in _cases(p) for p in policies)]
    for case_type in types:
        rows.append(_children(CASE_LABELS.get(case_type, case_type), policies,
                              partial(_case_cell, case_type=case_type, start=start)))
    rows.append(_children("Unborn child or child under 2", policies,
                          lambda p: _young_cell(p, start)))
    return rows


def _role_sessions(policy: Policy, *, role: str, start: date,
                   since: date) -> dict[str, int] | None:
    return _sessions(role_year(policy, role, start, in_post_since=since))


def _sessions(count: int | None) -> dict[str, int] | None:
    return None if count is None else {"sessions": count}


def _personal(label: str, policies: list[Policy],
              count: Callable[[Policy], dict[str, int] | None]) -> Row:
    numbers = {p.authority: count(p) for p in policies}
    cells = {name: "\u2014" if n is None else str(n["sessions"]) for name, n in numbers.items()}
    return Row(PERSONAL, label, cells, numbers)


def _children(label: str, policies: list[Policy],
              cell: Callable[[Policy], tuple[str, dict[str, int] | None]]) -> Row:
    found = {p.authority: cell(p) for p in policies}
    return Row(CHILDREN, label, {name: text for name, (text, _) in found.items()},
               {name: numbers for name, (_, numbers) in found.items()})


def _cases(policy: Policy) -> dict[str, CaseCadence]:
    rules = policy.child_supervision
    return {case.case_type: case for case in rules.cases} if rules else {}


def _case_cell(policy: Policy, case_type: str, start: date) -> tuple[str, dict[str, int] | None]:
    case = _cases(policy).get(case_type)
    if case is None:
        return _coverage_cell(policy, start)
    numbers = {"usual": case_year(policy, case, case.every, start)}
    text = str(numbers["usual"])
    if case.high_risk is not None:
        numbers["high_risk"] = case_year(policy, case, case.high_risk, start)
        text += f" (high risk {numbers['high_risk']})"
    if case.if_assessed is not None:
        numbers["if_assessed"] = case_year(policy, case, case.if_assessed, start)
        text += f" (if assessed so {numbers['if_assessed']})"
    return text, numbers


def _coverage_cell(policy: Policy, start: date) -> tuple[str, dict[str, int] | None]:
    """A child every session covers (systemic), or a share of the caseload each session
    (sunderland): the discussions the worker's sessions give each child."""
    rules = policy.child_supervision
    coverage = rules.coverage if rules else None
    worker = role_year(policy, "qualified_social_worker", start)
    if coverage is None or worker is None:
        return "\u2014", None
    if "all_open" in coverage.every_session:
        count = worker
    elif coverage.whole_caseload_every is not None:
        whole = coverage.whole_caseload_every
        count = len(due_dates(start, months_after(start, 12), lambda _: whole,
                              policy.working_calendar()))
    elif coverage.share_per_session is not None:
        count = worker // sessions_per_cycle(coverage.share_per_session)
    else:
        return "\u2014", None
    return f"{count} {COVERAGE}", {"coverage": count}


def _young_cell(policy: Policy, start: date) -> tuple[str, dict[str, int] | None]:
    rules = policy.child_supervision
    coverage = rules.coverage if rules else None
    if coverage is not None and {"unborn", "under_2"} & set(coverage.every_session):
        count = role_year(policy, "qualified_social_worker", start)
        return f"{count} (every session)", {"every_session": count or 0}
    if coverage is not None:
        return _coverage_cell(policy, start)
    return ("by case type", None) if _cases(policy) else ("\u2014", None)


def markdown(policies: list[Policy], rows: list[Row], start: date = START) -> str:
    """The comparison as a Markdown table with its notes, to paste into the README."""
    names = [p.authority for p in policies]
    command = f"oversight policy compare --markdown {' '.join(names)}"
    lines = [f"<!-- Written by `{command}`: run it again when a policy file changes. -->", "",
             "| | " + " | ".join(f"{p.authority} ({p.version})" for p in policies) + " |",
             "|---|" + "---:|" * len(policies)]
    group = None
    for row in rows:
        if row.group != group:
            group = row.group
            lines.append(f"| **{group}** |" + " |" * len(policies))
        lines.append(f"| {row.label} | " + " | ".join(row.cells[n] for n in names) + " |")
    notes = NOTES.format(start=f"{start:%A} {start.day} {start:%B %Y}")
    return "\n".join(lines) + "\n" + notes + "\n"


NOTES = """
Counted from the policy files by `oversight policy compare`: every session held on its due date,
the next due one interval after the last one held, the interval the one in force on that day.
A year is the due dates after a start on {start} up to and including its first anniversary.
"\u2014": the policy times nothing for that role or child. "Qualified social worker" has
been in post for years; "first year in post" starts on the first day (devon §4.1: weekly for the
first six weeks). The ASYE row is the first year only: Devon's programme runs two years (§5.2).
Child-specific rows count the discussions of one allocated child; "high risk" and "if assessed
so" are the policies' other intervals (devon §5.1, surrey §4.1 CWD).
\u2020 The policy has no case-type cadence; what each supervision session must cover times every
child instead: systemic §6 every open case at every (4-weekly) session; sunderland §5.3 a third
of the caseload at each monthly session, so each child once a quarter, and §6 every unborn child
and child under 2 at every session."""


__all__ = ["CASE_LABELS", "COVERAGE", "Row", "START", "asye_dates", "asye_year", "case_dates",
           "case_year", "compare", "due_dates", "markdown", "role_dates", "role_year"]
