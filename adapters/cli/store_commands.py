"""``oversight init``, ``sweep``, ``dispatch`` and ``serve``: the store and the flows on it.

``init`` creates or upgrades the store; ``sweep`` and ``dispatch`` run one flow each, now;
``serve`` leaves both to a Prefect server's schedules. Registered on the app by :func:`register`.
"""

from __future__ import annotations

import os

import typer

from oversight.adapters import clock
from oversight.adapters.cli.console import (
    JsonFlag,
    busy,
    fail,
    handled,
    out,
    parse_past_date,
    print_json,
)
from oversight.adapters.cli.runtime import open_store, quiet_prefect, settings
from oversight.adapters.cli.serverless import dispatch_here, prefect_server, sweep_here


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command()(init)
    app.command()(sweep)
    app.command()(dispatch)
    app.command()(serve)


def init(policy: str | None = typer.Option(
        None, "--policy", help="Authority whose policy the store runs (see `oversight policy "
                               "list`); default OVERSIGHT_POLICY or surrey.")) -> None:
    """Create the store, or upgrade its schema, and record the policy it runs under."""
    from oversight.adapters.cli.policy_header import policy_header
    from oversight.workflows.bootstrap import initialise

    with handled():
        config = settings()
        keyed = config.audit_key_path.exists()
        ready = initialise(config, policy)
        # The policy just validated: remembered, so the first `status` names it at once.
        policy_header(ready.policy.authority, config.policy_dir, config.home)
        out().print(f"Store ready at {config.redacted_url()}: {ready.policy.name} policy "
                    f"version {ready.policy.version}.", markup=False, soft_wrap=True)
        if not keyed and config.audit_key_path.exists():
            out().print(f"The audit chain's key is in {config.audit_key_path}: back it up, "
                        f"apart from the database's backups (docs/audit-chain.md).",
                        markup=False, soft_wrap=True)


def sweep(as_of: str | None = typer.Option(
        None, "--as-of", help="Fire timers due on or before this day, YYYY-MM-DD (default today, "
                              "Europe/London)."),
          as_json: bool = JsonFlag) -> None:
    """Fire every durable timer that is due: the `sweep` flow with a Prefect server, the same
    steps without Prefect when none is configured (PREFECT_API_URL)."""
    with handled():
        # Not after today: a day ahead would breach, escalate and destroy what is not yet due.
        day = parse_past_date(as_of, "--as-of", clock.today()) if as_of else None
        ready = open_store()
        if prefect_server() is None:  # no temporary server for one sweep (adapters/cli/serverless)
            totals = sweep_here(ready, day, ready.settings.batch_size)
        else:
            quiet_prefect()
            from oversight.workflows.flows.operations import sweep as sweep_flow
            from oversight.workflows.simulation.runs import without_heartbeat

            with without_heartbeat(), busy("Sweeping: firing the timers that are due"):
                totals = sweep_flow(as_of=day, batch_size=ready.settings.batch_size)
    if as_json:
        print_json(totals)
        return
    out().print(f"Swept: {totals['fired']} timer(s) fired in {totals['batches']} batch(es), "
                f"{totals['tasks_opened']} task(s) opened, {totals['tasks_breached']} breached"
                + (f", {totals['failed']} failed (they stay due)" if totals["failed"] else "")
                + ".", markup=False)


def dispatch(as_json: bool = JsonFlag) -> None:
    """Deliver undelivered task messages to the receivers: the `dispatch` flow with a Prefect
    server, the same steps without Prefect when none is configured (PREFECT_API_URL)."""
    with handled():
        ready = open_store()
        if prefect_server() is None:  # no temporary server for one run (adapters/cli/serverless)
            totals = dispatch_here(ready, 1000)
        else:
            quiet_prefect()
            from oversight.workflows.flows.operations import dispatch as dispatch_flow
            from oversight.workflows.simulation.runs import without_heartbeat

            with without_heartbeat(), busy("Dispatching: delivering task messages"):
                totals = dispatch_flow(batch_size=1000)
    if as_json:
        print_json({**totals, "file": str(ready.settings.outbox_file)})
        return
    from oversight.adapters.cli.dispatch_summary import dispatch_lines

    for line in dispatch_lines(totals, ready.settings):
        out().print(line, markup=False, soft_wrap=True)


def serve() -> None:
    """Serve the sweep (daily at 06:00 and hourly) and dispatch (every minute) flows."""
    with handled():
        ready = open_store()
    import prefect.settings
    from prefect import serve as prefect_serve

    from oversight.workflows.flows.deployments import deployments

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
