"""The API benchmark: ``python -m bench.api [--size tiny|quick|full]`` (``make bench``).

Starts ``oversight api`` (uvicorn) on a loopback port over a fresh SQLite store (the embedded
default), then has ``--clients`` threads, each with its own ``httpx`` client, post
``--events`` ``supervision_held`` events each for their own supervisee, one request at a time,
as a receiving system would. Prints the events accepted per second (applied, answered 201) over
the whole run and the latency percentiles of the requests (p50, p99, max), and checks that the
store holds every event exactly once. Bounded: it stops posting after ``--seconds``.

Then one client posts ``--batch-events`` events through ``POST /v1/events/batch``, ``--batch``
events a request (each request one transaction), for other supervisees: the batch events/s.
Peak memory is the server process's own high-water mark; the server's CPU time per event (all
its threads, from ``/proc``) is printed for each phase, a figure a busy machine moves less than
events/s. The server writes events through one thread that commits what is queued together
(adapters/api/group_commit.py): its engine time per event bounds both phases.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.figures import Figure, run_child, write_figures

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


BATCH_WORKERS = 50
"""Supervisees of the batch phase: each request holds consecutive days of all of them. 50 keep
the full size's 10,000 events within 200 days of Tue 6 Jan 2026, all before today (an event
dated ahead of today is refused; 20 ran into December)."""
SIZES = {"tiny": (2, 20, 200, 100), "quick": (8, 60, 2_000, 500), "full": (8, 250, 10_000, 500)}
"""Clients, events per client, batch events in all, events per batch request."""


def build_store(home: Path, clients: int, *, url: str | None = None,
                batch_workers: int = BATCH_WORKERS) -> str:
    """A Surrey store (SQLite under ``home``, or at ``url``) with a team manager and one
    relationship per client and per batch supervisee; a system token."""
    from oversight.adapters.store import inbound
    from oversight.adapters.store.unit_of_work import SqlUnitOfWork
    from oversight.states.directory import StaffMember
    from oversight.states.events.registry import parse_event
    from oversight.workflows.bootstrap import initialise
    from oversight.workflows.settings import Settings

    app = initialise(Settings(home=home, database_url=url or f"sqlite:///{home / 'oversight.db'}"),
                     "surrey")
    workers = [f"b{n}" for n in range(clients)] + [f"bb{n}" for n in range(batch_workers)]
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert([StaffMember("tm1", "manager", date(2018, 4, 3), None,
                                      date(2012, 7, 1))]
                         + [StaffMember(w, "qualified_social_worker", date(2021, 9, 1), "tm1",
                                        date(2020, 7, 1)) for w in workers])
        uow.commit()
    app.service.record_all([parse_event({"type": "relationship_started", "on": "2026-01-05",
                                         "supervisor": "tm1", "supervisee": w})
                            for w in workers], now=NOW)
    with SqlUnitOfWork(app.engine) as uow:
        # Issued now, on the wall clock the server checks its expiry against.
        _, secret = inbound.create_token(uow.connection, role="system", person="bench",
                                         now=datetime.now(UTC))
        uow.commit()
    app.engine.dispose()
    return secret


def serve(home: Path, *, url: str | None = None, workers: int = 1
          ) -> tuple[subprocess.Popen[str], str]:
    """``oversight api`` on the store under ``home`` (or at ``url``) with ``workers``
    processes, once its health answers; its address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(home))
    if url is not None:
        env.update(OVERSIGHT_DATABASE_URL=url)
    command = [str(Path(sys.executable).parent / "oversight"), "api", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30 * workers  # each process imports the app
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    reason = server.stderr.read() if server.stderr else ""
    raise SystemExit(f"oversight api --workers {workers} did not start: {reason}")


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


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system, all threads; Linux ``/proc``), 0 elsewhere:
    on a shared machine, CPU per event holds where events/s does not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def post_batches(url: str, secret: str, total: int, size: int) -> dict[str, Any]:
    """``total`` events in requests of ``size``, one request at a time; events/s and latency."""
    events = []
    for k in range(total // BATCH_WORKERS + 1):
        on = (date(2026, 1, 6) + timedelta(days=k)).isoformat()
        events += [{"type": "supervision_held", "supervisor": "tm1", "supervisee": f"bb{n}",
                    "on": on, "event_id": f"bulk-{n}-{k}"} for n in range(BATCH_WORKERS)]
    events = events[:total]
    latencies, applied, refused = [], 0, 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"},
                      timeout=120) as http:
        started = time.perf_counter()
        for first in range(0, len(events), size):
            began = time.perf_counter()
            answer = http.post("/v1/events/batch", json={"events": events[first:first + size]})
            latencies.append(time.perf_counter() - began)
            if answer.status_code == 200:
                applied += answer.json()["applied"]
            else:
                if not refused:
                    print(f"batch refused ({answer.status_code}): {answer.text[:500]}",
                          file=sys.stderr)
                refused += 1
        took = time.perf_counter() - started
    return {"applied": applied, "refused_requests": refused, "seconds": took,
            "per_second": applied / took, "p50": percentile(latencies, 0.5),
            "p99": percentile(latencies, 0.99)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--clients", type=int)
    parser.add_argument("--events", type=int, help="events per client")
    parser.add_argument("--batch-events", type=int, help="events posted in batches, in all")
    parser.add_argument("--batch", type=int, help="events per batch request (at most 1,000)")
    parser.add_argument("--seconds", type=float, default=120, help="stop posting after this")
    parser.add_argument("--figures", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    clients, per_client, batch_events, batch = SIZES[args.size]
    clients, per_client = args.clients or clients, args.events or per_client
    batch_events, batch = args.batch_events or batch_events, args.batch or batch

    home = Path(tempfile.mkdtemp(prefix="oversight-bench-api-"))
    server = None
    server_rss = cpu_single = cpu_batched = 0.0
    try:
        secret = build_store(home, clients)
        shutil.copyfile(home / "oversight.db", home / "floor-template.db")
        server, url = serve(home)
        latencies: list[list[float]] = [[] for _ in range(clients)]
        statuses: list[list[int]] = [[] for _ in range(clients)]
        stop_at = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(url, secret, f"b{n}", per_client,
                                                         stop_at, latencies[n], statuses[n]))
                   for n in range(clients)]
        cpu_before = cpu_seconds(server.pid)
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
        cpu_single = cpu_seconds(server.pid) - cpu_before
        batched = post_batches(url, secret, batch_events, batch)
        cpu_batched = cpu_seconds(server.pid) - cpu_before - cpu_single
    finally:
        if server is not None:
            server.terminate()
            try:
                _, _, usage = os.wait4(server.pid, 0)  # the server's own peak resident set
                server.returncode = 0
                server_rss = usage.ru_maxrss / 1024
            except ChildProcessError:
                server.wait(timeout=15)
    every = [x for found in latencies for x in found]
    codes = [x for found in statuses for x in found]
    accepted = codes.count(201)
    held = _events_held(home, "bench-%")
    held_batched = _events_held(home, "bulk-%")
    floor_single = _floor(home, "single", clients, per_client)
    floor_batched = _floor(home, "batched", BATCH_WORKERS, batch_events, batch)
    shutil.rmtree(home, ignore_errors=True)
    p50, p99 = percentile(every, 0.50) * 1000, percentile(every, 0.99) * 1000
    print(f"API: {clients} clients x {per_client} events (supervision_held) to "
          f"`oversight api` on SQLite, loopback")
    print(f"  accepted {accepted} of {len(codes)} in {took:.2f} s: "
          f"{accepted / took:.0f} events/s")
    print(f"  latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(every) * 1000:.1f} ms")
    print(f"  refused or failed: {len(codes) - accepted}; in the store: {held} "
          f"(each once: {held == accepted})")
    print(f"  mean {statistics.fmean(every) * 1000:.1f} ms; server CPU "
          f"{cpu_single / max(accepted, 1) * 1000:.2f} ms per event")
    print(f"batches: {batched['applied']} of {batch_events} events applied in requests of "
          f"{batch} in {batched['seconds']:.2f} s: {batched['per_second']:.0f} events/s "
          f"(request p50 {batched['p50'] * 1000:.0f} ms, p99 {batched['p99'] * 1000:.0f} ms); "
          f"in the store: {held_batched}; server CPU "
          f"{cpu_batched / max(batched['applied'], 1) * 1000:.2f} ms per event")
    print(f"server peak RSS {server_rss:.0f} MB")
    print(f"plain-SQL floor: single {floor_single['per_second']:.0f} events/s (p99 "
          f"{floor_single['p99_ms']:.1f} ms), batched {floor_batched['per_second']:.0f} events/s")
    single = f"{clients} clients x {per_client} single events"
    write_figures(args.figures, [
        Figure("api", f"API: {single}, POST /v1/events", accepted / took, "events/s",
               target=300, floor=floor_single["per_second"], floor_name=FLOOR_SINGLE,
               peak_rss_mb=server_rss, note=f"{accepted:,} accepted"),
        Figure("api", f"API: {single}, latency p99", p99, "ms", higher_is_better=False,
               target=100, floor=floor_single["p99_ms"], floor_name=FLOOR_SINGLE,
               note=f"p50 {p50:.0f} ms"),
        Figure("api", f"API: {batch_events:,} events in batches of {batch}, "
               f"POST /v1/events/batch", batched["per_second"], "events/s", target=2000,
               ratio_target=3,
               floor=floor_batched["per_second"], floor_name="same writes, executemany per batch",
               peak_rss_mb=server_rss, note=f"request p99 {batched['p99'] * 1000:.0f} ms"),
    ])
    ok = accepted == len(codes) == held and batched["applied"] == batch_events == held_batched
    print(json.dumps({"ok": ok}))
    return 0 if ok else 1


FLOOR_SINGLE = "same writes, a transaction per event, 8 threads"


def _floor(home: Path, mode: str, *numbers: int) -> dict[str, Any]:
    """:mod:`bench.event_floor` on a fresh copy of the store as it was before the server."""
    copy = home / f"floor-{mode}.db"
    shutil.copyfile(home / "floor-template.db", copy)
    done = run_child([sys.executable, "-m", "bench.event_floor", mode, str(copy),
                      *map(str, numbers)], cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"the plain-SQL floor ({mode}) failed:\n{done.stderr[-2000:]}")
    return dict(done.last_json())


def _events_held(home: Path, pattern: str) -> int:
    import sqlite3

    with sqlite3.connect(home / "oversight.db") as connection:
        return connection.execute("SELECT count(*) FROM processed_events WHERE event_id LIKE ?",
                                  (pattern,)).fetchone()[0]


if __name__ == "__main__":
    raise SystemExit(main())
