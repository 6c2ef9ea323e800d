"""A synthetic population of authorities, staff and children, built in seconds by bulk insert.

**Personas** are short histories run through the real engine on a small SQLite template store:
events recorded by the service and timers swept day by day, up to :data:`AS_OF`. Staff: a
qualified worker supervised on time, late (a session missed: breached and escalated), or late
once and back on time; a manager; ASYEs in their weekly, fortnightly and monthly phases; a
worker whose supervisor has been absent for five weeks. Children: allocated with a case type and
supervised on time or late; a Child and Family Assessment at any day of its 45. Each persona is
run at :data:`OFFSETS` offsets spread over its cycle, so due dates spread over the days ahead.

**Replication**: each person or child picks a persona by realistic shares (:class:`Shares`) and
an offset, and the persona's rows (:mod:`oversight.adapters.store.bulk`) are written under its real
identifiers. The store is then as if the engine had run those histories for everyone.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from oversight.adapters.store.bulk import BulkLoad, Template, capture, fill

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


def _tokens(n: int, persona: Persona) -> dict[str, str]:
    people = ("s", "m", "h") if persona.role else ("c", "w", "m", "h")
    return {p: f"{p}T{n}X" for p in people}


def build_templates(offsets: int = OFFSETS, policy: str = "surrey",
                    workdir: Path | None = None) -> dict[tuple[str, int], Template]:
    """Every persona at every offset, run through the real service and captured."""
    from oversight.adapters.store.unit_of_work import SqlUnitOfWork
    from oversight.states.directory import StaffMember
    from oversight.states.events.registry import parse_event
    from oversight.workflows.bootstrap import initialise
    from oversight.workflows.settings import Settings

    with tempfile.TemporaryDirectory(prefix="oversight-personas-", dir=workdir) as folder:
        path = Path(folder) / "personas.db"
        app = initialise(Settings(home=Path(folder), database_url=f"sqlite:///{path}"), policy)
        plans: list[tuple[Persona, int, dict[str, str]]] = []
        staff: list[StaffMember] = []
        events: Events = []
        for persona in PERSONAS.values():
            for offset in range(offsets):
                n = len(plans)
                ids = _tokens(n, persona)
                end = AS_OF - timedelta(days=round(offset * persona.span / offsets))
                plans.append((persona, offset, ids))
                staff.append(StaffMember(ids["h"], "senior_manager", date(2012, 9, 3),
                                         qualified=date(2004, 7, 1)))
                staff.append(StaffMember(ids["m"], "manager", date(2018, 4, 3), ids["h"],
                                         date(2012, 7, 1)))
                if persona.role:
                    history = persona.history(end, ids)
                    started = history[0]["on"] if persona.role == "asye" else date(2021, 9, 1)
                    staff.append(StaffMember(ids["s"], persona.role, started,
                                             ids["h"] if persona.role == "manager" else ids["m"],
                                             date(2025, 7, 1) if persona.role == "asye"
                                             else date(2020, 7, 1)))
                else:
                    history = persona.history(end, ids)
                    staff.append(StaffMember(ids["w"], "qualified_social_worker",
                                             date(2021, 9, 1), ids["m"], date(2020, 7, 1)))
                events += history
        with SqlUnitOfWork(app.engine) as uow:
            uow.staff.upsert(staff)
            uow.commit()
        _run(app, sorted(events, key=lambda e: e["on"]), parse_event)
        app.engine.dispose()
        out: dict[tuple[str, int], Template] = {}
        db = sqlite3.connect(path)
        owned: dict[str, list[tuple[str, str]]] = {}
        for kind, ident in db.execute("SELECT kind, id FROM entities"):
            token = ident.split(":")[-1].split(".")[0]
            if token[:1] in ("s", "c"):  # the persona's own: never a manager's or a head's
                owned.setdefault(token[1:], []).append((kind, ident))
        db.close()
        for persona, offset, ids in plans:
            key = ids["s" if persona.role else "c"][1:]  # "T17X": the instance's own number
            people = [ids["s"]] if persona.role else []
            out[(persona.name, offset)] = capture(path, owned.get(key, []), people, ids)
        return out


def _run(app: Any, events: Events, parse: Callable[[dict[str, Any]], Any]) -> None:
    """Each day from the first event to :data:`AS_OF`: its events, then its sweep."""
    by_day: dict[date, Events] = {}
    for event in events:
        by_day.setdefault(event["on"], []).append(event)
    day = min(by_day)
    while day <= AS_OF:
        for event in by_day.get(day, []):
            app.service.record(parse({**event, "on": event["on"].isoformat()}), now=NOW)
        while app.service.fire_due(day, now=NOW, limit=1000).claimed:
            pass
        day += timedelta(days=1)


# ----- replication ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Population:
    """How many of whom: staff and children split evenly over the authorities."""

    authorities: int
    staff: int
    children: int
    shares: Shares = Shares()
    seed: int = 2026


def _pick(rng: random.Random, choices: list[tuple[str, float]]) -> str:
    return rng.choices([name for name, _ in choices], [w for _, w in choices])[0]


def assignments(population: Population, authority: int, offsets: int = OFFSETS
                ) -> Iterator[tuple[tuple[str, int] | None, dict[str, str]]]:
    """Each person and child of one authority: its persona and offset, and its people's ids.
    Heads of service have no persona (None): they are only staff rows."""
    shares = population.shares
    rng = random.Random(f"{population.seed}-{authority}")
    size = population.staff // population.authorities + (
        authority < population.staff % population.authorities)
    children = population.children // population.authorities + (
        authority < population.children % population.authorities)
    prefix = f"la{authority + 1:03d}-"
    managers = max(1, round(size * shares.managers))
    heads = max(1, -(-managers // shares.managers_per_head))
    asyes = round(size * shares.asye)
    workers = max(0, size - managers - heads - asyes)
    absent = set(rng.sample(range(managers), round(managers * shares.absent_managers)))
    late = [("late", shares.late), ("on_time", 1 - shares.late)]

    def head(k: int) -> str:
        return f"{prefix}h{k % heads}"

    for k in range(heads):
        yield None, {"s": head(k)}
    for k in range(managers):
        persona = "manager_late" if _pick(rng, late) == "late" else "manager"
        yield (persona, rng.randrange(offsets)), {"s": f"{prefix}m{k}", "h": head(k)}
    pool = []
    for k in range(asyes):
        persona = _pick(rng, [("asye_weekly", 0.25), ("asye_fortnightly", 0.5),
                              ("asye_monthly", 0.25)])
        ids = {"s": f"{prefix}a{k}", "m": f"{prefix}m{k % managers}", "h": head(k % managers)}
        pool.append(ids)
        yield (persona, rng.randrange(offsets)), ids
    for k in range(workers):
        if k % managers in absent:
            persona = "worker_supervisor_absent"
        else:
            persona = _pick(rng, [("worker_late", shares.late * 0.6),
                                  ("worker_late_once", shares.late * 0.4),
                                  ("worker", 1 - shares.late)])
        ids = {"s": f"{prefix}w{k}", "m": f"{prefix}m{k % managers}", "h": head(k % managers)}
        pool.append(ids)
        yield (persona, rng.randrange(offsets)), ids
    for n in range(children):
        worker = pool[n % len(pool)] if pool else {"s": f"{prefix}m0", "m": f"{prefix}m0",
                                                   "h": head(0)}
        ids = {"c": f"{prefix}c{n}", "w": worker["s"], "m": worker["m"], "h": worker["h"]}
        if rng.random() < shares.assessments:
            persona = "assessment"
        else:
            case_type = _pick(rng, list(shares.case_types))
            persona = f"child_{case_type}{'_late' if rng.random() < shares.late else ''}"
        yield (persona, rng.randrange(offsets)), ids


def head_row(ident: str) -> tuple[Any, ...]:
    return (ident, "senior_manager", "2012-09-03", None, "2004-07-01", 0, 0,
            ident.split("-")[0])


def synthesise(url: str, population: Population, templates: dict[tuple[str, int], Template],
               offsets: int = OFFSETS) -> dict[str, int]:
    """Write the population's rows into the (initialised, empty) store at ``url``."""
    load = BulkLoad(url)
    counts: dict[str, int] = {}
    try:
        for table in ("staff", "entities", "timers", "tasks", "audit"):
            def rows(table: str = table) -> Iterator[tuple[Any, ...]]:
                for authority in range(population.authorities):
                    for key, ids in assignments(population, authority, offsets):
                        if key is None:
                            if table == "staff":
                                yield head_row(ids["s"])
                            continue
                        for row in templates[key].rows[table]:
                            yield fill(row, ids)
            counts[table] = load.write(table, rows())
    finally:
        load.close()
    return counts
