"""The sweep benchmark: ``python -m bench.sweep [--size tiny|quick|full]``.

1. Builds a SQLite store of 100,000 entities (``--size full``; quick 10,000, tiny 2,000): 60%
   Child and Family Assessments, 30% supervisory relationships, 10% ASYE journeys, with their
   timers and tasks. Each kind is created once by the real machines through the real service
   (``begin``, the same rows ``_save`` writes), then replicated under new ids with
   ``executemany``: a few seconds instead of hours.
2. Marks 0.1%, 1% and 10% of the entities as having a timer due (one timer each, spread over
   the sweep date and the two days before it, as after a weekend), on a fresh copy each time.
3. Sweeps each copy in a fresh process and measures: the application service timer by timer
   (``OversightService.due_timer_ids`` / ``.fire``), the Prefect
   ``sweep`` flow with its batch tasks (the temporary Prefect server started before the
   clock starts), and a plain ``sqlite3`` script doing the same reads and writes with no
   framework: as the issue lists them (``plain``), and with every row the service writes for an
   escalation too (``plain-same-writes``: the new task, its timer, two outbox messages), and
   those same writes batched (``plain-batched``: per batch of 500 one query per kind of row read
   and one ``executemany`` per kind written, the fastest plain ``sqlite3`` does that work: the
   floor every engine figure is compared with). ``service-batched`` is ``sweep_day``'s loop
   (``fire_due``: a claimed batch of 500 per transaction) without Prefect around it.
4. Sweeps 1,000 due timers in stores of 10,000 and 100,000 entities: time and memory should not
   follow the store's size.

Memory: ``ru_maxrss`` of the sweeping process (peak resident set, the interpreter included) and
the ``tracemalloc`` peak of the sweep alone, measured in a second run since tracing slows Python.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.figures import Figure, write_figures

if TYPE_CHECKING:
    from oversight.adapters.store.bulk import Template

SWEEP_DATE = date(2026, 6, 1)
"""A Monday. Every template starts on it, so none of their own timers is due by it."""
NOW = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
MIX = ("assessment",) * 6 + ("relationship",) * 3 + ("asye",)
"""The kind of entity number n is ``MIX[n % 10]``."""
DUE_TIMER = {"assessment": ("task:mo:allocation", "day35"), "relationship": ("task:agreement",),
             "asye": ("task:supervision:2",)}
"""Which timer of an entity is made due: a task deadline (a breach that escalates to the line
manager: the heaviest step) or a state timer (an assessment reaching day 35)."""
TOKENS = {"c": "cTPLX", "w": "wTPLX", "a": "aTPLX", "m": "mTPLX", "h": "hTPLX"}
REPO = Path(__file__).resolve().parent.parent


# ----- building a store ------------------------------------------------------------------------

def templates(workdir: Path) -> dict[str, Template]:
    """One entity of each kind, begun by the real machine and saved by the real service."""
    from oversight.adapters.store.bulk import capture
    from oversight.adapters.store.unit_of_work import SqlUnitOfWork
    from oversight.states.directory import StaffMember
    from oversight.states.events.registry import parse_event
    from oversight.workflows.bootstrap import initialise
    from oversight.workflows.settings import Settings

    path = workdir / "template.db"
    path.unlink(missing_ok=True)
    app = initialise(Settings(home=workdir, database_url=f"sqlite:///{path}"), "surrey")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert([
            StaffMember("hTPLX", "senior_manager", date(2012, 9, 3), qualified=date(2004, 7, 1)),
            StaffMember("mTPLX", "manager", date(2018, 4, 3), "hTPLX", date(2012, 7, 1)),
            StaffMember("wTPLX", "qualified_social_worker", date(2021, 9, 1), "mTPLX",
                        date(2020, 7, 1)),
            StaffMember("aTPLX", "asye", SWEEP_DATE, "mTPLX", date(2025, 7, 1)),
        ])
        uow.commit()
    on = SWEEP_DATE.isoformat()
    for event in ({"type": "relationship_started", "on": on, "supervisor": "mTPLX",
                   "supervisee": "wTPLX"},
                  {"type": "asye_enrolled", "on": on, "worker": "aTPLX", "supervisor": "mTPLX"},
                  {"type": "assessment_started", "on": on, "child": "cTPLX", "worker": "wTPLX",
                   "manager": "mTPLX"}):
        app.service.record(parse_event(event), now=NOW)
    app.engine.dispose()
    out: dict[str, Template] = {}
    for kind, entity_id in (("assessment", "cTPLX"), ("relationship", "mTPLX:wTPLX"),
                            ("asye", "aTPLX")):
        out[kind] = capture(path, [(kind, entity_id)], [], TOKENS)
        assert out[kind].count("entities") == 1
        assert all(row[3] > on for row in out[kind].rows["timers"]), f"a {kind} timer is due"
    path.unlink()
    return out


def ids_of(n: int) -> dict[str, str]:
    """The people of entity n: child c<n>, worker w<r> (the relationship of n's group of ten),
    ASYE a<n>, manager tm<n//80> (about 24 supervisees), head of service hos<n//800>."""
    return {"c": f"c{n}", "w": f"w{n - n % 10 + 6}", "a": f"a{n}", "m": f"tm{n // 80}",
            "h": f"hos{n // 800}"}


def staff_rows(entities: int) -> Iterator[tuple[Any, ...]]:
    for k in range(entities // 800 + 1):
        yield (f"hos{k}", "senior_manager", "2012-09-03", None, "2004-07-01", 0, 0, None)
    for k in range(entities // 80 + 1):
        yield (f"tm{k}", "manager", "2018-04-03", f"hos{k // 10}", "2012-07-01", 0, 0, None)
    for n in range(entities):
        if MIX[n % 10] == "relationship":
            yield (f"w{n}", "qualified_social_worker", "2021-09-01", f"tm{n // 80}", "2020-07-01",
                   0, 0, None)
        elif MIX[n % 10] == "asye":
            yield (f"a{n}", "asye", SWEEP_DATE.isoformat(), f"tm{n // 80}", "2025-07-01", 0, 0,
                   None)


def _ids_for(kind: str, n: int) -> dict[str, str]:
    ids = ids_of(n)
    if kind == "relationship":
        ids["w"] = f"w{n}"
    return ids


def build_store(path: Path, entities: int, shapes: dict[str, Template]) -> dict[str, Any]:
    """The schema by Alembic, then every row by executemany in one transaction."""
    from oversight.adapters.store.bulk import BulkLoad, fill
    from oversight.adapters.store.database import make_engine, upgrade
    from oversight.adapters.store.unit_of_work import SqlUnitOfWork

    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with SqlUnitOfWork(engine) as uow:
        uow.meta.set("policy", "surrey")
        uow.commit()
    engine.dispose()

    def each(table: str) -> Iterator[tuple[Any, ...]]:
        for n in range(entities):
            kind = MIX[n % 10]
            ids = _ids_for(kind, n)
            for row in shapes[kind].rows[table]:
                yield fill(row, ids)

    load = BulkLoad(f"sqlite:///{path}")
    load.write("staff", staff_rows(entities))
    for table in ("entities", "timers", "tasks", "audit"):
        load.write(table, each(table))
    load.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, copied per run
    counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("entities", "timers", "tasks", "audit", "staff")}
    due = db.execute("SELECT count(*) FROM timers WHERE fires_on <= ?",
                     (SWEEP_DATE.isoformat(),)).fetchone()[0]
    db.close()
    assert due == 0, "the built store already has due timers"
    counts["seconds"] = time.perf_counter() - started
    counts["megabytes"] = path.stat().st_size / 1e6
    return counts


def mark_due(path: Path, entities: int, due: int, seed: int = 7) -> None:
    """Make exactly ``due`` entities (a fixed random sample) have one timer due by the sweep
    date."""
    chosen = random.Random(seed).sample(range(entities), due)
    days = [(SWEEP_DATE - timedelta(days=back)).isoformat() for back in (2, 1, 0)]
    rows = []
    for i, n in enumerate(chosen):
        kind = MIX[n % 10]
        names = DUE_TIMER[kind]
        entity_id = {"assessment": f"c{n}", "relationship": f"tm{n // 80}:w{n}",
                     "asye": f"a{n}"}[kind]
        rows.append((days[i % 3], kind, entity_id, names[i % len(names)]))
    with sqlite3.connect(path) as db:
        db.executemany("UPDATE timers SET fires_on = ? WHERE entity_kind = ? AND entity_id = ?"
                       " AND name = ?", rows)
        marked = db.execute("SELECT count(*) FROM timers WHERE fires_on <= ?",
                            (SWEEP_DATE.isoformat(),)).fetchone()[0]
    db.close()
    assert marked == due, f"{marked} timers due, wanted {due}"


# ----- the sweeps (each in its own process) ----------------------------------------------------

def _service_sweep(url: str) -> dict[str, int]:
    from oversight.workflows.bootstrap import open_app
    from oversight.workflows.settings import Settings

    app = open_app(Settings(database_url=url))
    fired = stale = 0
    cursor = None
    while page := app.service.due_timer_ids(SWEEP_DATE, limit=500, after=cursor):
        for _, timer_id in page:
            outcome = app.service.fire(timer_id, now=NOW)
            fired, stale = fired + outcome.fired, stale + outcome.stale
        cursor = page[-1]
    return {"fired": fired, "stale": stale}


def _batched_service_sweep(url: str) -> dict[str, int]:
    """The one sweep loop without Prefect (``sweep_day``'s): claim and fire a batch of 500 in one
    transaction, until none is due."""
    from oversight.workflows.bootstrap import open_app
    from oversight.workflows.recording.sweeping import sweep_due
    from oversight.workflows.settings import Settings

    service = open_app(Settings(database_url=url)).service
    totals = sweep_due(service, SWEEP_DATE, now=NOW, batch_size=500, say=lambda error: None)
    return {"fired": totals["fired"], "stale": 0}


def _plain_sweep(path: Path, same_writes: bool) -> dict[str, int]:
    """No framework: the indexed due query, then per timer one transaction that reads the entity,
    updates it, deletes the timer, writes an audit row and the task's new state (and, with
    ``same_writes``, the escalation task, its timer and two outbox messages, as the service
    does)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=60000")
    now = NOW.isoformat(sep=" ").replace("+00:00", "")
    fired = 0
    after: tuple[str, int] = ("", 0)
    while True:
        page = db.execute(
            "SELECT id, entity_kind, entity_id, name, fires_on FROM timers"
            " WHERE fires_on <= ? AND (fires_on, id) > (?, ?) ORDER BY fires_on, id LIMIT 500",
            (SWEEP_DATE.isoformat(), *after)).fetchall()
        if not page:
            break
        for timer_id, kind, entity_id, name, on in page:
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT id FROM timers WHERE id = ?", (timer_id,)).fetchone() is None:
                db.execute("COMMIT")
                continue
            state, version, data = db.execute(
                "SELECT state, version, data FROM entities WHERE kind = ? AND id = ?",
                (kind, entity_id)).fetchone()
            data = json.loads(data)
            key = name[len("task:"):] if name.startswith("task:") else None
            dest = state if key else "due"
            if key:
                data["tasks"][key]["state"] = "escalated"
            db.execute("UPDATE entities SET state = ?, version = ?, data = ?, updated_on = ?"
                       " WHERE kind = ? AND id = ? AND version = ?",
                       (dest, version + 1, json.dumps(data), on, kind, entity_id, version))
            db.execute("DELETE FROM timers WHERE id = ?", (timer_id,))
            db.execute("INSERT INTO audit (entity_kind, entity_id, source, dest, \"trigger\","
                       " cause, \"on\", rule, actor, event_id, recorded_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?)",
                       (kind, entity_id, state, dest, "breach" if key else "reach_day35",
                        f"timer:{name}", on, now))
            if key:
                task_id = f"{kind}:{entity_id}:{key}"
                db.execute("UPDATE tasks SET state = 'escalated', breached_on = ? WHERE id = ?",
                           (on, task_id))
                if same_writes:
                    db.execute("SELECT line_manager FROM staff WHERE id = ?",
                               (data["tasks"][key]["assignee"],)).fetchone()
                    db.execute(
                        f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) SELECT id || '^',"
                        " entity_kind, entity_id, key || '^', 'escalation', assignee,"
                        " assignee_role, subject, ?, ?, 'open', NULL, NULL, authority, section,"
                        " rule, basis, id, level + 1 FROM tasks WHERE id = ?",
                        (on, on, task_id))
                    db.execute("INSERT INTO timers (entity_kind, entity_id, name, fires_on, rule,"
                               " basis) SELECT entity_kind, entity_id, ?, ?, rule, basis FROM tasks"
                               " WHERE id = ?", (f"{name}^", "2026-06-10", task_id))
                    task = db.execute("SELECT * FROM tasks WHERE id IN (?, ?)",
                                      (task_id, task_id + "^")).fetchall()
                    for change, row in zip(("escalated", "opened"), task, strict=True):
                        message = {"specversion": "1.0", "id": f"{row[0]}|{change}|{on}",
                                   "source": "/oversight/surrey", "type": change, "time": now,
                                   "subject": row[0], "data": {"task": [str(v) for v in row]}}
                        db.execute("INSERT INTO outbox (id, task_id, type, message, created_at,"
                                   " status, attempts, next_attempt_at, seq) VALUES (?, ?, ?, ?,"
                                   " ?, 'pending', 0, ?, (SELECT coalesce(max(seq), 0) + 1"
                                   " FROM outbox))", (message["id"], row[0], change,
                                                      json.dumps(message), now, now))
            db.execute("COMMIT")
            fired += 1
        after = (page[-1][4], page[-1][0])
    db.close()
    return {"fired": fired, "stale": 0}


def _plain_batched_sweep(path: Path) -> dict[str, int]:
    """The fastest plain ``sqlite3`` can do the engine's work: per batch of 500 due timers, one
    transaction with one query per kind of row read and one ``executemany`` per kind of row
    written: entity states, timers deleted, audit rows, tasks escalated, escalation tasks and
    their timers, two outbox messages per escalation (as ``plain-same-writes`` writes them)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=60000")
    now = NOW.isoformat(sep=" ").replace("+00:00", "")
    fired = 0
    while True:
        db.execute("BEGIN IMMEDIATE")
        page = db.execute("SELECT id, entity_kind, entity_id, name, fires_on FROM timers"
                          " WHERE fires_on <= ? ORDER BY fires_on, id LIMIT 500",
                          (SWEEP_DATE.isoformat(),)).fetchall()
        if not page:
            db.execute("COMMIT")
            break
        keys = sorted({(kind, entity_id) for _, kind, entity_id, _, _ in page})
        found: dict[tuple[str, str], list[Any]] = {}
        for kind in {k for k, _ in keys}:
            ids = [i for k, i in keys if k == kind]
            for entity_id, state, version, data in db.execute(
                    f"SELECT id, state, version, data FROM entities WHERE kind = ? AND id IN"
                    f" ({','.join('?' * len(ids))})", (kind, *ids)):
                found[kind, entity_id] = [state, version, json.loads(data)]
        updates, deletes, audit, escalated = [], [], [], []
        for timer_id, kind, entity_id, name, on in page:
            state, version, data = found[kind, entity_id]
            key = name[len("task:"):] if name.startswith("task:") else None
            dest = state if key else "due"
            if key:
                data["tasks"][key]["state"] = "escalated"
                escalated.append((f"{kind}:{entity_id}:{key}", name, on))
            found[kind, entity_id] = [dest, version + 1, data]
            updates.append((dest, version + 1, on, kind, entity_id, version))
            deletes.append((timer_id,))
            audit.append((kind, entity_id, state, dest, "breach" if key else "reach_day35",
                           f"timer:{name}", on, now))
        db.executemany("UPDATE entities SET state = ?, version = ?, data = ?, updated_on = ?"
                       " WHERE kind = ? AND id = ? AND version = ?",
                       [(dest, v, json.dumps(found[k, i][2]), on, k, i, v - 1)
                        for dest, v, on, k, i, _ in updates])
        db.executemany("DELETE FROM timers WHERE id = ?", deletes)
        db.executemany("INSERT INTO audit (entity_kind, entity_id, source, dest, \"trigger\","
                       " cause, \"on\", recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", audit)
        if escalated:
            _escalate_batch(db, escalated, now)
        db.execute("COMMIT")
        fired += len(page)
    db.close()
    return {"fired": fired, "stale": 0}


TASK_COLUMNS = ("id", "entity_kind", "entity_id", "key", "type", "assignee", "assignee_role",
                "subject", "raised_on", "due", "state", "closed_on", "breached_on", "authority",
                "section", "rule", "basis", "escalates", "level")


def _escalate_batch(db: sqlite3.Connection, escalated: list[tuple[str, str, str]],
                    now: str) -> None:
    """The tasks breached, their escalation tasks and timers, two messages each: read once,
    written with one ``executemany`` per kind of row."""
    ids = [task_id for task_id, _, _ in escalated]
    marks = ",".join("?" * len(ids))
    db.executemany("UPDATE tasks SET state = 'escalated', breached_on = ? WHERE id = ?",
                   [(on, task_id) for task_id, _, on in escalated])
    rows = {row[0]: row for row in db.execute(
        f"SELECT {', '.join(TASK_COLUMNS)} FROM tasks WHERE id IN ({marks})", ids)}
    assignees = sorted({rows[i][5] for i in ids})
    managers = dict(db.execute(f"SELECT id, line_manager FROM staff WHERE id IN"
                               f" ({','.join('?' * len(assignees))})", assignees).fetchall())
    tasks, timers, messages = [], [], []
    seq = db.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0]
    for task_id, name, on in escalated:
        task = list(rows[task_id])
        new = task.copy()
        new[0], new[3], new[4] = task_id + "^", task[3] + "^", "escalation"
        new[5] = managers.get(task[5]) or task[5]
        new[8], new[9], new[10], new[11], new[12] = on, on, "open", None, None
        new[17], new[18] = task_id, task[18] + 1
        tasks.append(new)
        timers.append((task[1], task[2], f"{name}^", "2026-06-10", task[15], task[16]))
        task[10], task[12] = "escalated", on
        for change, row in (("escalated", task), ("opened", new)):
            seq += 1
            message = {"specversion": "1.0", "id": f"{row[0]}|{change}|{on}",
                       "source": "/oversight/surrey", "type": change, "time": now,
                       "subject": row[0], "data": {"task": [str(v) for v in row]}}
            messages.append((message["id"], row[0], change, json.dumps(message), now, now, seq))
    db.executemany(f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) VALUES"
                   f" ({','.join('?' * len(TASK_COLUMNS))})", tasks)
    db.executemany("INSERT INTO timers (entity_kind, entity_id, name, fires_on, rule, basis)"
                   " VALUES (?, ?, ?, ?, ?, ?)", timers)
    db.executemany("INSERT INTO outbox (id, task_id, type, message, created_at, status, attempts,"
                   " next_attempt_at, seq) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)", messages)


