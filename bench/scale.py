"""The benchmark at scale: ``python -m bench.scale [--size full|quick|tiny]``.

1. Builds synthetic stores with ``oversight synth``'s builder
   (:mod:`oversight.workflows.simulation.population`):
   England (400,000 children, 60,000 staff in 150 authorities) on SQLite and on PostgreSQL,
   and one large authority (10,000 children, 1,500 staff).
2. Sweeps one working day of England (Tuesday 2 June 2026, the day after the store's date) in
   fresh processes: on SQLite, and on PostgreSQL with 1, 2 and 4 sweepers at once, each on a
   fresh copy; and the same due-timer reads and writes by a plain SQL script (no framework).
3. Sweeps every day of a year (2 June 2026 to 1 June 2027) for the large authority.

Each sweep is ``sweep_day``'s loop (``fire_due_batch`` without Prefect: claim a batch of 500,
fire it in one transaction, repeat). Memory is the peak resident set of the sweeping process.
PostgreSQL runs with its durable defaults (fsync, synchronous commit); a server is started in a
temporary folder if ``--postgres`` (or OVERSIGHT_BENCH_POSTGRES_URL) names none.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.figures import Figure, write_figures

REPO = Path(__file__).resolve().parent.parent
DAY = date(2026, 6, 2)
"""The working day swept: a Tuesday, the day after the synthetic store's date."""
NOW = datetime(2026, 6, 2, 5, 0, tzinfo=UTC)
BATCH = 500


@dataclass(frozen=True)
class Size:
    national: tuple[int, int, int]
    """Authorities, staff, children."""
    authority: tuple[int, int, int]
    days: int


SIZES = {"full": Size((150, 60_000, 400_000), (1, 1_500, 10_000), 365),
         "quick": Size((10, 3_000, 20_000), (1, 300, 2_000), 365),
         "tiny": Size((2, 300, 2_000), (1, 150, 1_000), 30)}
FIGURES: list[Figure] = []
"""Every sweep row's figure, for ``--figures`` (``python -m bench``)."""
FAILED: list[str] = []
"""Steps that failed (the rest still run): what, and the last line of its error."""


def _or_failed(what: str, step: Any) -> dict[str, Any] | None:
    """``step()``'s figures, or None with the failure noted (the table says FAILED)."""
    try:
        return dict(step())
    except SystemExit as error:
        FAILED.append(f"{what}: {(str(error).strip().splitlines() or ['?'])[-1]}")
        return None


def _failed_row(what: str, store: str) -> tuple[str, ...]:
    return (what, store, "", "", "", "", "", "", f"FAILED: {FAILED[-1].split(': ', 1)[-1]}")


# ----- a PostgreSQL server if none is given ----------------------------------------------------

