"""The ``simulate`` flow: a scenario's days on a virtual clock through the real engine.

One Prefect flow run per simulation and one Prefect task per simulated month
(:func:`simulate_days`): for each day of the month, that day's events in ONE transaction (a
savepoint each, each told the virtual day at 06:00 UTC as ``now``), then that day's sweep (a
claimed batch of due timers per transaction, as the ``sweep`` flow fires them); quiet days cost
nothing. One dispatch of every message raised at the end. What a day does is what the
day-by-day engine did (one transaction per event, a task per day): only the commits are fewer.
:mod:`oversight.workflows.simulation.runs` runs it on a fresh store and reads back what it raised.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from oversight.states.errors import OversightError
from oversight.workflows.bootstrap import read_scenario
from oversight.workflows.flows.operations import app_for, dispatch_all
from oversight.workflows.ports.scenarios import PlannedEvent, ScenarioPlan
from oversight.workflows.recording.service import OversightService
from oversight.workflows.recording.sweeping import sweep_due
from oversight.workflows.settings import Settings
from oversight.workflows.simulation.scenario_check import engine_problems

MORNING = time(6, 0, tzinfo=UTC)
T = TypeVar("T")

DayCallback = Callable[[date], None]
_on_day: ContextVar[DayCallback | None] = ContextVar("oversight_simulation_on_day", default=None)
"""Told each simulated day as it ends (a progress bar); kept out of the flow's parameters."""
_read: ContextVar[tuple[str, ScenarioPlan] | None] = ContextVar("oversight_simulation_plan",
                                                                default=None)
"""The scenario file the caller already read and checked, so the flow does not read it again
(and a year's timeline is not a flow run's parameter)."""

Days = dict[date, list[PlannedEvent]]
"""The events of each simulated day, in the order they are applied."""


@contextlib.contextmanager
def handing_over(scenario_file: str, scenario: ScenarioPlan, on_day: DayCallback | None
                 ) -> Iterator[None]:
    """In this block the flow takes ``scenario`` as the file ``scenario_file`` (read and checked
    by the caller) and tells ``on_day`` each day it has lived."""
    tokens = _read.set((scenario_file, scenario)), _on_day.set(on_day)
    try:
        yield
    finally:
        _read.reset(tokens[0])
        _on_day.reset(tokens[1])


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


@dataclass
class Tally:
    """What the run has done so far; the flow's result. A month's task adds to it day by day,
    so a retried task resumes after the last day it finished instead of living it twice."""

    days: int = 0
    event_days: int = 0
    events: int = 0
    sweep_days: int = 0
    fired: int = 0
    failed: int = 0
    refused: dict[str, str] | None = None
    """Where in the file the event the engine refused is, and why: the run stopped there."""
    delivered: int = 0
    last_day: date | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        totals = asdict(self)
        del totals["last_day"]
        return totals


