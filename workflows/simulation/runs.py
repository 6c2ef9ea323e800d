"""A scenario simulated on a fresh store through the real engine, and what it raised, read back.

:func:`simulation` reads and checks the file once, creates a fresh SQLite store (a temporary one
unless named), runs the ``simulate`` flow on it (:mod:`oversight.workflows.flows.simulation`: a
Prefect task per simulated month, a transaction per day's events) and hands back a
:class:`Simulated` to read the tasks and the audit trail from, one row at a time (``oversight
simulate --json`` streams them), before a temporary store is removed. :func:`simulate` reads
them all into a :class:`SimulationResult`.

A run that meets a refusal means the file is bad: the engine's dry run of the whole timeline
(:mod:`oversight.workflows.simulation.scenario_check`) then lists every problem at once and the
store is removed again (it was fresh: a refused scenario leaves nothing). A run that meets none
needs no dry run, so a good file is taken through the engine once.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from oversight.states.errors import OversightError
from oversight.workflows.bootstrap import initialise, read_scenario, sqlite_url
from oversight.workflows.flows.simulation import (
    DayCallback,
    handing_over,
    simulate_days,
    simulate_flow,
    simulate_here,
    virtual_now,
    without_heartbeat,
)
from oversight.workflows.ports.scenarios import ScenarioInvalid, ScenarioPlan
from oversight.workflows.ports.store import UnitOfWorkFactory
from oversight.workflows.reads import queries
from oversight.workflows.settings import Settings
from oversight.workflows.simulation.scenario_check import engine_problems, refused_problems
from oversight.workflows.store_settings import audit_key_path


@dataclass(frozen=True)
class Simulated:
    """A finished simulation's store, to read what it raised (while :func:`simulation` lasts)."""

    scenario: str
    start: date
    end: date
    totals: dict[str, Any]
    """The flow's result: days, events, timers fired, messages delivered."""
    store: UnitOfWorkFactory
    outbox_file: Path | None
    """The JSONL task file, or None when the store is temporary (gone after the block)."""

    def each_task(self) -> Iterator[dict[str, Any]]:
        """Every task in the order raised, shaped as
        :func:`~oversight.workflows.reads.queries.task_view`, one at a time (a large authority's
        year raises 85,000)."""
        with self.store() as uow:
            for row in uow.tasks.each():
                yield queries.task_view(row)

    def each_transition(self) -> Iterator[dict[str, Any]]:
        """The whole audit trail in the order written, as
        :func:`~oversight.workflows.reads.queries.transition_view`, one line at a time."""
        with self.store() as uow:
            for row in uow.history.each_line():
                yield queries.transition_view(row)

    def transition_count(self) -> int:
        return queries.counts(self.store)["audit"]

    def read_all(self) -> SimulationResult:
        """Every task and transition, read into one :class:`SimulationResult`."""
        return SimulationResult(scenario=self.scenario, start=self.start, end=self.end,
                                tasks=list(self.each_task()),
                                transitions=list(self.each_transition()),
                                totals=self.totals, outbox_file=self.outbox_file)


@dataclass(frozen=True)
class SimulationResult:
    """What a simulation raised and did, read back from its store."""

    scenario: str
    start: date
    end: date
    tasks: list[dict[str, Any]]
    """Every task, in the shape of :func:`oversight.workflows.reads.queries.task_view`."""
    transitions: list[dict[str, Any]]
    """The whole audit trail, shaped as
    :func:`oversight.workflows.reads.queries.transition_view`."""
    totals: dict[str, Any]
    outbox_file: Path | None
    """The JSONL task file, or None when the store was temporary and is gone."""

    def to_json(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "transitions": self.transitions}


@contextmanager
def simulation(scenario_file: Path, *, store: Path | None = None, home: Path | None = None,
               on_day: DayCallback | None = None, batch_size: int = 500,
               scenario: ScenarioPlan | None = None, serverless: bool = False
               ) -> Iterator[Simulated]:
    """Run a scenario in one ``simulate`` flow run on a fresh SQLite store; read it in the block.

    ``serverless``: run the flow's steps as plain calls instead (no Prefect server configured:
    a flow run would start a temporary one, for seconds, and keep no record of the run).

    ``store`` is the database file (a temporary one, deleted after the block, when not given);
    it must not exist yet. ``home`` holds the outbox files (default: the store's folder).
    ``scenario``: the file as the caller already read it (its own checks passed), not read again.
    Raises :class:`~oversight.workflows.ports.scenarios.ScenarioInvalid` before anything is
    created if the file is bad, and with every problem the engine finds if the run meets an
    event it refuses (the store is removed then).
    """
    policy_dir = Settings().policy_dir
    plan = scenario or read_scenario(scenario_file, policy_dir=policy_dir, engine_check=False,
                                     engine=engine_problems)
    with ExitStack() as cleanup:
        if store is None:
            folder = Path(cleanup.enter_context(TemporaryDirectory(prefix="oversight-sim-")))
            named, store, home = None, folder / "simulation.db", home or folder
        elif store.exists():
            raise OversightError(f"{store} already exists: a simulation needs a fresh store; "
                                 f"remove it or give another path")
        else:
            named = _Fresh(store)
        home = home or store.parent
        settings = Settings(home=home, database_url=sqlite_url(store.resolve()),
                            policy=plan.policy, policy_dir=policy_dir)
        app = initialise(settings, plan.policy)
        cleanup.callback(app.close)  # let go of the file before it is deleted
        app.service.upsert_staff(plan.staff_members())
        path = str(scenario_file.resolve())
        with handing_over(path, plan, on_day):
            if serverless:
                totals = simulate_here(path, settings.url, str(home), batch_size)
            else:
                with without_heartbeat():
                    totals = simulate_flow(path, settings.url, str(home), batch_size)
        if totals["refused"]:
            app.close()
            if named is not None:
                named.remove()
            raise ScenarioInvalid(plan.source, refused_problems(plan, totals["refused"],
                                                                policy_dir=policy_dir))
        run = Simulated(scenario=plan.source, start=plan.start, end=plan.end, totals=totals,
                        store=app.store, outbox_file=None if named is None
                        else settings.outbox_file)
        del plan, scenario  # a year of events, no longer needed while the store is read
        yield run


class _Fresh:
    """A store file the user named, created by this run: removed again, with the folders made
    for it (the audit chain's key folder beside it among them), when the run is refused."""

    def __init__(self, store: Path):
        self.store = store
        keys = audit_key_path(store.parent, None, sqlite_url(store)).parent
        self.keys = None if keys.exists() else keys
        self.made = [folder for folder in store.resolve().parents if not folder.exists()]

    def remove(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.store}{suffix}").unlink(missing_ok=True)
        if self.keys is not None:  # the chain's key this run made, and any anchors beside it
            shutil.rmtree(self.keys, ignore_errors=True)
        for folder in self.made:  # deepest first; only if nothing else was put there
            with suppress(OSError):
                folder.rmdir()


def simulate(scenario_file: Path, *, store: Path | None = None, home: Path | None = None,
             on_day: DayCallback | None = None, batch_size: int = 500,
             scenario: ScenarioPlan | None = None, serverless: bool = False
             ) -> SimulationResult:
    """:func:`simulation`, with every task and transition read into a :class:`SimulationResult`."""
    with simulation(scenario_file, store=store, home=home, on_day=on_day,
                    batch_size=batch_size, scenario=scenario, serverless=serverless) as run:
        return run.read_all()


__all__ = ["SimulationResult", "Simulated", "simulate", "simulate_days", "simulate_flow",
           "simulation", "virtual_now", "without_heartbeat"]
