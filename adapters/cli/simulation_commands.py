"""``oversight simulate`` and ``oversight demo``: scenarios on a virtual clock, through the engine.

A scenario is a file, or the name of one shipped with the package (``surrey-team``, ``example``,
...), read with ``importlib.resources`` so an installed ``oversight`` finds it from any folder.
Registered on the app by :func:`register`.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oversight.adapters import clock
from oversight.adapters.cli import views
from oversight.adapters.cli.console import err, fail, handled, out
from oversight.adapters.cli.runtime import quiet_prefect, settings

if TYPE_CHECKING:
    from oversight.workflows.simulation.runs import Simulated, SimulationResult

DEMO_SCENARIO = "surrey-team"


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command()(simulate)
    app.command()(demo)


def shipped_scenarios() -> list[str]:
    """The names of the example scenarios shipped in ``oversight.config/scenarios``."""
    folder = files("oversight.config") / "scenarios"
    return sorted(item.name.removesuffix(".yaml") for item in folder.iterdir()
                  if item.name.endswith(".yaml"))


@contextmanager
def scenario_file(given: Path) -> Iterator[Path]:
    """The file given, or else the shipped scenario of that name, as a path on disk; neither:
    one line naming the shipped ones, so a person sees what they can run."""
    if given.exists():
        yield given
        return
    if given.name.removesuffix(".yaml") not in shipped_scenarios():
        fail(f"{given}: no such scenario file, nor a shipped scenario of that name (shipped: "
             + ", ".join(shipped_scenarios()) + ")")
    shipped = files("oversight.config") / "scenarios" / f"{given.name.removesuffix('.yaml')}.yaml"
    with as_file(shipped) as path:
        yield path


@contextmanager
def _simulating(scenario: Path, *, store: Path | None, home: Path | None,
                show: bool) -> Iterator[Simulated]:
    """Validate first (nothing starts for a bad file), then simulate with a progress bar; the
    store can be read in the block."""
    from oversight.adapters.scenario import load_scenario
    from oversight.workflows.simulation.scenario_check import engine_problems

    # The file's own checks, once: the simulation takes the file as read here (and the engine's
    # dry run too, when the file has faults of its own, so every problem is listed at once).
    loaded = load_scenario(scenario, policy_dir=settings().policy_dir, engine_check=False,
                           engine=engine_problems)
    from oversight.adapters.cli.serverless import prefect_server, say_no_server

    serverless = prefect_server() is None  # then no temporary server: the steps as plain calls
    quiet_prefect()
    from oversight.workflows.simulation.runs import simulation

    total = (loaded.end - loaded.start).days + 1
    console = err()
    with ExitStack() as stack:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True,
                      disable=not (show and console.is_terminal)) as progress:
            bar = progress.add_task(("Simulating " if serverless else
                                     "Starting Prefect and simulating ") + loaded.source,
                                    total=total)

            def advance(day: date) -> None:
                progress.update(bar, advance=1, description=f"Simulating {day.isoformat()}")

            run = stack.enter_context(simulation(scenario, store=store, home=home,
                                                 on_day=advance, scenario=loaded,
                                                 serverless=serverless))
        if serverless:
            say_no_server()
        del loaded  # its year of events can go while the store is read
        yield run


def _run_simulation(scenario: Path, *, store: Path | None, home: Path | None,
                    show: bool) -> SimulationResult:
    """:func:`_simulating`, every task and transition read into a result (the demo's team)."""
    with _simulating(scenario, store=store, home=home, show=show) as run:
        return run.read_all()


def _print_items(items: Iterable[Any]) -> None:
    """A JSON list, nested one level in an object, as :func:`print_json` prints it
    (``indent=2``), written out a thousand items at a time instead of held whole."""
    chunk, first = [], True
    for item in items:
        text = json.dumps(item, indent=2, default=str).replace("\n", "\n    ")
        chunk.append(("[\n    " if first else ",\n    ") + text)
        first = False
        if len(chunk) == 1000:
            typer.echo("".join(chunk), nl=False)
            chunk.clear()
    typer.echo("".join(chunk) + ("[]" if first else "\n  ]"), nl=False)


SHOWN = 1000
"""Tasks drawn in the table: a large authority's year is 88,000, which take minutes to draw and
nobody reads on a terminal (--json has them all)."""


def simulate(
    scenario: Path = typer.Argument(..., help="A scenario file, or the name of a shipped one ("
                                    + ", ".join(shipped_scenarios()) + ")."),
    as_json: bool = typer.Option(False, "--json", help='Print {"tasks": [...], "transitions": '
                                                       '[...]} instead of tables.'),
    store: Path | None = typer.Option(None, "--store", help="Keep the simulated store in "
                                         "this new SQLite file (default: a temporary one)."),
) -> None:
    """Run a scenario day by day on a virtual clock through the real engine; print every task."""
    with handled(), scenario_file(scenario) as path, \
            _simulating(path, store=store, home=None, show=not as_json) as run:
        if as_json:  # streamed: a large authority's year is 85,000 tasks
            typer.echo('{\n  "tasks": ', nl=False)
            _print_items(run.each_task())
            typer.echo(',\n  "transitions": ', nl=False)
            _print_items(run.each_transition())
            typer.echo("\n}")
            return
        tasks, transitions = list(run.each_task()), run.transition_count()
    console = out()
    console.print(views.tasks_table(tasks[:SHOWN], f"Tasks raised by {run.scenario} "
                                                   f"({run.start} to {run.end})"))
    shown = "" if len(tasks) <= SHOWN else f"the first {SHOWN:,} shown, "
    console.print(f"{len(tasks)} tasks, {transitions} transitions "
                  f"({shown}--json prints them all).", markup=False)


def demo(serve: bool = typer.Option(False, "--serve", help="Then serve the dashboard on the "
                                    "demo store, printing its address last."),
         port: int = typer.Option(8000, "--port", help="The dashboard's port, with --serve.")
         ) -> None:
    """Simulate a year of a sample Surrey team and summarise the tasks raised, by rule."""
    from oversight.workflows.reads import queries
    config = settings()
    store, home = config.home / "demo.db", config.home / "demo"
    for stale in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(home, ignore_errors=True)
    started = time.perf_counter()
    with handled(), scenario_file(Path(DEMO_SCENARIO)) as path:
        result = _run_simulation(path, store=store, home=home, show=True)
    took = time.perf_counter() - started
    console = out()
    console.print(views.summary_table(
        # Breached as `tasks --breached`, the report and the dashboard count it, on the same day.
        queries.summary_by_rule(result.tasks, as_of=_store_today(store)),
        f"A year of a Surrey team, {result.start} to {result.end}: tasks by rule"))
    console.print(f"{result.totals['events']} events on {result.totals['event_days']} days, "
                  f"{result.totals['fired']} timers fired, {len(result.transitions)} transitions, "
                  f"simulated in {took:.1f} s.", markup=False)
    console.print(f"Task messages (CloudEvents, one per line): {result.outbox_file}",
                  markup=False, soft_wrap=True)
    from oversight.adapters.cli.first_use import program  # `.venv/bin/oversight` off PATH

    console.print(f"Store: {store} (try OVERSIGHT_DATABASE_URL=sqlite:///{store.resolve()} "
                  f"{program()} tasks --breached)", markup=False, soft_wrap=True)
    if serve:
        from oversight.adapters.web.server import serve_demo

        serve_demo(store, port=port, say=lambda line: console.print(line, markup=False,
                                                                    soft_wrap=True))


def _store_today(store: Path) -> date:
    """The day the demo store's figures are judged on, as the dashboard and report judge it."""
    from oversight.workflows.bootstrap import store_file
    from oversight.workflows.reads.compliance import store_today

    with store_file(store) as opened:
        return store_today(opened, clock.now())
