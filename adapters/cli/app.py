"""``oversight``: the command line at the edge of the engine.

Each command parses its input, calls the application (``workflows``) and shows the outcome: rich
tables for people, ``--json`` for programs. Any error a person can fix is one line on stderr and
exit code 1, never a traceback. Prefect is imported only by the commands that run flows, so
``oversight --help`` stays quick; those commands keep Prefect's console quiet unless told not to.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator, NoReturn, Optional
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import SQLAlchemyError

from oversight.adapters.cli import views
from oversight.states.errors import OversightError

REPO = Path(__file__).resolve().parents[2]
DEMO_SCENARIO = REPO / "config" / "scenarios" / "surrey-team.yaml"

app = typer.Typer(
    name="oversight",
    help="Supervision policies of English children's social care, run as state machines with "
         "durable timers. The store is OVERSIGHT_HOME (default ./.oversight) or "
         "OVERSIGHT_DATABASE_URL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

JsonFlag = typer.Option(False, "--json", help="Print JSON for programs instead of tables.")


# ----- output and errors --------------------------------------------------------------------------

def out() -> Console:
    """Standard output; tables piped to a file or a log are not cut to 80 columns."""
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(highlight=False, width=200)
    return console


def err() -> Console:
    return Console(stderr=True, highlight=False)


def fail(message: str) -> NoReturn:
    """One line per problem on stderr, exit code 1."""
    for line in str(message).splitlines() or ["failed"]:
        err().print(f"error: {line}", markup=False, soft_wrap=True)
    raise typer.Exit(1)


@contextmanager
def handled() -> Iterator[None]:
    """Errors a person can act on become one clear line instead of a traceback."""
    try:
        yield
    except OversightError as error:
        fail(str(error))
    except SQLAlchemyError as error:
        fail(f"the store could not be used ({type(error).__name__}: "
             f"{str(error.orig) if getattr(error, 'orig', None) else error}); "
             f"check OVERSIGHT_HOME / OVERSIGHT_DATABASE_URL, then run `oversight init`")


@contextmanager
def busy(message: str) -> Iterator[None]:
    """A spinner on stderr while a flow runs, when a person is watching."""
    console = err()
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date (write YYYY-MM-DD)")


TEMPORARY_SERVER_LOGGING = """\
version: 1
disable_existing_loggers: false
handlers:
  console: {class: logging.StreamHandler, stream: "ext://sys.stderr"}
root: {level: CRITICAL, handlers: [console]}
loggers:
  sqlalchemy: {level: CRITICAL}
