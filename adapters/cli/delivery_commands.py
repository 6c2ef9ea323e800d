"""``oversight deliveries`` and ``oversight adapters check`` (issue 5).

``deliveries`` lists task messages per receiver that have not gone out, with their last error
(the dead letters among them); ``deliveries retry ID|--all`` puts dead ones back and sends
them at once. ``adapters check`` tries every configured receiver without sending a task.
Registered on the main app by :func:`register`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from oversight.adapters import clock
from oversight.adapters.cli.console import JsonFlag, fail, handled, out, print_json
from oversight.adapters.cli.operator_reads import log_read
from oversight.adapters.cli.runtime import open_store
from oversight.adapters.cli.runtime import settings as load_settings

STATUSES = {"undelivered": ("pending", "dead"), "dead": ("dead",), "pending": ("pending",),
            "delivered": ("delivered",), "all": ("pending", "dead", "delivered")}
STYLES = {"dead": "red", "pending": "yellow", "delivered": "green"}

deliveries_app = typer.Typer(
    help="Task messages per receiver: what has not gone out and why; send dead letters again.",
    invoke_without_command=True)
adapters_app = typer.Typer(help="The configured receivers and their adapters.",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.add_typer(deliveries_app, name="deliveries")
    app.add_typer(adapters_app, name="adapters")


@deliveries_app.callback()
def deliveries(
    context: typer.Context,
    status: str = typer.Option("undelivered", "--status", help="undelivered (pending and dead: "
                               "the default), dead, pending, delivered or all."),
    receiver: str | None = typer.Option(None, "--receiver", help="Only this receiver."),
    limit: int = typer.Option(200, "--limit", min=1, help="At most this many rows."),
    as_json: bool = JsonFlag,
) -> None:
    """Deliveries that have not gone out (dead letters included), with their last error."""
    if context.invoked_subcommand is not None:
        return
    if status not in STATUSES:
        fail(f"--status {status!r}: choose {', '.join(STATUSES)}")
    from oversight.workflows.reads import delivery_reads
    with handled():
        ready = open_store()
        found = delivery_reads.overview(ready.deliveries, STATUSES[status], receiver=receiver,
                                        limit=limit, now=clock.now())
        rows, counts = found.rows, found.counts
        paused = [{"receiver": c.receiver, "until": _iso(c.open_until),
                   "failures": c.failures, "last_error": c.last_error} for c in found.paused]
        deadline = timedelta(hours=ready.settings.delivery.deadline_hours)
        log_read(ready.store, "deliveries", [f"task:{row['task_id']}" for row in rows])
    views = [_view(row, deadline) for row in rows]
    if as_json:
        print_json({"deliveries": views, "counts": counts, "paused": paused})
        return
    console = out()
    if views:
        console.print(_table(views, f"Deliveries: {status} ({len(views)})"))
    else:
        console.print(f"No deliveries {status}" + (f" to {receiver}" if receiver else "") + ".",
                      markup=False)
    for name, by_status in sorted(counts.items()):
        line = ", ".join(f"{count} {state}" for state, count in sorted(by_status.items()))
        console.print(f"{name}: {line}", markup=False)
    for circuit in paused:
        console.print(f"{circuit['receiver']}: PAUSED until {circuit['until']} after "
                      f"{circuit['failures']} failures in a row ({circuit['last_error']}); "
                      f"it is tried again then by itself", markup=False, soft_wrap=True)
    dead = sum(by_status.get("dead", 0) for by_status in counts.values())
    if dead:
        console.print(f"{dead} dead letter(s): messages that did not reach a receiver by their "
                      f"deadline.", markup=False)
    if any(view["status"] == "dead" for view in views):
        console.print("Send dead letters again with `oversight deliveries retry ID` or "
                      "`--all`.", markup=False)


@deliveries_app.command("retry")
def retry(
    message_id: str | None = typer.Argument(
        None, help="A message id as `oversight deliveries` lists it (a unique prefix will do)."),
    every: bool = typer.Option(False, "--all", help="Every dead delivery."),
    receiver: str | None = typer.Option(None, "--receiver", help="Only to this receiver."),
    send: bool = typer.Option(True, "--send/--no-send", help="Send now (default), or leave them "
                              "to the next dispatch run."),
    as_json: bool = JsonFlag,
) -> None:
    """Put dead deliveries back with a fresh deadline, and send them now.

    With an ID, a delivery still waiting for its next attempt is sent now as well.
    """
    if bool(message_id) == every:
        fail("give a message id or --all (see `oversight deliveries`)")
    from oversight.workflows.reads import delivery_reads
    now = clock.now()
    with handled():
        ready = open_store()
        target = _resolve(ready, message_id) if message_id else None
        count = delivery_reads.requeue(ready.deliveries, now, message_id=target,
                                       receiver=receiver)
        if count == 0:
            fail(f"nothing to retry: message {target} has no dead or waiting delivery"
                 + (f" to {receiver}" if receiver else "") if target else
                 "nothing to retry: no dead delivery" + (f" to {receiver}" if receiver else ""))
        totals = _send_now(ready, now) if send else None
    if as_json:
        print_json({"requeued": count, "sent": totals})
        return
    console = out()
    console.print(f"Put back {count} delivery(ies).", markup=False)
    if totals is not None:
        console.print(f"Sent now: {totals['delivered']} delivered, {totals['failed']} failed "
                      f"again (retried later), {totals['dead']} dead.", markup=False)
        for name, line in sorted(totals["receivers"].items()):
            if line["error"]:
                console.print(f"  {name}: {line['error']}", markup=False, soft_wrap=True)


@adapters_app.command("check")
def check(as_json: bool = JsonFlag) -> None:
    """Try every configured receiver without sending a task: HEAD for a webhook, EHLO,
    STARTTLS and login for SMTP, a writable folder for files, apprise's check for chat."""
    from oversight.adapters.delivery.receivers import build_deliverer
    from oversight.workflows.reads.receivers import describe_target

    with handled():
        settings = load_settings()  # no store needed: only the settings
        results = []
        for name, config in settings.receiver_settings().items():
            line = {"receiver": name, "adapter": config.adapter,
                    "target": describe_target(config, settings), "ok": False, "detail": ""}
            deliverer = None
            try:
                deliverer = build_deliverer(name, config, settings)
                line["detail"] = deliverer.check()  # type: ignore[attr-defined]  # all Checkable
                line["ok"] = True
            except Exception as error:  # a failed check is a row of the table, not a crash
                from oversight.workflows.delivery.dispatch import describe

                line["detail"] = describe(error)
            finally:
                close = getattr(deliverer, "close", None)
                if close is not None:
                    close()
            results.append(line)
    if as_json:
        print_json(results)
    else:
        table = Table(title="Receivers", title_justify="left")
        for column in ("Receiver", "Adapter", "Target", "Works", "Detail"):
            table.add_column(column, overflow="fold")
        for line in results:
            table.add_row(Text(line["receiver"]), Text(line["adapter"]), Text(line["target"]),
                          Text("yes" if line["ok"] else "NO",
                               style="green" if line["ok"] else "red"),
                          Text(line["detail"]))
        out().print(table)
    if not all(line["ok"] for line in results):
        raise typer.Exit(1)


