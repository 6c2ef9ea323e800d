"""Property: an entity ends the same whatever the order its records arrive in, whether or not
a sweep ran between them, and whatever record was retracted and recorded again.

For a random history of one supervisory relationship (tm1 → a0, a newly qualified worker:
Surrey's ASYE cadence, weekly at first), the ASYE journey of a0 (each session held reaches it
too) and one Child and Family Assessment (child c0, worker w1), the **reference** store records
every event on its day, after that morning's sweep, with a sweep every day to 30 Jun 2026. The
**other** store records the same events in date order, newest first or in a random order (each
entity's first event first), all on Tue 30 Jun, with no sweep at all or after each one a sweep
or none (to that event's day, or to 30 Jun),
and, at a random point, one record (any: an entity's first included) retracted and recorded
again under a new id. Swept to 30 Jun, both must hold the same entity states, the same timers
and the same tasks: type, assignee, raised, due, state, closed and breached days, escalations
included (task numbers differ, and withdrawn tasks, which in time never stood, are left out).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.recording.retraction import Corrections
from oversight.workflows.settings import Settings
from tests.integration import team
from tests.integration.test_arrival_order import _ending, _sweep

FIRST_DAY = date(2026, 1, 5)  # Mon: a0 starts (tests/integration/team.py)
TODAY = date(2026, 6, 30)  # Tue
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
CREATORS = ("relationship_started", "asye_enrolled", "assessment_started")
SWEEPS = ("none", "to its day", "to today")


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@st.composite
def _days(draw: st.DrawFn, start: date, count: int, gaps: tuple[int, int]) -> list[date]:
    days, day = [], start
    for _ in range(count):
        day += timedelta(days=draw(st.integers(*gaps)))
        days.append(day)
    return [d for d in days if d <= TODAY]


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    """Events in date order (one day for each event of the relationship and the journey,
    which share the sessions), an arrival order, a sweep after each (or none at all), and one
    record to retract."""
    pair = {"supervisor": "tm1", "supervisee": "a0"}
    start = FIRST_DAY + timedelta(days=draw(st.integers(0, 10)))
    events: list[dict[str, Any]] = [
        {"type": "relationship_started", "on": start, **pair},
        {"type": "asye_enrolled", "on": start, "worker": "a0", "supervisor": "tm1"}]
    later = draw(_days(start, draw(st.integers(1, 7)), (3, 30)))
    kinds = ["supervision_held"] * len(later)
    if draw(st.booleans()) and later:
        kinds[0] = "agreement_signed"
    if len(later) > 2 and draw(st.booleans()):
        kinds[draw(st.integers(1, len(later) - 1))] = "review_held"
    for day, kind in zip(later, kinds, strict=True):
        if kind == "review_held":
            events.append({"type": kind, "on": day, "worker": "a0", "review": "three_month"})
        else:
            events.append({"type": kind, "on": day, **pair})
    opened = date(2026, 2, 2) + timedelta(days=draw(st.integers(0, 60)))
    events.append({"type": "assessment_started", "on": opened, "child": "c0", "worker": "w1",
                   "manager": "tm1"})
    points = draw(st.lists(st.sampled_from(["allocation", "day10", "day20", "day35"]),
                           unique=True, max_size=3))
    day = opened
    for point in sorted(points, key=["allocation", "day10", "day20", "day35"].index):
        day += timedelta(days=draw(st.integers(1, 25)))
        events.append({"type": "oversight_recorded", "on": day, "child": "c0", "point": point})
    if draw(st.booleans()):
        day += timedelta(days=draw(st.integers(1, 40)))
        events.append({"type": "assessment_completed", "on": day, "child": "c0"})
    events = sorted(({**event, "on": event["on"].isoformat(), "event_id": f"e{n}"}
                     for n, event in enumerate(events) if event["on"] <= TODAY),
                    key=lambda e: e["on"])
    firsts = [n for n, e in enumerate(events) if e["type"] in CREATORS]
    others = [n for n in range(len(events)) if n not in firsts]
    order = draw(st.sampled_from(["date order", "newest first", "any"]))
    rest = others if order == "date order" else others[::-1] if order == "newest first" \
        else draw(st.permutations(others))
    sweeps = ["none"] * len(events) if draw(st.booleans()) else draw(
        st.lists(st.sampled_from(SWEEPS), min_size=len(events), max_size=len(events)))
    return {"events": events, "arrival": firsts + list(rest), "sweeps": sweeps,
            "retract": draw(st.sampled_from(range(len(events)))),
            "after": draw(st.integers(0, len(events) - 1))}


def _store(folder: Path) -> App:
    app = initialise(Settings(home=folder, database_url=f"sqlite:///{folder / 'o.db'}"),
                     "surrey")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert(team.staff(workers=2, asyes=1))
        uow.commit()
    return app


def _reference(app: App, events: list[dict[str, Any]]) -> None:
    """Every event on its day, after that morning's sweep; a sweep every day to today."""
    by_day: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_day.setdefault(event["on"], []).append(event)
    day = FIRST_DAY
    while day <= TODAY:
        _sweep(app, day, _at(day, 6))
        for event in by_day.get(day.isoformat(), []):
            app.service.record(parse_event(event), now=_at(day, 17))
        day += timedelta(days=1)


def _other(app: App, history: dict[str, Any]) -> None:
    """In the arrival order, each followed by its sweep; one record retracted and recorded
    again (under a new id) once ``after`` records have arrived."""
    events = history["events"]
    arrived: set[int] = set()
    for position, index in enumerate(history["arrival"]):
        app.service.record(parse_event(events[index]), now=NOW)
        arrived.add(index)
        sweep = history["sweeps"][position]
        if sweep != "none":
            _sweep(app, TODAY if sweep == "to today" else date.fromisoformat(
                events[index]["on"]), NOW)
        if position == history["after"] and history["retract"] in arrived:
            mistaken = events[history["retract"]]
            Corrections(app.service).retract(mistaken["event_id"], reason="entered twice",
                                             actor="os:ops", now=NOW)
            app.service.record(parse_event({**mistaken, "event_id": mistaken["event_id"] + "b"}),
                               now=NOW)
    _sweep(app, TODAY, NOW)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_any_arrival_order_sweeps_and_retraction_end_as_in_date_order_swept_daily(
        history: dict[str, Any]) -> None:
    """Same states, timers, tasks, breaches and escalations as in date order, swept daily."""
    with tempfile.TemporaryDirectory() as folder:
        reference = _store(Path(folder) / "reference")
        other = _store(Path(folder) / "other")
        try:
            _reference(reference, history["events"])
            _other(other, history)
            ended, expected = _ending(other), _ending(reference)
            for part in expected:  # the differences, both ways, when it fails
                assert (sorted(set(ended[part]) - set(expected[part])),
                        sorted(set(expected[part]) - set(ended[part]))) == ([], []), part
            assert ended == expected
        finally:
            reference.engine.dispose()
            other.engine.dispose()