"""


def quiet_prefect() -> None:
    """Keep Prefect's console to errors before a command runs flows (the environment wins).

    Flow and task errors still show. Without PREFECT_API_URL, Prefect starts a temporary
    server in a subprocess that stops with the command, and as it stops it logs cancellation
    errors (its own and its database driver's) that mean nothing to a person: that subprocess
    gets a logging configuration showing only critical errors. It is set after Prefect is
    imported here, so this process keeps Prefect's own configuration.
    """
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    import prefect  # noqa: F401  (configures this process's logging from the environment)

    # Its events worker warns while it drains at exit; the drain itself completes.
    logging.getLogger("EventsWorker").setLevel(logging.ERROR)
    if "PREFECT_LOGGING_SETTINGS_PATH" not in os.environ:
        path = Path(tempfile.gettempdir()) / "oversight-temporary-prefect-server-logging.yml"
        path.write_text(TEMPORARY_SERVER_LOGGING, encoding="utf-8")
        os.environ["PREFECT_LOGGING_SETTINGS_PATH"] = str(path)


def settings():  # type: ignore[no-untyped-def]
    from oversight.workflows.settings import Settings

    return Settings()


def open_store():  # type: ignore[no-untyped-def]
    from oversight.workflows.bootstrap import open_app

    return open_app(settings())


# ----- the store ----------------------------------------------------------------------------------

@app.command()
def init(policy: Optional[str] = typer.Option(
        None, "--policy", help="Authority whose policy the store runs (config/policies/NAME.yaml); "
                               "default OVERSIGHT_POLICY or surrey.")) -> None:
    """Create the store, or upgrade its schema, and record the policy it runs under."""
    from oversight.workflows.bootstrap import initialise

    with handled():
        config = settings()
        ready = initialise(config, policy)
        out().print(f"Store ready at {config.redacted_url()}: {ready.policy.name} policy "
                    f"version {ready.policy.version}.", markup=False, soft_wrap=True)


from oversight.adapters.cli import inbound_commands  # noqa: E402 - `import`, `token`, `calendar`, `api` (issue 6)

inbound_commands.register(app)


@app.command()
def event(
    payload: Optional[str] = typer.Argument(
        None, help='The event as JSON, e.g. \'{"type": "supervision_held", "on": "2026-01-12", '
                   '"supervisor": "tm1", "supervisee": "sw1"}\'; "-" reads it from stdin.'),
    type_: Optional[str] = typer.Option(None, "--type", help="Event type, e.g. supervision_held."),
    on: Optional[str] = typer.Option(None, "--on", help="Date it happened, YYYY-MM-DD (default "
                                                        "today)."),
    field: list[str] = typer.Option([], "--field", "-f", help="A field as KEY=VALUE; repeat it."),
    as_json: bool = JsonFlag,
) -> None:
    """Record one event, given as JSON or as --type/--on/--field flags."""
    from oversight.states.events.registry import parse_event

    data = _event_data(payload, type_, on, field)
    with handled():
        recorded = parse_event(data)
        outcome = open_store().service.record(recorded, now=datetime.now(timezone.utc))
    if as_json:
        print_json({"applied": outcome.applied, "duplicate": bool(outcome.duplicates),
                    "tasks_opened": outcome.tasks_opened, "transitions": outcome.transitions})
        return
    if outcome.duplicates:
        out().print(f"Already recorded: event id {recorded.event_id} was applied before.",
                    markup=False)
        return
    out().print(f"Recorded {recorded.type} on {recorded.on}: {outcome.tasks_opened} task(s) "
                f"opened.", markup=False)
    for line in outcome.transitions:
        out().print(f"  {line['entity']}: {line['from']} → {line['to']} ({line['trigger']}, "
                    f"{views.rule_label(line['rule'])})", markup=False, soft_wrap=True)


def _event_data(payload: str | None, type_: str | None, on: str | None,
                fields: list[str]) -> dict[str, Any]:
    if payload is not None and (type_ or on or fields):
        fail("give the event as JSON or as --type/--on/--field flags, not both")
    if payload is not None:
        text = sys.stdin.read() if payload == "-" else payload
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            fail(f"the event is not valid JSON ({error.msg} at line {error.lineno} column "
                 f"{error.colno}); see `oversight event --help`")
        if not isinstance(data, dict):
            fail("the event must be a JSON object with 'type', 'on' and its fields")
        return data
    if not type_:
        fail("give the event as JSON, or at least --type (see `oversight event --help`)")
    today = datetime.now(ZoneInfo("Europe/London")).date()
    data = {"type": type_, "on": on or today.isoformat()}
    for item in fields:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--field {item!r}: write KEY=VALUE, e.g. --field supervisor=tm1")
        data[key.strip()] = value.strip()
    return data


# ----- flows --------------------------------------------------------------------------------------

@app.command()
def sweep(as_of: Optional[str] = typer.Option(
        None, "--as-of", help="Fire timers due on or before this day, YYYY-MM-DD (default today, "
                              "Europe/London)."),
          as_json: bool = JsonFlag) -> None:
    """Fire every durable timer that is due (runs the `sweep` flow)."""
    day = parse_date(as_of, "--as-of") if as_of else None
    with handled():
        ready = open_store()
        quiet_prefect()
        from oversight.workflows.flows import sweep as sweep_flow
        from oversight.workflows.simulation import without_heartbeat

        with without_heartbeat(), busy("Sweeping: firing the timers that are due"):
            totals = sweep_flow(as_of=day, batch_size=ready.settings.batch_size)
    if as_json:
        print_json(totals)
        return
    out().print(f"Swept: {totals['fired']} timer(s) fired in {totals['batches']} batch(es), "
                f"{totals['tasks_opened']} task(s) opened, {totals['tasks_breached']} breached"
                + (f", {totals['failed']} failed (they stay due)" if totals["failed"] else "")
                + ".", markup=False)


@app.command()
def dispatch(as_json: bool = JsonFlag) -> None:
    """Deliver undelivered task messages to the receivers (runs the `dispatch` flow)."""
    with handled():
        ready = open_store()
        quiet_prefect()
        from oversight.workflows.flows import dispatch as dispatch_flow
        from oversight.workflows.simulation import without_heartbeat

        with without_heartbeat(), busy("Dispatching: delivering task messages"):
            totals = dispatch_flow(batch_size=1000)
    if as_json:
        print_json({**totals, "file": str(ready.settings.outbox_file)})
        return
    from oversight.adapters.cli.delivery_commands import dispatch_lines

    for line in dispatch_lines(totals, ready.settings):
        out().print(line, markup=False, soft_wrap=True)


# ----- reading the store --------------------------------------------------------------------------

@app.command()
def status(as_json: bool = JsonFlag,
           timers: int = typer.Option(10, "--timers", min=0, help="How many next timers to show.")
           ) -> None:
    """Entities by kind and state, the next timers to fire, tasks and messages by state."""
    from oversight.adapters.store.unit_of_work import SqlUnitOfWork
    from oversight.workflows import queries

    with handled():
        ready = open_store()
        with SqlUnitOfWork(ready.engine) as uow:
            entities = uow.count_entities()
            upcoming = uow.next_timers(timers)
            outbox = uow.outbox_counts()
        task_states: dict[str, int] = {}
        for row in queries.tasks(ready.engine):
            task_states[row["state"]] = task_states.get(row["state"], 0) + 1
    if as_json:
        print_json({"policy": ready.policy.authority,
                    "entities": [{"kind": k, "state": s, "count": c} for k, s, c in entities],
                    "next_timers": [{"entity": f"{t['entity_kind']}:{t['entity_id']}",
                                     "timer": t["name"], "fires_on": t["fires_on"].isoformat()}
                                    for t in upcoming],
                    "tasks": task_states, "messages": outbox})
        return
    console = out()
    console.print(f"Store {ready.settings.redacted_url()}, {ready.policy.name} policy "
                  f"version {ready.policy.version}", markup=False, soft_wrap=True)
    for table in views.status_tables(entities, upcoming, task_states, outbox):
        console.print(table)


@app.command()
def tasks(
    open_only: bool = typer.Option(False, "--open", help="Only tasks still open."),
    breached: bool = typer.Option(False, "--breached", help="Only breached or escalated tasks."),
    as_json: bool = JsonFlag,
) -> None:
    """Tasks the rules raised, with who they are for, when they are due and which rule."""
    from oversight.workflows import queries

    if open_only and breached:
        fail("choose --open or --breached, not both")
    states = ["open"] if open_only else list(queries.BREACHED) if breached else None
    with handled():
        rows = queries.tasks(open_store().engine, states=states)
    if as_json:
        print_json(rows)
        return
    title = "Open tasks" if open_only else "Breached tasks" if breached else "Tasks"
    out().print(views.tasks_table(rows, f"{title} ({len(rows)})"))


@app.command()
def history(entity: str = typer.Argument(
        ..., help="KIND:ID, e.g. assessment:c1, asye:sw1 or relationship:tm1:sw1."),
            as_json: bool = JsonFlag) -> None:
    """The audit trail of one entity: every transition, with the rule that caused it."""
    from oversight.states.machines import KINDS
    from oversight.states.values import EntityRef
    from oversight.workflows import queries

    try:
        ref = EntityRef.parse(entity)
    except ValueError:
        fail(f"{entity!r}: write KIND:ID, e.g. assessment:c1 (kinds: {', '.join(KINDS)})")
    if ref.kind not in KINDS:
        fail(f"no kind {ref.kind!r}; kinds are {', '.join(KINDS)}")
    with handled():
        engine = open_store().engine
        if not queries.entity_exists(engine, ref):
            fail(f"no {ref} in the store; `oversight status` shows what it holds")
        rows = queries.transitions(engine, ref)
    if as_json:
        print_json(rows)
        return
    out().print(views.history_table(str(ref), rows))


@app.command()
def why(task_id: str = typer.Argument(..., help="A task id, as `oversight tasks` lists them."),
        as_json: bool = JsonFlag) -> None:
    """Why a task exists: its rule and quote, its dates, and the arithmetic of its due date."""
    from oversight.workflows import queries

    with handled():
        found = queries.task(open_store().engine, task_id)
    if found is None:
        fail(f"no task {task_id!r}; `oversight tasks` lists the task ids")
    if as_json:
        print_json(found)
        return
    console = out()
    for line in views.why_lines(found):
        console.print(line, soft_wrap=True)


@app.command()
def diagram(kind: str = typer.Argument(
        ..., help="A lifecycle kind, e.g. assessment, asye or relationship.")) -> None:
    """The state diagram of one lifecycle, in Mermaid, drawn from the machine that runs."""
    from oversight.states.diagrams import mermaid
    from oversight.states.machines import KINDS

    if kind not in KINDS:
        fail(f"no kind {kind!r}; kinds are {', '.join(KINDS)}")
    typer.echo(mermaid(KINDS[kind]), nl=False)


# ----- simulation, demo, serving ------------------------------------------------------------------

def _run_simulation(scenario: Path, *, store: Path | None, home: Path | None, show: bool):
    """Validate first (nothing starts for a bad file), then simulate with a progress bar."""
    from oversight.adapters.scenario import load_scenario

    loaded = load_scenario(scenario, policy_dir=settings().policy_dir)
    quiet_prefect()
    from oversight.workflows.simulation import simulate

    total = (loaded.end - loaded.start).days + 1
    console = err()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not (show and console.is_terminal)) as progress:
        bar = progress.add_task(f"Starting Prefect and simulating {loaded.source}", total=total)

        def advance(day: date) -> None:
            progress.update(bar, advance=1, description=f"Simulating {day.isoformat()}")

        return simulate(scenario, store=store, home=home, on_day=advance)


@app.command()
def simulate(
    scenario: Path = typer.Argument(..., help="A scenario file (see config/scenarios/)."),
    as_json: bool = typer.Option(False, "--json", help='Print {"tasks": [...], "transitions": '
                                                       '[...]} instead of tables.'),
    store: Optional[Path] = typer.Option(None, "--store", help="Keep the simulated store in "
                                         "this new SQLite file (default: a temporary one)."),
) -> None:
    """Run a scenario day by day on a virtual clock through the real engine; print every task."""
    with handled():
        result = _run_simulation(scenario, store=store, home=None, show=not as_json)
    if as_json:
        print_json(result.to_json())
        return
    console = out()
    console.print(views.tasks_table(result.tasks, f"Tasks raised by {result.scenario} "
                                                  f"({result.start} to {result.end})"))
    console.print(f"{len(result.tasks)} tasks, {len(result.transitions)} transitions "
                  f"(--json prints them all).", markup=False)


@app.command()
def demo(serve: bool = typer.Option(False, "--serve", help="Then serve the dashboard on the "
                                    "demo store, printing its address last."),
         port: int = typer.Option(8000, "--port", help="The dashboard's port, with --serve.")
         ) -> None:
    """Simulate a year of a sample Surrey team and summarise the tasks raised, by rule."""
    from oversight.workflows import queries

    config = settings()
    store, home = config.home / "demo.db", config.home / "demo"
    for stale in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(home, ignore_errors=True)
    started = time.perf_counter()
    with handled():
        result = _run_simulation(DEMO_SCENARIO, store=store, home=home, show=True)
    took = time.perf_counter() - started
    console = out()
    console.print(views.summary_table(
        queries.summary_by_rule(result.tasks),
        f"A year of a Surrey team, {result.start} to {result.end}: tasks by rule"))
    console.print(f"{result.totals['events']} events on {result.totals['event_days']} days, "
                  f"{result.totals['fired']} timers fired, {len(result.transitions)} transitions, "
                  f"simulated in {took:.1f} s.", markup=False)
    console.print(f"Task messages (CloudEvents, one per line): {result.outbox_file}",
                  markup=False, soft_wrap=True)
    console.print(f"Store: {store} (try OVERSIGHT_DATABASE_URL=sqlite:///{store.resolve()} "
                  f"oversight tasks --breached)", markup=False, soft_wrap=True)
    if serve:
        from oversight.adapters.web.server import serve_demo

        serve_demo(store, port=port, say=lambda line: console.print(line, markup=False,
                                                                    soft_wrap=True))


@app.command()
def serve() -> None:
    """Serve the sweep (daily at 06:00 and hourly) and dispatch (every minute) flows."""
    with handled():
        ready = open_store()
    import prefect.settings
    from prefect import serve as prefect_serve

    from oversight.workflows.deployments import deployments

    if not prefect.settings.PREFECT_API_URL.value():
        # A temporary server runs no scheduler: the schedules would never fire.
        fail("serving needs a Prefect server: run `prefect server start` in another terminal, "
             "then set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api) and run this again")
    # Runs start in other processes: give them the store's absolute location.
    os.environ["OVERSIGHT_HOME"] = str(ready.settings.home.resolve())
    out().print(f"Serving sweep (06:00 Europe/London and hourly) and dispatch (every minute) for "
                f"{ready.settings.redacted_url()}; see them in the Prefect UI. Ctrl+C stops.",
                markup=False, soft_wrap=True)
    prefect_serve(*deployments())


from oversight.adapters.cli import report_commands  # noqa: E402 - `asye` and `report` (issue 7)

report_commands.register(app)

import oversight.adapters.cli.policy_commands  # noqa: E402,F401 - `policy` and `replan` (issue 4)
from oversight.adapters.cli import deploy_commands  # noqa: E402 - `synth` and `deploy` (issue 8)

deploy_commands.register(app)

from oversight.adapters.cli import delivery_commands  # noqa: E402 - `deliveries`, `adapters` (issue 5)

delivery_commands.register(app)


def main() -> None:
    """Entry point: usage errors are one line and exit code 1, like every other error."""
    command = typer.main.get_command(app)
    try:
        code = command.main(prog_name="oversight", standalone_mode=False)
    except typer.TyperException as error:  # usage errors: a missing argument, an unknown option
        if type(error).__name__ == "NoArgsIsHelpError":
            sys.exit(0)  # no command given: the help was shown, as asked
        context = getattr(error, "ctx", None)
        where = context.command_path if context is not None else "oversight"
        err().print(f"error: {error.format_message()} (see `{where} --help`)", markup=False,
                    soft_wrap=True)
        sys.exit(1)
    except typer.Abort:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
