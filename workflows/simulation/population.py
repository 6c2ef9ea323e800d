"""A synthetic population of authorities, staff and children, built in seconds by bulk insert.

**Personas** (:mod:`oversight.workflows.simulation.personas`) are short histories run through the
real engine on a small SQLite template store: events recorded by the service and timers swept day by
day, up to :data:`AS_OF`. Each persona is run at :data:`OFFSETS` offsets spread over its cycle,
so due dates spread over the days ahead.

**Replication**: each person or child picks a persona by realistic shares (:class:`Shares`) and
an offset, and the persona's rows (a :class:`Template`) are written under its real identifiers
by the store's bulk writer. The store is then as if the engine had run those histories for everyone.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from oversight.workflows.ports.templates import Template, fill
from oversight.workflows.recording.sweeping import sweep_due
from oversight.workflows.simulation.personas import (
    AS_OF,
    NOW,
    OFFSETS,
    PERSONAS,
    Events,
    Persona,
    Shares,
)


def _tokens(n: int, persona: Persona) -> dict[str, str]:
    people = ("s", "m", "h") if persona.role else ("c", "w", "m", "h")
    return {p: f"{p}T{n}X" for p in people}


def build_templates(offsets: int = OFFSETS, policy: str = "surrey",
                    workdir: Path | None = None) -> dict[tuple[str, int], Template]:
    """Every persona at every offset, run through the real service and captured."""
    from oversight.states.directory import StaffMember
    from oversight.states.events.registry import parse_event
    from oversight.workflows.bootstrap import capture_template, initialise, template_entities
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
        app.service.upsert_staff(staff)
        _run(app, sorted(events, key=lambda e: e["on"]), parse_event)
        app.engine.dispose()
        out: dict[tuple[str, int], Template] = {}
        owned: dict[str, list[tuple[str, str]]] = {}
        for kind, ident in template_entities(path):
            token = ident.split(":")[-1].split(".")[0]
            if token[:1] in ("s", "c"):  # the persona's own: never a manager's or a head's
                owned.setdefault(token[1:], []).append((kind, ident))
        for persona, offset, ids in plans:
            key = ids["s" if persona.role else "c"][1:]  # "T17X": the instance's own number
            people = [ids["s"]] if persona.role else []
            out[(persona.name, offset)] = capture_template(path, owned.get(key, []), people, ids)
        return out


def _refuse_failed(error: str) -> None:
    """A template's timers never fail: one that does is a fault of its persona, said at once
    (the sweep leaves it due, so the template would hold a half-swept history)."""
    raise RuntimeError(f"capturing a template: {error}")


def _run(app: Any, events: Events, parse: Callable[[dict[str, Any]], Any]) -> None:
    """Each day from the first event to :data:`AS_OF`: its events, then its sweep."""
    by_day: dict[date, Events] = {}
    for event in events:
        by_day.setdefault(event["on"], []).append(event)
    day = min(by_day)
    while day <= AS_OF:
        for event in by_day.get(day, []):
            app.service.record(parse({**event, "on": event["on"].isoformat()}), now=NOW)
        sweep_due(app.service, day, now=NOW, batch_size=1000, say=_refuse_failed)
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
    from oversight.workflows.bootstrap import bulk_writer

    load = bulk_writer(url)
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