@task(retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def simulate_days(database_url: str, days: list[date], events: Days, tally: Tally,
                  batch_size: int) -> Tally:
    """Live a batch of simulated days (a month) as a Prefect task: :func:`live_days`."""
    return live_days(app_for(database_url).service, days, events, tally, batch_size,
                     lambda line: get_run_logger().error("%s", line))


def live_days(service: OversightService, days: list[date], events: Days, tally: Tally,
              batch_size: int, log: Callable[[str], None]) -> Tally:
    """Live a batch of simulated days: each day's events, then its sweep.

    The first event the engine refuses stops the run (``tally.refused``); the events before it
    that day are kept. Every event carries an id and a sweep claims what is due, so a retry
    changes nothing that was done; it starts after ``tally.last_day``. A timer whose step
    fails is one line through ``log`` and stays due.
    """
    on_day = _on_day.get()
    for day in days:
        if tally.last_day is not None and day <= tally.last_day:
            continue
        now = virtual_now(day)
        planned = events.get(day)
        if planned:
            answers = service.record_each([(p.event, now) for p in planned],
                                          stop_at_refusal=True)
            tally.event_days += 1
            refusal = answers[-1]
            if isinstance(refusal, OversightError):
                tally.events += len(answers) - 1
                tally.refused = {"where": planned[len(answers) - 1].where,
                                 "reason": str(refusal)}
                return tally
            tally.events += len(answers)
        if service.due_timer_ids(day, limit=1):
            fired, failed = _sweep(service, day, now, batch_size, log)
            tally.sweep_days += 1
            tally.fired += fired
            tally.failed += failed
        tally.days += 1
        tally.last_day = day
        if on_day is not None:
            on_day(day)
    return tally


def _sweep(service: OversightService, day: date, now: datetime, batch_size: int,
           log: Callable[[str], None]) -> tuple[int, int]:
    """Fire everything due on ``day`` with the one sweep loop (the sweep flow's), the failed
    timers left due; (fired, failed)."""
    totals = sweep_due(service, day, now=now, batch_size=batch_size, say=log)
    return totals["fired"], totals["failed"]


def by_day(timeline: Sequence[PlannedEvent], start: date) -> Days:
    """The events of each day; setup dated before the first day is applied on the first day."""
    days: Days = {}
    for planned in timeline:
        days.setdefault(max(planned.event.on, start), []).append(planned)
    return days


def months(start: date, end: date) -> list[list[date]]:
    """The simulated days, ``start`` to ``end``, a calendar month at a time."""
    batches: list[list[date]] = []
    day = start
    while day <= end:
        if not batches or (day.year, day.month) != (batches[-1][0].year, batches[-1][0].month):
            batches.append([])
        batches[-1].append(day)
        day += timedelta(days=1)
    return batches


def _as_is(value: T) -> T:
    """``value`` handed to a Prefect task as it is: Prefect neither walks it looking for
    futures (a year of events) nor rebuilds it (the task adds to the tally in place)."""
    return cast(T, quote(value))


@flow(name="simulate", log_prints=True)
def simulate_flow(scenario_file: str, database_url: str, home: str, batch_size: int = 500
                  ) -> dict[str, Any]:
    """Run a scenario day by day on a virtual clock, a month per task: each day's events, then
    that day's sweep; then one dispatch of every message raised. The store must be initialised
    and hold the staff. A run that meets a refusal stops there and dispatches nothing.
    """
    return _run(scenario_file, batch_size,
                live=lambda month, days, tally: simulate_days(
                    database_url, month, _as_is(days), _as_is(tally), batch_size),
                deliver=lambda end: dispatch_all(database_url, end, home=home), say=print)


def simulate_here(scenario_file: str, database_url: str, home: str, batch_size: int = 500
                  ) -> dict[str, Any]:
    """:func:`simulate_flow`'s run without Prefect (no server configured: no temporary server
    to start): the same months, the same engine calls, the same dispatch, as plain calls. A
    timer that fails is an error line on stderr, as the flow logs it; the flow's summary line
    (an info line, which the CLI's Prefect logging hides) is not written."""
    from oversight.workflows.bootstrap import dispatch_here, open_app
    from oversight.workflows.flows.operations import delivery_settings

    service = app_for(database_url).service

    def error(line: str) -> None:
        print(line, file=sys.stderr)

    def deliver(end: datetime) -> int:
        app = open_app(delivery_settings(database_url, home))
        return int(dispatch_here(app, end, 1000)["delivered"])

    return _run(scenario_file, batch_size,
                live=lambda month, days, tally: live_days(service, month, days, tally,
                                                          batch_size, error),
                deliver=deliver, say=lambda line: None)


def _run(scenario_file: str, batch_size: int, *,
         live: Callable[[list[date], Days, Tally], object], deliver: Callable[[datetime], int],
         say: Callable[[str], None]) -> dict[str, Any]:
    """The simulation's months, then its dispatch: one path, with or without Prefect."""
    given = _read.get()
    scenario = given[1] if given is not None and given[0] == scenario_file else read_scenario(
        Path(scenario_file), policy_dir=Settings().policy_dir, engine_check=False,
        engine=engine_problems)
    days = by_day(scenario.timeline(), scenario.start)
    tally = Tally()
    for month in months(scenario.start, scenario.end):
        live(month, days, tally)
        if tally.refused:
            say(f"stopped on {tally.last_day or scenario.start}: {tally.refused['where']} "
                f"was refused")
            return tally.to_json()
    tally.delivered = deliver(virtual_now(scenario.end) + timedelta(hours=17))
    say(f"simulated {tally.days} days: {tally.events} events on {tally.event_days} days, "
        f"{tally.fired} timers fired on {tally.sweep_days} days, {tally.delivered} messages "
        f"delivered")
    return tally.to_json()


__all__ = ["Days", "Tally", "by_day", "handing_over", "live_days", "months", "simulate_days",
           "simulate_flow", "simulate_here", "virtual_now", "without_heartbeat"]
