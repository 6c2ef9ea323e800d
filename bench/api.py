"""The API benchmark: ``python -m bench.api`` (``make bench``).

Starts ``oversight api`` (uvicorn) on a loopback port over a fresh SQLite store (the embedded
default), then has ``--clients`` threads, each with its own ``httpx`` client, post
``--events`` ``supervision_held`` events each for their own supervisee, one request at a time,
as a receiving system would. Prints the events accepted per second (applied, answered 201) over
the whole run and the latency percentiles of the requests (p50, p99, max), and checks that the
store holds every event exactly once. Bounded: it stops posting after ``--seconds``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def build_store(home: Path, clients: int) -> str:
    """A Surrey store with a team manager and one relationship per client; a system token."""
    from oversight.adapters.store import inbound
    from oversight.adapters.store.unit_of_work import SqlUnitOfWork
    from oversight.states.directory import StaffMember
    from oversight.states.events.registry import parse_event
    from oversight.workflows.bootstrap import initialise
    from oversight.workflows.settings import Settings

    app = initialise(Settings(home=home, database_url=f"sqlite:///{home / 'oversight.db'}"),
                     "surrey")
    workers = [f"b{n}" for n in range(clients)]
    with SqlUnitOfWork(app.engine) as uow:
        uow.upsert_staff([StaffMember("tm1", "manager", date(2018, 4, 3), None,
                                      date(2012, 7, 1))]
                         + [StaffMember(w, "qualified_social_worker", date(2021, 9, 1), "tm1",
                                        date(2020, 7, 1)) for w in workers])
        uow.commit()
    app.service.record_all([parse_event({"type": "relationship_started", "on": "2026-01-05",
                                         "supervisor": "tm1", "supervisee": w})
                            for w in workers], now=NOW)
    with SqlUnitOfWork(app.engine) as uow:
        _, secret = inbound.create_token(uow.connection, role="system", person="bench", now=NOW)
        uow.commit()
    app.engine.dispose()
    return secret


def serve(home: Path) -> tuple[subprocess.Popen[str], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(home), PYTHONPATH=str(REPO))
    server = subprocess.Popen([str(Path(sys.executable).parent / "oversight"), "api",
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    reason = server.stderr.read() if server.stderr else ""
    raise SystemExit(f"oversight api did not start: {reason}")


def client(url: str, secret: str, worker: str, events: int, stop_at: float,
           latencies: list[float], statuses: list[int]) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"},
                      timeout=60) as http:
        for k in range(events):
            if time.monotonic() > stop_at:
                return
            body = {"type": "supervision_held", "supervisor": "tm1", "supervisee": worker,
                    "on": (date(2026, 1, 6) + timedelta(days=k % 3000)).isoformat(),
                    "event_id": f"bench-{worker}-{k}"}
            started = time.perf_counter()
            try:
                status = http.post("/v1/events", json=body).status_code
            except httpx.HTTPError:
                status = 0
            latencies.append(time.perf_counter() - started)
            statuses.append(status)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--events", type=int, default=250, help="events per client")
    parser.add_argument("--seconds", type=float, default=120, help="stop posting after this")
    args = parser.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="oversight-bench-api-"))
    server = None
    try:
        secret = build_store(home, args.clients)
        server, url = serve(home)
        latencies: list[list[float]] = [[] for _ in range(args.clients)]
        statuses: list[list[int]] = [[] for _ in range(args.clients)]
        stop_at = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(url, secret, f"b{n}", args.events,
                                                         stop_at, latencies[n], statuses[n]))
                   for n in range(args.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
    every = [x for found in latencies for x in found]
    codes = [x for found in statuses for x in found]
    accepted = codes.count(201)
    held = _events_held(home)
    shutil.rmtree(home, ignore_errors=True)
    print(f"API: {args.clients} clients x {args.events} events (supervision_held) to "
          f"`oversight api` on SQLite, loopback")
    print(f"  accepted {accepted} of {len(codes)} in {took:.2f} s: "
          f"{accepted / took:.0f} events/s")
    print(f"  latency p50 {percentile(every, 0.50) * 1000:.1f} ms, "
          f"p99 {percentile(every, 0.99) * 1000:.1f} ms, max {max(every) * 1000:.1f} ms")
    print(f"  refused or failed: {len(codes) - accepted}; in the store: {held} "
          f"(each once: {held == accepted})")
    print(f"  mean {statistics.fmean(every) * 1000:.1f} ms")
    return 0 if accepted == len(codes) == held else 1


def _events_held(home: Path) -> int:
    import sqlite3

    with sqlite3.connect(home / "oversight.db") as connection:
        return connection.execute(
            "SELECT count(*) FROM processed_events WHERE event_id LIKE 'bench-%'").fetchone()[0]


if __name__ == "__main__":
    raise SystemExit(main())
