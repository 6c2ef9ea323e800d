"""The API on PostgreSQL, N processes: ``python -m bench.api_workers [--size …] [--workers 2]``.

``bench.api``'s single-event load (``--clients`` threads, each posting its own supervisee's
``supervision_held`` events one request at a time) against ``oversight api --workers N`` over a
fresh PostgreSQL database on the server named by ``OVERSIGHT_BENCH_POSTGRES_URL`` (or
``OVERSIGHT_TEST_POSTGRES_URL``); the database is dropped at the end. Prints the events accepted
per second and the latency percentiles, and checks that the store holds each event once. With
no server named, it says so and measures nothing (exit 0: SQLite is ``bench.api``'s).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from bench.api import SIZES, build_store, client, percentile, serve
from bench.figures import Figure, write_figures

if TYPE_CHECKING:
    from sqlalchemy import Engine


def _database(server: str) -> tuple[str, tuple[Engine, str]]:
    """A new empty database on ``server``: its URL, and the admin engine that drops it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from oversight.adapters.store.database import postgres_url

    admin = create_engine(make_url(postgres_url(server)), isolation_level="AUTOCOMMIT",
                          poolclass=NullPool)
    name = f"oversight_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(postgres_url(server)).set(database=name).render_as_string(
        hide_password=False), (admin, name)


def _drop(made: tuple[Engine, str]) -> None:
    from sqlalchemy import text

    admin, name = made
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _held(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(text("SELECT count(*) FROM processed_events "
                                        "WHERE event_id LIKE 'bench-%'")).scalar_one()
    engine.dispose()
    return int(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api_workers",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=120, help="stop posting after this")
    parser.add_argument("--figures", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    server_url = (os.environ.get("OVERSIGHT_BENCH_POSTGRES_URL")
                  or os.environ.get("OVERSIGHT_TEST_POSTGRES_URL"))
    if not server_url:
        print("API on PostgreSQL: no server (OVERSIGHT_BENCH_POSTGRES_URL or "
              "OVERSIGHT_TEST_POSTGRES_URL): not measured")
        write_figures(args.figures, [])
        return 0
    clients, per_client, _, _ = SIZES[args.size]
    home = Path(tempfile.mkdtemp(prefix="oversight-bench-api-workers-"))
    url, made = _database(server_url)
    server = None
    try:
        secret = build_store(home, clients, url=url, batch_workers=0)
        server, base = serve(home, url=url, workers=args.workers)
        latencies: list[list[float]] = [[] for _ in range(clients)]
        statuses: list[list[int]] = [[] for _ in range(clients)]
        stop_at = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(base, secret, f"b{n}", per_client,
                                                         stop_at, latencies[n], statuses[n]))
                   for n in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    every = [x for found in latencies for x in found]
    codes = [x for found in statuses for x in found]
    accepted, held = codes.count(201), _held(url)
    _drop(made)
    p50, p99 = percentile(every, 0.5) * 1000, percentile(every, 0.99) * 1000
    print(f"API on PostgreSQL, --workers {args.workers}: {clients} clients x {per_client} "
          f"events: accepted {accepted} of {len(codes)} in {took:.2f} s: "
          f"{accepted / took:.0f} events/s; p50 {p50:.1f} ms, p99 {p99:.1f} ms; in the store: "
          f"{held} (each once: {held == accepted})")
    write_figures(args.figures, [
        Figure("api_workers", f"API on PostgreSQL, --workers {args.workers}: {clients} clients "
               f"x {per_client} single events, POST /v1/events", accepted / took, "events/s",
               target=500, note=f"p50 {p50:.0f} ms, p99 {p99:.0f} ms"),
    ])
    ok = accepted == len(codes) == held
    print(json.dumps({"ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