def _flow_sweep(url: str) -> dict[str, Any]:
    from prefect import flow

    from oversight.workflows.flows.operations import sweep

    @flow(name="bench-warm-up")
    def warm_up() -> int:
        return 1

    started = time.perf_counter()
    warm_up()  # starts Prefect's temporary server: paid once per process, not per sweep
    server = time.perf_counter() - started
    # The flow reads its store from the environment (no credentials among a run's parameters);
    # an older flow took it as a parameter.
    os.environ["OVERSIGHT_DATABASE_URL"] = url
    import inspect

    extra = {"database_url": url} if "database_url" in inspect.signature(sweep.fn).parameters \
        else {}
    totals = sweep(as_of=SWEEP_DATE, batch_size=500, **extra)
    return {"fired": totals["fired"], "stale": totals["stale"], "batches": totals["batches"],
            "server_seconds": server}


def _warm_calendar() -> None:
    """Build the bank holiday tables a sweep of SWEEP_DATE looks up, before the clock: the first
    lookup imports ``holidays.countries`` (some 250 modules, 0.07-0.1 s), an import like the
    others above, not part of a sweep. Every region, this year and the next (a due date may fall
    after New Year), so whatever the store's policy uses is warm; the plain modes need none."""
    from oversight.states.calendar import WorkingCalendar

    for region in ("england-and-wales", "scotland", "northern-ireland"):
        calendar = WorkingCalendar(region)
        for year in (SWEEP_DATE.year, SWEEP_DATE.year + 1):
            calendar.holiday_name(date(year, 1, 1))


