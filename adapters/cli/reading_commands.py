"""``oversight status``, ``tasks``, ``history``, ``why`` and ``diagram``: reading the store.

None of them changes anything; each reads through ``workflows.queries`` (the read models the API
and the dashboard use too). Registered on the app by :func:`register`.
"""

from __future__ import annotations

from datetime import date

import typer

from oversight.adapters import clock
from oversight.adapters.cli.console import JsonFlag, fail, handled, not_after, out, print_json
from oversight.adapters.cli.first_use import program
from oversight.adapters.cli.operator_reads import log_read
from oversight.adapters.cli.runtime import open_reader


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command()(status)
    app.command()(tasks)
    app.command()(history)
    app.command()(why)
    app.command()(diagram)


def status(as_json: bool = JsonFlag,
           timers: int = typer.Option(10, "--timers", min=0, help="How many next timers to show.")
           ) -> None:
    """Entities by kind and state, the next timers to fire, tasks and messages by state."""
    from oversight.workflows.reads import queries
    with handled():
        ready = open_reader()  # a read: no service, machines or Alembic to load
        found = queries.store_status(ready.store, timers=timers)
        policy = ready.policy_header()
        entities, upcoming, task_states, outbox = (found.entities, found.upcoming, found.tasks,
                                                   found.messages)
        # The next timers name lifecycles (relationship:tm1:sw1): a read of those records.
        log_read(ready.store, "status", [f"{t['entity_kind']}:{t['entity_id']}"
                                         for t in upcoming])
    if as_json:
        print_json({"policy": policy.authority,
                    "entities": [{"kind": k, "state": s, "count": c} for k, s, c in entities],
                    "next_timers": [{"entity": f"{t['entity_kind']}:{t['entity_id']}",
                                     "timer": t["name"], "fires_on": t["fires_on"].isoformat()}
                                    for t in upcoming],
                    "tasks": task_states, "messages": outbox})
        return
    from oversight.adapters.cli import views  # rich's tables: not for --json

    console = out()
    console.print(f"Store {ready.settings.redacted_url()}, {policy.name} policy "
                  f"version {policy.version}", markup=False, soft_wrap=True)
    for table in views.status_tables(entities, upcoming, task_states, outbox):
        console.print(table)


def tasks(
    open_only: bool = typer.Option(False, "--open", help="Only tasks still open."),
    breached: bool = typer.Option(False, "--breached", help="Tasks whose deadline passed before "
                                  "they were met, whether or not met later (the report's "
                                  "breached)."),
    overdue: bool = typer.Option(False, "--overdue", help="Tasks not met and past due today."),
    as_of: str | None = typer.Option(None, "--as-of", help="For --breached and --overdue: the "
                                     "day to judge on, YYYY-MM-DD (default: today, or the "
                                     "store's last day if later)."),
    as_json: bool = JsonFlag,
) -> None:
    """Tasks the rules raised, with who they are for, when they are due and which rule."""
    from oversight.workflows.reads import queries
    if open_only + breached + overdue > 1:
        fail("choose one of --open, --breached and --overdue")
    states = ["open"] if open_only else None
    with handled():
        ready = open_reader()  # a read: no service, machines or Alembic to load
        rows = queries.tasks(ready.store, states=states)
        if breached or overdue:
            from oversight.workflows.reads.compliance import store_today  # brings the event models

            latest = store_today(ready.store, clock.now())
            today = not_after(_day_of(as_of), "--as-of", latest) if as_of else latest
            test = queries.breached if breached else queries.overdue
            rows = [row for row in rows if test(row, today)]
        log_read(ready.store, "tasks", [row["entity"] for row in rows])
    if as_json:
        print_json(rows)
        return
    from oversight.adapters.cli import views

    title = ("Open tasks" if open_only else "Breached tasks" if breached else
             "Overdue tasks" if overdue else "Tasks")
    out().print(views.tasks_table(rows, f"{title} ({len(rows)})"))


def history(entity: str = typer.Argument(
        ..., help="KIND:ID, e.g. assessment:c1, asye:sw1 or relationship:tm1:sw1."),
            as_json: bool = JsonFlag) -> None:
    """The audit trail of one entity: every transition, with the rule that caused it."""
    from oversight.states.machines import KINDS
    from oversight.states.values import EntityRef
    from oversight.workflows.reads import queries
    try:
        ref = EntityRef.parse(entity)
    except ValueError:
        fail(f"{entity!r}: write KIND:ID, e.g. assessment:c1 (kinds: {', '.join(KINDS)})")
    if ref.kind not in KINDS:
        fail(f"no kind {ref.kind!r}; kinds are {', '.join(KINDS)}")
    with handled():
        ready = open_reader()  # a read: no service or policies to load
        store = ready.store
        if not queries.entity_exists(store, ref):
            fail(f"no {ref} in the store; `{program()} status` shows what it holds")
        rows = queries.transitions(store, ref)
        log_read(ready.store, "history", [str(ref)])
    if as_json:
        print_json(rows)
        return
    from oversight.adapters.cli import views

    out().print(views.history_table(str(ref), rows))


def why(task_id: str = typer.Argument(..., help="A task id, as `oversight tasks` lists them."),
        as_json: bool = JsonFlag) -> None:
    """Why a task exists: its rule and quote, its dates, and the arithmetic of its due date."""
    from oversight.workflows.reads import queries
    with handled():
        ready = open_reader()  # a read: no service, machines or policies to load
        found = queries.task(ready.store, task_id)
        if found is not None:
            log_read(ready.store, "why", [found["entity"]])
    if found is None:
        fail(f"no task {task_id!r}; `{program()} tasks` lists the task ids")
    if as_json:
        print_json(found)
        return
    from oversight.adapters.cli import views

    console = out()
    for line in views.why_lines(found):
        console.print(line, soft_wrap=True)


def diagram(kind: str = typer.Argument(
        ..., help="A lifecycle kind, e.g. assessment, asye or relationship."),
            as_json: bool = JsonFlag) -> None:
    """The state diagram of one lifecycle, in Mermaid, drawn from the machine that runs."""
    from oversight.states.diagrams import mermaid
    from oversight.states.machines import KINDS

    if kind not in KINDS:
        fail(f"no kind {kind!r}; kinds are {', '.join(KINDS)}")
    if as_json:
        print_json({"kind": kind, "mermaid": mermaid(KINDS[kind])})
        return
    typer.echo(mermaid(KINDS[kind]), nl=False)


def _day_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of {text!r}: give a day as YYYY-MM-DD")
