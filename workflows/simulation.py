"""A scenario run on a virtual clock through the real engine: store, service, sweep and dispatch.

One Prefect flow run per simulation. Each simulated day that has events gets one task call that
applies them in order; each day with timers due gets the ordinary sweep (a ``fire_batch`` task
per batch). Quiet days cost nothing. The service is told the virtual day (06:00 UTC) as ``now``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from oversight.states.errors import OversightError
from oversight.states.events.registry import parse_event
from oversight.workflows import queries
from oversight.workflows.bootstrap import initialise, open_app, read_scenario, sqlite_url
from oversight.workflows.flows import dispatch_all, sweep_day
from oversight.workflows.scenario_ports import PlannedEvent, ScenarioInvalid
from oversight.workflows.settings import Settings

MORNING = time(6, 0, tzinfo=UTC)

DayCallback = Callable[[date], None]
_on_day: ContextVar[DayCallback | None] = ContextVar("oversight_simulation_on_day", default=None)
"""Told each simulated day as it ends (a progress bar); kept out of the flow's parameters."""


def virtual_now(day: date) -> datetime:
    """The instant the service is told on a simulated day: 06:00 UTC, before the working day."""
    return datetime.combine(day, MORNING)


@contextlib.contextmanager
def without_heartbeat() -> Iterator[None]:
    """Flow runs in this block send no heartbeats, so a short run does not wait for one."""
    import prefect.settings

    setting = getattr(prefect.settings, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)
    if setting is None:  # a Prefect without flow heartbeats
        yield
        return
    with prefect.settings.temporary_settings(updates={setting: None}):
        yield


@task(retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def apply_day(database_url: str, events: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """Apply one simulated day's events in order; the first one the engine refuses stops the run.

    Every event carries an id, so a retried batch applies each event once.
    """
    app = open_app(Settings(database_url=database_url))
    applied = 0
    for item in events:
        try:
            app.service.record(parse_event(item["event"]), now=now)
        except OversightError as error:
            return {"applied": applied, "refused": {"where": item["where"], "reason": str(error)}}
        applied += 1
    return {"applied": applied, "refused": None}


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _by_day(timeline: Sequence[PlannedEvent], start: date) -> dict[date, list[dict[str, Any]]]:
    """The events of each day; setup dated before the first day is applied on the first day."""
    days: dict[date, list[dict[str, Any]]] = {}
    for planned in timeline:
        day = max(planned.event.on, start)
        days.setdefault(day, []).append(
            {"where": planned.where, "event": planned.event.model_dump(mode="json")})
    return days


@flow(name="simulate", log_prints=True)
def simulate_flow(scenario_file: str, database_url: str, home: str, batch_size: int = 500
                  ) -> dict[str, Any]:
    """Run a scenario day by day on a virtual clock: each day's events, then that day's sweep,
    then one dispatch of every message raised. The store must be initialised and hold the staff.
    """
    scenario = read_scenario(Path(scenario_file), policy_dir=Settings().policy_dir,
                             engine_check=False)  # simulate() checked it before this run
    service = open_app(Settings(database_url=database_url)).service
    by_day = _by_day(scenario.timeline(), scenario.start)
    on_day = _on_day.get()
    totals: dict[str, Any] = {"days": 0, "event_days": 0, "events": 0, "sweep_days": 0,
                              "fired": 0, "failed": 0, "refused": None}
    for day in _days(scenario.start, scenario.end):
        now = virtual_now(day)
        if day in by_day:
            applied = apply_day(database_url, by_day[day], now)
            totals["event_days"] += 1
            totals["events"] += applied["applied"]
            if applied["refused"]:
                totals["refused"] = applied["refused"]
                break
        if service.due_timer_ids(day, limit=1):
            swept = sweep_day(database_url, day, now, batch_size)
            totals["sweep_days"] += 1
            totals["fired"] += swept["fired"]
            totals["failed"] += swept["failed"]
        totals["days"] += 1
        if on_day is not None:
            on_day(day)
    end_of_run = virtual_now(scenario.end) + timedelta(hours=17)
    totals["delivered"] = dispatch_all(database_url, end_of_run, home=home)
    print(f"simulated {totals['days']} days: {totals['events']} events on "
          f"{totals['event_days']} days, {totals['fired']} timers fired on "
          f"{totals['sweep_days']} days, {totals['delivered']} messages delivered")
    return totals


@dataclass(frozen=True)
class SimulationResult:
    """What a simulation raised and did, read back from its store."""

    scenario: str
    start: date
    end: date
    tasks: list[dict[str, Any]]
    """Every task, in the shape of :func:`oversight.workflows.queries.task_view`."""
    transitions: list[dict[str, Any]]
    """The whole audit trail, shaped as :func:`oversight.workflows.queries.transition_view`."""
    totals: dict[str, Any]
    outbox_file: Path | None
    """The JSONL task file, or None when the store was temporary and is gone."""

    def to_json(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "transitions": self.transitions}


def simulate(scenario_file: Path, *, store: Path | None = None, home: Path | None = None,
             on_day: DayCallback | None = None, batch_size: int = 500) -> SimulationResult:
    """Validate a scenario, then run it in one ``simulate`` flow run on a fresh SQLite store.

    ``store`` is the database file (a temporary one, deleted afterwards, when not given); it
    must not exist yet. ``home`` holds the outbox files (default: the store's folder).
    Raises :class:`~oversight.workflows.scenario_ports.ScenarioInvalid` before anything runs if the
    file is bad, and after the run if the engine refused one of its events.
    """
    policy_dir = Settings().policy_dir
    scenario = read_scenario(scenario_file, policy_dir=policy_dir)
    temporary = store is None
    with ExitStack() as cleanup:
        if store is None:
            folder = Path(cleanup.enter_context(TemporaryDirectory(prefix="oversight-sim-")))
            store, home = folder / "simulation.db", home or folder
        elif store.exists():
            raise OversightError(f"{store} already exists: a simulation needs a fresh store; "
                                 f"remove it or give another path")
        home = home or store.parent
        settings = Settings(home=home, database_url=sqlite_url(store.resolve()),
                            policy=scenario.policy, policy_dir=policy_dir)
        app = initialise(settings, scenario.policy)
        cleanup.callback(app.close)  # let go of the file before it is deleted
        app.service.upsert_staff(scenario.staff_members())
        token = _on_day.set(on_day)
        try:
            with without_heartbeat():
                totals = simulate_flow(str(scenario_file.resolve()), settings.url, str(home),
                                       batch_size)
        finally:
            _on_day.reset(token)
        if totals["refused"]:
            refused = totals["refused"]
            raise ScenarioInvalid(scenario.source, [
                f"{refused['where']}: the engine refused it: {refused['reason']}"])
        result = SimulationResult(
            scenario=scenario.source, start=scenario.start, end=scenario.end,
            tasks=queries.tasks(app.store), transitions=queries.transitions(app.store),
            totals=totals, outbox_file=None if temporary else settings.outbox_file)
    return result


__all__ = ["simulate", "simulate_flow", "apply_day", "SimulationResult", "virtual_now",
           "without_heartbeat"]
