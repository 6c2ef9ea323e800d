"""Personas: short histories of staff and children that a synthetic population replicates.

Staff: a qualified worker supervised on time, late (a session missed: breached and escalated),
or late once and back on time; a manager; ASYEs in their weekly, fortnightly and monthly phases;
a worker whose supervisor has been absent for five weeks. Children: allocated with a case type
and supervised on time or late; a Child and Family Assessment at any day of its 45. Each history
ends on a given day; :mod:`oversight.workflows.simulation.population` runs them through the real
engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

AS_OF = date(2026, 6, 1)
"""A Monday: the synthetic store is as it stands after that day's sweep."""
OFFSETS = 28
"""Offsets per persona: due dates spread over a cycle (4 weeks, or the case type's own)."""
NOW = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)

Events = list[dict[str, Any]]


@dataclass(frozen=True)
class Shares:
    """Who is who: shares of staff and of children (England's children's social care)."""

    managers: float = 0.10
    asye: float = 0.08
    managers_per_head: int = 8
    late: float = 0.20
    """Supervision held late (or missed) in the last cycle: staff and children alike."""
    absent_managers: float = 0.03
    """Managers absent for five weeks: their supervisees' alternative supervision is due."""
    assessments: float = 0.12
    """Children in a Child and Family Assessment."""
    case_types: tuple[tuple[str, float], ...] = (
        ("cin", 0.35), ("cp", 0.12), ("cla", 0.20), ("early_help", 0.12), ("cwd", 0.05),
        ("care_leaver", 0.10), ("family_safeguarding", 0.06))


CYCLE = {"cin": 28, "cp": 28, "cla": 56, "early_help": 28, "cwd": 91, "care_leaver": 84,
         "family_safeguarding": 28}
"""Days between child-specific supervisions by case type (surrey §4.1)."""


def _weekday(day: date) -> date:
    """Sessions are held on working days: a weekend date moves back to the Friday."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _sessions(sup: str, sv: str, days: list[date]) -> Events:
    return [{"type": "supervision_held", "on": _weekday(d), "supervisor": sup, "supervisee": sv,
             "minutes": 90} for d in days]


def _relationship(end: date, sup: str, sv: str, held: list[int]) -> Events:
    """Started 16 weeks before ``end``, agreement signed, sessions ``held`` days before ``end``."""
    start = _weekday(end - timedelta(days=113))
    return ([{"type": "relationship_started", "on": start, "supervisor": sup, "supervisee": sv},
             {"type": "agreement_signed", "on": start + timedelta(days=1), "supervisor": sup,
              "supervisee": sv}]
            + _sessions(sup, sv, [end - timedelta(days=n) for n in held]))


def _asye(end: date, ids: dict[str, str], weeks: int) -> Events:
    """An ASYE enrolled ``weeks`` before ``end``, supervised on the Surrey schedule."""
    start = _weekday(end - timedelta(weeks=weeks))
    m, s = ids["m"], ids["s"]
    days, day = [], start
    while True:
        age = (day - start).days
        day += timedelta(days=7 if age < 91 else 14 if age < 273 else 28)
        if day > end:
            break
        days.append(day)
    reviews = [{"type": "review_held", "on": _weekday(start + timedelta(days=n)), "worker": s,
                "review": name} for n, name in ((92, "three_month"), (183, "six_month"))
               if start + timedelta(days=n) <= end]
    return sorted([{"type": "relationship_started", "on": start, "supervisor": m, "supervisee": s},
                   {"type": "asye_enrolled", "on": start, "worker": s, "supervisor": m},
                   {"type": "agreement_signed", "on": start, "supervisor": m, "supervisee": s}]
                  + _sessions(m, s, days) + reviews, key=lambda e: e["on"])


def _child(end: date, ids: dict[str, str], case_type: str, late: bool) -> Events:
    cycle = CYCLE[case_type]
    allocated = _weekday(end - timedelta(days=2 * cycle))
    held = [_weekday(end - timedelta(days=cycle))] + ([] if late else [_weekday(end)])
    return ([{"type": "child_allocated", "on": allocated, "child": ids["c"], "worker": ids["w"],
              "manager": ids["m"], "case_type": case_type,
              "plan": case_type if case_type in ("cin", "cp", "cla") else "none"}]
            + [{"type": "child_supervision_held", "on": d, "child": ids["c"], "worker": ids["w"]}
               for d in held])


def _assessment(end: date, ids: dict[str, str]) -> Events:
    started = _weekday(end)
    return [{"type": "child_allocated", "on": started, "child": ids["c"], "worker": ids["w"],
             "manager": ids["m"], "case_type": "assessment"},
            {"type": "assessment_started", "on": started, "child": ids["c"], "worker": ids["w"],
             "manager": ids["m"]},
            {"type": "oversight_recorded", "on": started + timedelta(days=1), "child": ids["c"],
             "point": "allocation"}]


@dataclass(frozen=True)
class Persona:
    name: str
    role: str | None
    """The role of the persona's own staff member (``s``); None for a child."""
    span: int
    """Days its offsets spread over (its cycle)."""
    history: Callable[[date, dict[str, str]], Events]


def _staff(name: str, role: str, history: Callable[[date, dict[str, str]], Events],
           span: int = 28) -> Persona:
    return Persona(name, role, span, history)


PERSONAS: dict[str, Persona] = {p.name: p for p in [
    _staff("worker", "qualified_social_worker",
           lambda end, i: _relationship(end, i["m"], i["s"], [84, 56, 28, 0])),
    _staff("worker_late", "qualified_social_worker",
           lambda end, i: _relationship(end, i["m"], i["s"], [84, 56])),
    _staff("worker_late_once", "qualified_social_worker",
           lambda end, i: _relationship(end, i["m"], i["s"], [84, 46, 18])),
    _staff("manager", "manager",
           lambda end, i: _relationship(end, i["h"], i["s"], [84, 56, 28, 0])),
    _staff("manager_late", "manager", lambda end, i: _relationship(end, i["h"], i["s"], [84, 56])),
    _staff("worker_supervisor_absent", "qualified_social_worker",
           lambda end, i: _relationship(end, i["m"], i["s"], [84, 56]) + [
               {"type": "supervisor_absence_started", "on": _weekday(end - timedelta(days=35)),
                "supervisor": i["m"]}]),
    _staff("asye_weekly", "asye", lambda end, i: _asye(end, i, 6), span=7),
    _staff("asye_fortnightly", "asye", lambda end, i: _asye(end, i, 22), span=14),
    _staff("asye_monthly", "asye", lambda end, i: _asye(end, i, 44)),
    Persona("assessment", None, 63, _assessment),
    *(Persona(f"child_{ct}{'_late' if late else ''}", None, CYCLE[ct],
              partial(_child, case_type=ct, late=late))
      for ct in CYCLE for late in (False, True)),
]}