def run_one(mode: str, path: Path, trace: bool) -> dict[str, Any]:
    """Sweep one store copy in this process; the figures as a dict."""
    url = f"sqlite:///{path}"
    # Import before the clock starts (an interpreter start is not part of a sweep), and only
    # what the mode uses, so the plain script's memory is its own.
    if mode in ("service", "service-batched", "flow"):
        import oversight.workflows.bootstrap  # noqa: F401
        import oversight.workflows.recording.service  # noqa: F401
    if mode == "flow":
        import oversight.workflows.flows.operations  # noqa: F401
    if mode in ("service", "service-batched", "flow"):
        _warm_calendar()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    server = 0.0
    started, cpu_started = time.perf_counter(), time.process_time()
    if mode == "service":
        result: dict[str, Any] = _service_sweep(url)
    elif mode == "service-batched":
        result = _batched_service_sweep(url)
    elif mode == "flow":
        result = _flow_sweep(url)
        server = result.pop("server_seconds")
    elif mode == "plain-batched":
        result = _plain_batched_sweep(path)
    elif mode in ("plain", "plain-same-writes"):
        result = _plain_sweep(path, same_writes=mode == "plain-same-writes")
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - started - server
    cpu_seconds = time.process_time() - cpu_started  # steadier than wall time on a shared host
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["traced_peak_mb"] = peak / 1e6
    result.update(seconds=seconds, cpu_seconds=cpu_seconds, server_seconds=server,
                  rss_before_mb=rss_before / 1024,
                  rss_peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def _child_env(workdir: Path) -> dict[str, str]:
    return {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "OVERSIGHT_HOME": str(workdir),
            # a loaded machine starts Prefect's temporary server slowly: wait, do not fail
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}


def build_in_subprocess(path: Path, entities: int, workdir: Path) -> dict[str, Any]:
    """Build in a child so this process stays small: a child's ``ru_maxrss`` starts from the
    resident size of the process that started it (Linux keeps the high-water mark over exec)."""
    done = subprocess.run([sys.executable, "-m", "bench.sweep", "_build", str(entities), str(path),
                           str(workdir)], cwd=REPO, env=_child_env(workdir), capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"building {entities:,} entities failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sweep_in_subprocess(mode: str, base: Path, workdir: Path, entities: int, due: int,
                        trace: bool = False) -> dict[str, Any]:
    """Copy the base store, make ``due`` timers due, sweep it in a fresh process."""
    copy = workdir / f"run-{mode}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, copy)
    mark_due(copy, entities, due)
    # The copy's ~100 MB of dirty pages would otherwise be written back during the timed sweep,
    # in whichever mode came after the copy: flush them first, so each mode pays its own writes.
    os.sync()
    env = _child_env(workdir)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.sweep", "_run", mode, str(copy)]
                          + (["--trace"] if trace else []), cwd=REPO, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{mode} sweep failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = wall
    with sqlite3.connect(copy) as db:
        result["left_due"] = db.execute("SELECT count(*) FROM timers WHERE fires_on <= ?",
                                        (SWEEP_DATE.isoformat(),)).fetchone()[0]
    db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    if result["fired"] != due or result["left_due"]:
        raise SystemExit(f"{mode}: fired {result['fired']} of {due}, {result['left_due']} left")
    return result


# ----- the report ------------------------------------------------------------------------------

SIZES = {"tiny": (2_000, "10", ""), "quick": (10_000, "1,10", "10000"),
         "full": (100_000, "0.1,1,10", "10000,100000")}
"""Entities, per cent due, store sizes of the flat-memory check (1,000 due in each)."""
TARGET_RATE = 3_000
"""Issue 15: at least 3,000 timers/s at 10% due on SQLite, within 2× the batched floor."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sweep",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full",
                        help="tiny 2,000 entities; quick 10,000; full 100,000 (the defaults below)")
    parser.add_argument("--entities", type=int)
    parser.add_argument("--shares", help="per cent of entities with a timer due")
    parser.add_argument("--flat", help="store sizes for the flat-memory check (1,000 due in each)")
    parser.add_argument("--modes", default="service,service-batched,flow,plain,plain-same-writes,"
                                           "plain-batched")
    parser.add_argument("--dir", type=Path, default=REPO / ".oversight" / "bench")
    parser.add_argument("--keep", action="store_true", help="keep the built stores")
    parser.add_argument("--figures", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    entities, shares_text, flat_text = SIZES[args.size]
    entities = args.entities or entities
    shares = [float(s) for s in (args.shares or shares_text).split(",")]
    flat_sizes = [int(s) for s in (args.flat if args.flat is not None else flat_text).split(",")
                  if s]

    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 140))
    workdir: Path = args.dir
    workdir.mkdir(parents=True, exist_ok=True)
    modes = args.modes.split(",")
    sizes = sorted(set(flat_sizes) | {entities})

    stores: dict[int, Path] = {}
    builds = Table(title="Stores built (real machines' rows, replicated by executemany)")
    for column in ("entities", "timers", "tasks", "audit", "staff", "MB", "build s"):
        builds.add_column(column, justify="right")
    for size in sizes:
        stores[size] = workdir / f"store-{size}.db"
        info = build_in_subprocess(stores[size], size, workdir)
        builds.add_row(*(f"{info[k]:,}" for k in ("entities", "timers", "tasks", "audit", "staff")),
                       f"{info['megabytes']:,.0f}", f"{info['seconds']:.1f}")
    console.print(builds)

    table = Table(title=f"Sweep of {entities:,} entities, due timers fired once each "
                        f"(sweep date {SWEEP_DATE.isoformat()})")
    for column in ("due", "path", "fired", "sweep s", "process s", "timers/s", "× plain",
                   "× batched", "RSS peak MB", "traced peak MB"):
        table.add_column(column, justify="right")
    figures: list[Figure] = []
    for share in shares:
        due = round(entities * share / 100)
        results = {mode: sweep_in_subprocess(mode, stores[entities], workdir, entities, due)
                   for mode in modes}
        traced = {mode: sweep_in_subprocess(mode, stores[entities], workdir, entities,
                                            due, trace=True)
                  for mode in modes if mode in ("service", "plain")}
        plain = results.get("plain", {}).get("seconds")
        batched = results.get("plain-batched", {}).get("seconds")
        for mode, result in results.items():
            ratio = f"{result['seconds'] / plain:.1f}" if plain else "-"
            to_batched = f"{result['seconds'] / batched:.1f}" if batched else "-"
            extra = f" (+{result['server_seconds']:.1f} s server start)" if mode == "flow" else ""
            table.add_row(f"{due:,} ({share:g}%)", mode + extra, f"{result['fired']:,}",
                          f"{result['seconds']:.2f}", f"{result['process_seconds']:.2f}",
                          f"{result['fired'] / result['seconds']:,.0f}", ratio, to_batched,
                          f"{result['rss_peak_mb']:.0f}",
                          f"{traced[mode]['traced_peak_mb']:.1f}" if mode in traced else "-")
        table.add_section()
        figures += _figures(entities, share, due, results)
    console.print(table)

    if flat_sizes:
        flat = Table(title="1,000 due timers as the store grows (service path)")
        for column in ("entities", "sweep s", "timers/s", "RSS before MB", "RSS peak MB",
                       "traced peak MB"):
            flat.add_column(column, justify="right")
        for size in flat_sizes:
            result = sweep_in_subprocess("service", stores[size], workdir, size, 1000)
            memory = sweep_in_subprocess("service", stores[size], workdir, size, 1000, trace=True)
            flat.add_row(f"{size:,}", f"{result['seconds']:.2f}",
                         f"{result['fired'] / result['seconds']:,.0f}",
                         f"{result['rss_before_mb']:.0f}", f"{result['rss_peak_mb']:.0f}",
                         f"{memory['traced_peak_mb']:.1f}")
            figures.append(Figure(
                "sweep", f"sweep, 1,000 due of {size:,} entities: service path, memory flat "
                f"in the store's size", memory["traced_peak_mb"], "MB traced",
                higher_is_better=False, peak_rss_mb=result["rss_peak_mb"],
                note=f"{result['fired'] / result['seconds']:,.0f} timers/s"))
        console.print(flat)
    write_figures(args.figures, figures)
    if not args.keep:
        for path in stores.values():
            path.unlink(missing_ok=True)


def _figures(entities: int, share: float, due: int,
             results: dict[str, dict[str, Any]]) -> list[Figure]:
    """The figures of one due share: each path's timers/s beside the batched floor."""
    floor = results.get("plain-batched")
    floor_rate = floor["fired"] / floor["seconds"] if floor else None
    headline = share == 10
    out = []
    for mode, result in results.items():
        if mode == "plain-batched":
            continue
        engine = mode in ("service", "service-batched", "flow")
        # CPU seconds per timer against the floor's: what another process's load moves least
        cpu = (f"CPU {result['cpu_seconds']:.2f} s = "
               f"{result['cpu_seconds'] / floor['cpu_seconds']:.1f}× the floor's"
               if floor and floor.get("cpu_seconds") and mode != "flow" else "")
        out.append(Figure(
            "sweep", f"sweep, {entities:,} entities, {share:g}% due ({due:,}): {mode}",
            result["fired"] / result["seconds"], "timers/s",
            target=TARGET_RATE if headline and engine else None,
            floor=floor_rate, floor_name="plain-batched",
            ratio_target=2 if headline and mode in ("service-batched", "flow") else None,
            peak_rss_mb=result["rss_peak_mb"],
            note="Prefect server start excluded" if mode == "flow" else cpu))
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_run":
        print(json.dumps(run_one(sys.argv[2], Path(sys.argv[3]), "--trace" in sys.argv[4:])))
    elif len(sys.argv) > 1 and sys.argv[1] == "_build":
        size, target, work = int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
        print(json.dumps(build_store(target, size, templates(work))))
    else:
        main()
