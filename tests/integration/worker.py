"""A separate process for the integration tests: ``python -m tests.integration.worker CMD URL …``.

Each command opens the store from its URL alone, as a fresh process would after a restart, and
prints one JSON line per unit of work so the test can follow (and kill) it part-way. Prefect is
not imported: the sweep loops over the application service the way ``sweep_day`` does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from oversight.adapters.store import tables as t
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import initialise, open_app
from oversight.workflows.settings import Settings
from tests.integration import team


def say(**fields: object) -> None:
    sys.stdout.write(json.dumps(fields, default=str) + "\n")
    sys.stdout.flush()


def seed(url: str, workers: int, asyes: int) -> None:
    """Create the store, add the team, record the team's events."""
    app = initialise(Settings(database_url=url), "surrey")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert(team.staff(workers, asyes))
        uow.commit()
    for raw in team.events(workers, asyes):
        app.service.record(parse_event(raw), now=team.NOW)
    with app.engine.connect() as connection:
        counts = {name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                  for name, table in (("entities", t.entities), ("timers", t.timers),
                                      ("tasks", t.tasks), ("audit", t.audit))}
    say(seeded=counts)


def sweep(url: str, as_of: date, now: datetime, batch: int, each: bool, via: str,
          go: Path | None = None) -> None:
    """Fire everything due on or before ``as_of``, a page at a time, until nothing is due:
    through the sweep flow's own loop (``sweep_day``, its Prefect batch task run as plain
    Python through ``.fn``, printing a line per batch), or straight through the service.
    With ``go``: say ready, then wait for that file (several sweepers start together)."""
    if via == "flows":
        from oversight.workflows.flows import operations as flows
        batch_body = flows.fire_due_batch.fn

        def fire_due_batch(database_url: str, day: date, at: datetime, limit: int,
                           skip: list[int]) -> dict:
            counts = batch_body(database_url, day, at, limit, skip)
            if each and counts["claimed"]:
                say(batch=counts["claimed"], fired=counts["fired"])
            return counts

        flows.fire_due_batch = fire_due_batch  # type: ignore[assignment]  # no Prefect server here
        if go is not None:
            flows.app_for(url)  # connected and ready before the start
            say(ready=True)
            while not go.exists():
                time.sleep(0.001)
        totals = flows.sweep_day(url, as_of, now, batch)
        say(done={"fired": totals["fired"], "stale": totals["stale"], "failed": totals["failed"],
                  "batches": totals["batches"]})
        return
    app = open_app(Settings(database_url=url))
    fired = stale = 0
    while page := app.service.due_timer_ids(as_of, limit=batch):
        for _, timer_id in page:
            outcome = app.service.fire(timer_id, now=now)
            fired += outcome.fired
            stale += outcome.stale
            if each:
                say(fired=timer_id)
    say(done={"fired": fired, "stale": stale})


def race(url: str, name: str, go: Path, sessions: list[str], shared: str | None) -> None:
    """Wait for the starting gun, then record supervision sessions of tm1 with w0 back to back."""
    app = open_app(Settings(database_url=url))
    items = [{"type": "supervision_held", "on": on, "supervisor": "tm1", "supervisee": "w0",
              "event_id": f"{name}-{on}"} for on in sessions]
    if shared:
        items.insert(len(items) // 2, {"type": "supervision_held", "on": shared,
                                       "supervisor": "tm1", "supervisee": "w0",
                                       "event_id": "shared"})
    events = [parse_event(item) for item in items]
    say(ready=name)
    while not go.exists():
        time.sleep(0.001)
    applied = duplicates = 0
    for event in events:
        outcome = app.service.record(event, now=datetime.now().astimezone())
        applied += outcome.applied
        duplicates += outcome.duplicates
        time.sleep(0.02)  # as a sender between deliveries: lets the rival take the lock (a late
        # record replays its entity, a long transaction; 2 ms let one writer keep the lock)
    say(done={"applied": applied, "duplicates": duplicates})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="worker")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("seed")
    p.add_argument("url")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--asyes", type=int, default=1)
    p = commands.add_parser("sweep")
    p.add_argument("url")
    p.add_argument("--as-of", type=date.fromisoformat, default=team.YEAR_END)
    p.add_argument("--now", type=datetime.fromisoformat, default=team.NOW)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--each", action="store_true", help="print a line per timer (or batch) fired")
    p.add_argument("--via", choices=("service", "flows"), default="service")
    p.add_argument("--go", type=Path, help="wait for this file before sweeping (flows only)")
    p = commands.add_parser("race")
    p.add_argument("url")
    p.add_argument("name")
    p.add_argument("go", type=Path)
    p.add_argument("--sessions", nargs="+", required=True)
    p.add_argument("--shared")
    args = parser.parse_args(argv)
    if args.command == "seed":
        seed(args.url, args.workers, args.asyes)
    elif args.command == "sweep":
        sweep(args.url, args.as_of, args.now, args.batch, args.each, args.via, args.go)
    else:
        race(args.url, args.name, args.go, args.sessions, args.shared)


if __name__ == "__main__":
    main()