def _resolve(ready: Any, prefix: str) -> str:
    """The full message id for an id or a unique prefix of one."""
    from oversight.workflows.reads import delivery_reads
    found = delivery_reads.message_ids(ready.deliveries, prefix)
    if prefix in found or len(found) == 1:
        return prefix if prefix in found else found[0]
    if not found:
        fail(f"no message {prefix!r} among the deliveries; `oversight deliveries` lists them")
    fail(f"{prefix!r} is the start of more than one message id: give more of it")


def _send_now(ready: Any, now: datetime) -> dict[str, Any]:
    """One dispatch run in this process, without Prefect: the operator waits for the answer."""
    from oversight.workflows.bootstrap import dispatch_here

    return dispatch_here(ready, now, ready.settings.batch_size)


def _iso(moment: datetime | None) -> str | None:
    from oversight.states.event_time import as_utc

    if moment is None:
        return None
    return as_utc(moment).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _view(row: dict[str, Any], deadline: timedelta) -> dict[str, Any]:
    from oversight.states.event_time import as_utc

    def iso(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        return as_utc(moment).replace(microsecond=0).isoformat().replace("+00:00", "Z")

    return {"message_id": row["message_id"], "receiver": row["receiver"],
            "task_id": row["task_id"], "change": row["type"].rsplit(".", 1)[-1],
            "status": row["status"], "attempts": row["attempts"],
            "next_attempt_at": iso(row["next_attempt_at"]) if row["status"] == "pending" else None,
            "gives_up_at": iso(as_utc(row["due_since"]) + deadline)
            if row["status"] == "pending" else None,
            "delivered_at": iso(row["delivered_at"]), "last_error": row["last_error"]}


def _table(views: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, title_justify="left", min_width=len(title) + 2)
    for column in ("Message", "Receiver", "Task", "Change", "Status", "Tries", "Next attempt",
                   "Gives up", "Last error"):
        table.add_column(column, overflow="fold",
                         no_wrap=column in ("Status", "Tries", "Change"))
    for view in views:
        table.add_row(*(Text("" if value is None else str(value)) for value in (
            view["message_id"], view["receiver"], view["task_id"], view["change"])),
            Text(view["status"], style=STYLES.get(view["status"], "")),
            *(Text("" if value is None else str(value)) for value in (
                view["attempts"], view["next_attempt_at"], view["gives_up_at"],
                view["last_error"])))
    return table