@contextmanager
def postgres_server(workdir: Path) -> Iterator[str]:
    """A throwaway server with PostgreSQL's durable defaults, stopped on exit."""
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not bindir:
        raise SystemExit("no PostgreSQL: apt-get install postgresql, or pass --postgres URL")
    bin_ = bindir[-1]
    folder = Path(tempfile.mkdtemp(prefix="oversight-bench-pg-", dir=workdir))
    run_as: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*run_as, str(bin_ / "initdb"), "-D", str(folder / "data"), "-U", "oversight",
                    "--auth=trust", "--no-locale", "-E", "UTF8"], check=True, cwd=folder,
                   capture_output=True)
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c shared_buffers=2GB "
               f"-c max_wal_size=8GB -c checkpoint_timeout=30min -c max_connections=50")
    subprocess.run([*run_as, str(bin_ / "pg_ctl"), "-D", str(folder / "data"), "-l",
                    str(folder / "server.log"), "-w", "-o", options, "start"], check=True,
                   cwd=folder, capture_output=True)
    try:
        yield f"postgresql+psycopg://oversight@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(bin_ / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast",
                        "stop"], cwd=folder, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _admin(server: str, sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


def _database(server: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server).set(database=name).render_as_string(hide_password=False)


# ----- steps, each in a fresh process ------------------------------------------------------------

def _child(*args: str) -> dict[str, Any]:
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    done = subprocess.run([sys.executable, "-m", "bench.scale", *args], cwd=REPO, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench.scale {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build(url: str, people: tuple[int, int, int], offsets: int = 28) -> dict[str, Any]:
    """``oversight synth`` into an empty store: schema by Alembic, rows by bulk insert."""
    from oversight.workflows.bootstrap import initialise
    from oversight.workflows.settings import Settings
    from oversight.workflows.simulation.population import Population, build_templates, synthesise

    started = time.perf_counter()
    app = initialise(Settings(database_url=url), "surrey")
    app.engine.dispose()
    templates = build_templates(offsets)
    personas = time.perf_counter() - started
    counts = synthesise(url, Population(*people), templates, offsets)
    return {**counts, "seconds": time.perf_counter() - started, "persona_seconds": personas,
            "rss_mb": _rss()}


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sweep(url: str, first: date, days: int, go: str | None) -> dict[str, Any]:
    """``sweep_day``'s loop for each of ``days`` days from ``first``; the figures."""
    from oversight.workflows.flows.operations import app_for
    from oversight.workflows.recording.sweeping import sweep_due

    service = app_for(url).service
    rss_before = _rss()
    if go:
        print(json.dumps({"ready": True}), flush=True)
        while not Path(go).exists():
            time.sleep(0.001)
    started = time.perf_counter()
    fired = failed = batches = 0
    for n in range(days):
        day = first + timedelta(days=n)
        now = datetime.combine(day, NOW.timetz())
        totals = sweep_due(service, day, now=now, batch_size=BATCH, say=lambda error: None)
        fired, failed = fired + totals["fired"], failed + totals["failed"]
        batches += totals["batches"]
    return {"fired": fired, "failed": failed, "batches": batches,
            "seconds": time.perf_counter() - started, "rss_before_mb": rss_before,
            "rss_mb": _rss(), "ended": time.time()}


def plain(url: str, day: date) -> dict[str, Any]:
    """The same due-timer reads and writes with no framework: claim a batch of due timers;
    per timer read the entity, write it back, delete the timer, add an audit row, mark its task
    breached, read the task and add an outbox message; commit per batch."""
    postgres = not url.startswith("sqlite")
    if postgres:
        import psycopg
        from sqlalchemy.engine import make_url

        db: Any = psycopg.connect(make_url(url).set(drivername="postgresql")
                                  .render_as_string(hide_password=False))
        mark, lock = "%s", " FOR UPDATE SKIP LOCKED"
    else:
        db = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        mark, lock = "?", ""

    def q(sql: str) -> str:
        return sql.replace("?", mark)

    now = NOW.isoformat()
    started = time.perf_counter()
    fired = 0
    cursor = db.cursor()
    seq = None  # outbox.seq (issue 5): PostgreSQL numbers rows itself, SQLite's writer does
    if not postgres and any(c[1] == "seq" for c in db.execute("PRAGMA table_info(outbox)")):
        seq = db.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0]
    while True:
        if not postgres:
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(q("SELECT id, entity_kind, entity_id, name, fires_on FROM timers"
                         " WHERE fires_on <= ? ORDER BY fires_on, id LIMIT ?" + lock),
                       (day.isoformat(), BATCH))
        page = cursor.fetchall()
        if not page:
            db.commit() if postgres else cursor.execute("COMMIT")
            break
        for timer_id, kind, ident, name, on in page:
            cursor.execute(q("SELECT state, version, data FROM entities WHERE kind = ? AND id = ?"),
                           (kind, ident))
            state, version, data = cursor.fetchone()
            data = json.loads(data) if isinstance(data, str) else data
            cursor.execute(q("UPDATE entities SET version = ?, data = ?, updated_on = ?"
                             " WHERE kind = ? AND id = ? AND version = ?"),
                           (version + 1, json.dumps(data), str(on), kind, ident, version))
            cursor.execute(q("DELETE FROM timers WHERE id = ?"), (timer_id,))
            cursor.execute(q('INSERT INTO audit (entity_kind, entity_id, source, dest, "trigger",'
                             ' cause, "on", recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
                           (kind, ident, state, state, "breach", f"timer:{name}", str(on), now))
            task = f"{kind}:{ident}:{name.removeprefix('task:')}"
            cursor.execute(q("UPDATE tasks SET state = 'breached', breached_on = ? WHERE id = ?"),
                           (str(on), task))
            cursor.execute(q("SELECT id, type, assignee, due FROM tasks WHERE id = ?"), (task,))
            row = cursor.fetchone()
            message = {"id": f"{task}|breached|{on}", "data": [str(v) for v in row or ()]}
            values = (str(hash(message["id"])), task, "breached", json.dumps(message), now, now)
            if seq is None:
                cursor.execute(q("INSERT INTO outbox (id, task_id, type, message, created_at,"
                                 " status, attempts, next_attempt_at)"
                                 " VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)"), values)
            else:
                seq += 1
                cursor.execute("INSERT INTO outbox (id, task_id, type, message, created_at,"
                               " status, attempts, next_attempt_at, seq)"
                               " VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)", (*values, seq))
            fired += 1
        db.commit() if postgres else cursor.execute("COMMIT")
    db.close()
    return {"fired": fired, "seconds": time.perf_counter() - started, "rss_mb": _rss()}


# ----- the report ------------------------------------------------------------------------------

def _due(url: str, day: date) -> tuple[int, int]:
    from sqlalchemy import func, select

    from oversight.adapters.store import tables as t
    from oversight.adapters.store.database import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        due = connection.execute(select(func.count()).select_from(t.timers)
                                 .where(t.timers.c.fires_on <= day)).scalar_one()
        total = connection.execute(select(func.count()).select_from(t.timers)).scalar_one()
    engine.dispose()
    return due, total


def _sweepers(url: str, count: int, first: date, days: int, workdir: Path) -> dict[str, Any]:
    """``count`` sweeper processes started together; wall time from the start to the last."""
    go = workdir / f"go-{time.time_ns()}"
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    procs = [subprocess.Popen([sys.executable, "-m", "bench.scale", "_sweep", url,
                               first.isoformat(), str(days), str(go)], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(count)]
    for proc in procs:
        assert proc.stdout is not None
        json.loads(proc.stdout.readline())
    go.touch()
    started = time.time()
    results = []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"sweeper failed:\n{err[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    go.unlink()
    return {"fired": sum(r["fired"] for r in results), "failed": sum(r["failed"] for r in results),
            "seconds": max(r["ended"] for r in results) - started,
            "rss_mb": max(r["rss_mb"] for r in results),
            "split": [r["fired"] for r in results]}


def _sqlite_copy(source: Path, target: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--postgres", default=os.environ.get("OVERSIGHT_BENCH_POSTGRES_URL"),
                        help="a PostgreSQL server URL (any database on it) to build on")
    parser.add_argument("--dir", type=Path, default=REPO / ".oversight" / "bench-scale")
    parser.add_argument("--keep", action="store_true", help="keep the built stores")
    parser.add_argument("--figures", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    workdir: Path = args.dir
    workdir.mkdir(parents=True, exist_ok=True)

    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 150))
    with (postgres_server(workdir) if not args.postgres else _given(args.postgres)) as server:
        rows = _measure(size, server, workdir, args.keep, console)
    table = Table(title=f"oversight at scale ({args.size}): {_machine()}")
    for column in ("what", "store", "rows / due", "fired", "seconds", "timers/s", "× plain",
                   "peak RSS MB", "target"):
        table.add_column(column, justify="right" if column not in ("what", "store") else "left")
    for row in rows:
        table.add_row(*row) if row else table.add_section()
    console.print(table)
    if args.size != "full":  # the targets are England's and a large authority's, not these
        FIGURES[:] = [replace(f, target=None, what=f"{f.what} [{args.size} size]")
                      for f in FIGURES]
    write_figures(args.figures, FIGURES)
    for failure in FAILED:
        console.print(f"FAILED {failure}", markup=False)
    if FAILED:
        raise SystemExit(1)


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


def _machine() -> str:
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.machine()}, {cores} cores, {memory:.0f} GiB, Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def _measure(size: Size, server: str, workdir: Path, keep: bool, console: Any) -> list[Any]:
    rows: list[Any] = []
    nation_db = workdir / "nation.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{nation_db}{suffix}").unlink(missing_ok=True)
    a, s, c = size.national
    people = f"{c:,} children, {s:,} staff, {a} authorities"

    console.print(f"building England on SQLite ({people})…")
    built = _child("_build", f"sqlite:///{nation_db}", str(a), str(s), str(c))
    rows.append(("build: England", "SQLite", f"{built['entities']:,} entities, "
                 f"{built['timers']:,} timers", "", f"{built['seconds']:.0f}", "",
                 "", f"{built['rss_mb']:.0f}", ""))
    _admin(server, "DROP DATABASE IF EXISTS bench_nation WITH (FORCE)")
    _admin(server, "CREATE DATABASE bench_nation")
    nation_pg = _database(server, "bench_nation")
    console.print("building England on PostgreSQL…")
    built_pg = _child("_build", nation_pg, str(a), str(s), str(c))
    rows.append(("build: England", "PostgreSQL", f"{built_pg['tasks']:,} tasks, "
                 f"{built_pg['audit']:,} audit", "", f"{built_pg['seconds']:.0f}", "", "",
                 f"{built_pg['rss_mb']:.0f}", ""))
    due, total = _due(f"sqlite:///{nation_db}", DAY)
    share = f"{due:,} due ({due / total:.1%} of timers)"
    rows.append(None)

    console.print(f"sweeping England's day on SQLite ({due:,} due)…")
    copy = _sqlite_copy(nation_db, workdir / "nation-run.db")
    plain_sqlite = _child("_plain", copy, DAY.isoformat())
    copy = _sqlite_copy(nation_db, workdir / "nation-run.db")
    one = _sweepers(copy, 1, DAY, 1, workdir)
    rows.append(_row("England, one working day", "SQLite, 1 sweeper", share, one, plain_sqlite,
                     15))
    rows.append(_row("  plain SQL, same reads/writes", "SQLite", share, plain_sqlite, None, None))
    Path(copy.removeprefix("sqlite:///")).unlink()

    plain_pg = None
    for count in (1, 2, 4):
        console.print(f"sweeping England's day on PostgreSQL, {count} sweeper(s)…")
        _admin(server, "DROP DATABASE IF EXISTS bench_run WITH (FORCE)")
        _admin(server, "CREATE DATABASE bench_run TEMPLATE bench_nation STRATEGY FILE_COPY")
        run = _database(server, "bench_run")
        if plain_pg is None:
            plain_pg = _child("_plain", run, DAY.isoformat())
            _admin(server, "DROP DATABASE bench_run WITH (FORCE)")
            _admin(server, "CREATE DATABASE bench_run TEMPLATE bench_nation STRATEGY FILE_COPY")
        where = f"PostgreSQL, {count} sweeper{'s' if count > 1 else ''}"
        result = _or_failed(f"England's day, {where}",
                            lambda: _sweepers(run, count, DAY, 1, workdir))  # noqa: B023
        if result is None:
            rows.append(_failed_row("England, one working day", where))
            continue
        rows.append(_row("England, one working day", where, share + (
                             f"; split {result['split']}" if count > 1 else ""),
                         result, plain_pg, 10 if count == 2 else None))
    assert plain_pg is not None  # measured before the first PostgreSQL sweep
    rows.append(_row("  plain SQL, same reads/writes", "PostgreSQL", share, plain_pg, None, None))
    _admin(server, "DROP DATABASE IF EXISTS bench_run WITH (FORCE)")
    if not keep:
        _admin(server, "DROP DATABASE IF EXISTS bench_nation WITH (FORCE)")
        nation_db.unlink(missing_ok=True)
    rows.append(None)

    a, s, c = size.authority
    console.print(f"a year of one large authority ({c:,} children, {s:,} staff)…")
    la_db = workdir / "authority.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{la_db}{suffix}").unlink(missing_ok=True)
    built = _child("_build", f"sqlite:///{la_db}", str(a), str(s), str(c))
    timers = built["timers"]
    rows.append(("build: one authority", "SQLite", f"{built['entities']:,} entities, "
                 f"{timers:,} timers", "", f"{built['seconds']:.1f}", "", "",
                 f"{built['rss_mb']:.0f}", ""))
    day = _sweepers(_sqlite_copy(la_db, workdir / "authority-day.db"), 1, DAY, 1, workdir)
    rows.append(_row("one authority, one working day", "SQLite, 1 sweeper",
                     f"{_due(f'sqlite:///{la_db}', DAY)[0]:,} due", day, None, None))
    year = _sweepers(f"sqlite:///{la_db}", 1, DAY, size.days, workdir)
    rows.append(_row(f"one authority, {size.days} days swept", "SQLite, 1 sweeper",
                     f"{timers:,} timers at the start", year, None, 300))
    _admin(server, "DROP DATABASE IF EXISTS bench_authority WITH (FORCE)")
    _admin(server, "CREATE DATABASE bench_authority")
    la_pg = _database(server, "bench_authority")
    _child("_build", la_pg, str(a), str(s), str(c))
    year_pg = _or_failed("one authority's year, PostgreSQL",
                         lambda: _sweepers(la_pg, 1, DAY, size.days, workdir))
    rows.append(_failed_row(f"one authority, {size.days} days swept", "PostgreSQL, 1 sweeper")
                if year_pg is None else
                _row(f"one authority, {size.days} days swept", "PostgreSQL, 1 sweeper",
                     f"{timers:,} timers at the start", year_pg, None, 300))
    _admin(server, "DROP DATABASE IF EXISTS bench_authority WITH (FORCE)")
    if not keep:
        for path in workdir.glob("authority*.db*"):
            path.unlink()
    return rows


