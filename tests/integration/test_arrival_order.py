"""Property: the order events arrive in does not change where an entity ends up.

For a random history of one supervisory relationship (tm1 → w0, Surrey 4-weekly) and one
Child and Family Assessment (child c0, worker w1), two stores are fed the same events:

- **in time**: in date order, each recorded on its day after that morning's sweep;
- **late**: in a random arrival order (each entity's first event first), all recorded on
  Mon 30 Nov 2026 with a sweep to that day after each one, so nearly every later event arrives
  after timers that already fired and re-derives its entity.

Both are then swept to 30 Nov. They must hold the same entity states, the same timers and the
same tasks (by what they are: type, assignee, raised, due, state, closed and breached days; the
late store's task numbers differ and its withdrawn tasks, which in time were never raised or
never stood, are left out on both sides).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.settings import Settings
from tests.integration import team
from tests.store_templates import migrated_sqlite

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[int]]:
    """Events in date order (distinct days within each entity), and an arrival order."""
    events: list[dict[str, Any]] = []
    start = date(2026, 3, 2) + timedelta(days=draw(st.integers(0, 60)))
    events.append({"type": "relationship_started", "on": start, "supervisor": "tm1",
                   "supervisee": "w0"})
    day = start
    if draw(st.booleans()):
        day += timedelta(days=draw(st.integers(1, 20)))
        events.append({"type": "agreement_signed", "on": day, "supervisor": "tm1",
                       "supervisee": "w0"})
    for gap in draw(st.lists(st.integers(5, 45), min_size=1, max_size=5)):
        day += timedelta(days=gap)
        events.append({"type": "supervision_held", "on": day, "supervisor": "tm1",
                       "supervisee": "w0"})
    opened = date(2026, 4, 1) + timedelta(days=draw(st.integers(0, 60)))
    events.append({"type": "assessment_started", "on": opened, "child": "c0", "worker": "w1",
                   "manager": "tm1"})
    day = opened
    points = draw(st.lists(st.sampled_from(["allocation", "day10", "day20", "day35"]),
                           unique=True, max_size=3))
    for point in sorted(points, key=["allocation", "day10", "day20", "day35"].index):
        day += timedelta(days=draw(st.integers(1, 25)))
        events.append({"type": "oversight_recorded", "on": day, "child": "c0", "point": point})
    if draw(st.booleans()):
        day += timedelta(days=draw(st.integers(1, 40)))
        events.append({"type": "assessment_completed", "on": day, "child": "c0"})
    events = sorted(({**event, "on": event["on"].isoformat(), "event_id": f"e{n}"}
                     for n, event in enumerate(events)), key=lambda e: e["on"])
    firsts = [n for n, e in enumerate(events) if e["type"] in ("relationship_started",
                                                                "assessment_started")]
    rest = draw(st.permutations([n for n in range(len(events)) if n not in firsts]))
    return events, firsts + list(rest)


def _store(folder: Path) -> App:
    app = initialise(Settings(home=folder, database_url=migrated_sqlite(folder / "o.db")),
                     "surrey")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert(team.staff(workers=2, asyes=0))
        uow.commit()
    return app


def _sweep(app: App, as_of: date, now: datetime) -> None:
    while (batch := app.service.fire_due(as_of, now=now, limit=100)).claimed:
        assert not batch.failed, batch.errors  # a failing timer stays due: never loop on it


def _ending(app: App) -> dict[str, Any]:
    """States, timers and standing tasks, by what they are rather than by their numbers."""
    with app.engine.connect() as connection:
        states = sorted(connection.execute(select(t.entities.c.kind, t.entities.c.id,
                                                  t.entities.c.state)).all())
        rows = [dict(r) for r in connection.execute(select(t.tasks)).mappings()]
        timers = connection.execute(select(t.timers.c.entity_id, t.timers.c.name,
                                           t.timers.c.fires_on)).all()
    by_key = {(r["entity_id"], r["key"]): r for r in rows}

    def timer(entity: str, name: str) -> Any:
        task = by_key.get((entity, name[len("task:"):])) if name.startswith("task:") else None
        return ("task", task["type"], task["due"]) if task else name

    standing = sorted((r["entity_id"], r["type"], r["assignee"], r["raised_on"], r["due"],
                       r["state"], r["closed_on"], r["breached_on"])
                      for r in rows if r["state"] != "withdrawn")
    return {"states": states, "tasks": standing,
            "timers": sorted((e, str(timer(e, n)), f) for e, n, f in timers)}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_events_recorded_in_any_order_end_as_when_recorded_in_date_order(
        history: tuple[list[dict[str, Any]], list[int]]) -> None:
    """Same states, timers and tasks, whatever order the events of the past arrive in."""
    in_date_order, arrival = history
    with tempfile.TemporaryDirectory() as folder:
        in_time = _store(Path(folder) / "in-time")
        late = _store(Path(folder) / "late")
        for event in in_date_order:
            day = date.fromisoformat(event["on"])
            _sweep(in_time, day, _at(day, 6))
            in_time.service.record(parse_event(event), now=_at(day, 17))
        _sweep(in_time, TODAY, NOW)
        for index in arrival:
            late.service.record(parse_event(in_date_order[index]), now=NOW)
            _sweep(late, TODAY, NOW)
        try:
            ended, expected = _ending(late), _ending(in_time)
            for part in expected:  # the differences, both ways, when it fails
                assert (sorted(set(ended[part]) - set(expected[part])),
                        sorted(set(expected[part]) - set(ended[part]))) == ([], []), part
            assert ended == expected
        finally:
            in_time.engine.dispose()
            late.engine.dispose()