def _row(what: str, store: str, due: str, result: dict[str, Any], plain: dict[str, Any] | None,
         target: float | None) -> tuple[str, ...]:
    seconds = result["seconds"]
    ratio = f"{seconds / plain['seconds']:.1f}" if plain else "-"
    verdict = "" if target is None else (
        f"< {target:.0f} s: {'met' if seconds < target else 'MISSED'}")
    FIGURES.append(Figure("scale", f"{what.strip()}: {store}, {due}", seconds, "s",
                          higher_is_better=False, target=target,
                          floor=plain["seconds"] if plain else None,
                          floor_name="plain SQL, same reads/writes" if plain else None,
                          peak_rss_mb=result["rss_mb"],
                          note=f"{result['fired']:,} fired"))
    return (what, store, due, f"{result['fired']:,}", f"{seconds:.1f}",
            f"{result['fired'] / seconds:,.0f}" if seconds else "-", ratio,
            f"{result['rss_mb']:.0f}", verdict)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "_build":
        url, people = sys.argv[2], tuple(int(v) for v in sys.argv[3:6])
        print(json.dumps(build(url, people)))  # type: ignore[arg-type]
    elif command == "_sweep":
        print(json.dumps(sweep(sys.argv[2], date.fromisoformat(sys.argv[3]), int(sys.argv[4]),
                               sys.argv[5] if len(sys.argv) > 5 else None)))
    elif command == "_plain":
        print(json.dumps(plain(sys.argv[2], date.fromisoformat(sys.argv[3]))))
    else:
        main()
