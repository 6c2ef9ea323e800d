"""The plain-SQL floor of recording events (``bench.api``): what the fastest plain ``sqlite3``
does of the engine's work for a ``supervision_held``, with no framework, HTTP or policy logic.

Per event, as the engine writes it: read the relationship, write it back (new version), move its
supervision timer to the next due date, close the task, open the next one, one audit row, one
event-log row, the processed event id, two outbox messages (closed, opened). ``single`` does it
one transaction per event from several threads at once (each its own connection, as 8 clients
posting single events); ``batched`` with one ``executemany`` per kind of row per request-sized
batch, one transaction each. Run in a child process on a copy of the API benchmark's store:
``python -m bench.event_floor single|batched DB CLIENTS EVENTS``.
"""

from __future__ import annotations

import json
import resource
import sqlite3
import sys
import threading
import time
from datetime import date, timedelta
from typing import Any

NOW = "2026-03-02 09:00:00.000000"


def _connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # as the engine's SQLite connections
    db.execute("PRAGMA busy_timeout=60000")
    return db


Entity = list[Any]
"""state, version, data (decoded) of one relationship, as read."""


def _read(db: sqlite3.Connection, workers: list[str]) -> dict[str, Entity]:
    """The relationships of ``workers`` (supervised by tm1), in one query."""
    ids = [f"tm1:{w}" for w in workers]
    found = db.execute(f"SELECT id, state, version, data FROM entities WHERE kind ="
                       f" 'relationship' AND id IN ({','.join('?' * len(ids))})", ids)
    return {entity_id: [state, version, json.loads(data)]
            for entity_id, state, version, data in found}


def _rows(entities: dict[str, Entity], worker: str, k: int,
          seq: int) -> dict[str, list[tuple[Any, ...]]]:
    """The rows one supervision_held of ``worker`` on its k-th day writes; ``entities`` (read
    before) moves on to the version it leaves."""
    entity_id = f"tm1:{worker}"
    on = (date(2026, 1, 6) + timedelta(days=k)).isoformat()
    nxt = (date(2026, 1, 6) + timedelta(days=k + 28)).isoformat()
    state, version, body = entities[entity_id]
    body["last_held"] = on
    entities[entity_id] = [state, version + 1, body]
    closed, opened = f"relationship:{entity_id}:supervision:{k + 1}", \
        f"relationship:{entity_id}:supervision:{k + 2}"
    message = {"specversion": "1.0", "source": "/oversight/surrey", "time": NOW}
    return {
        "entity": [(json.dumps(body), version + 1, on, entity_id, version)],
        "timer": [(f"task:supervision:{k + 2}", nxt, entity_id)],
        "close": [(on, closed)],
        "open": [(opened, entity_id, f"supervision:{k + 2}", worker, on, nxt, closed)],
        "audit": [(entity_id, state, state, on, NOW)],
        "log": [(f"bench-floor-{worker}-{k}", entity_id, on, NOW,
                 json.dumps({"supervisor": "tm1", "supervisee": worker, "on": on}))],
        "processed": [(f"bench-floor-{worker}-{k}", NOW)],
        "outbox": [(f"floor-{worker}-{k}-{change}", task, change,
                    json.dumps({**message, "type": change, "subject": task}), NOW, NOW, seq + n)
                   for n, (change, task) in enumerate((("closed", closed), ("opened", opened)))],
    }


STATEMENTS = {
    "entity": "UPDATE entities SET data = ?, version = ?, updated_on = ? WHERE kind ="
              " 'relationship' AND id = ? AND version = ?",
    "timer": "UPDATE timers SET name = ?, fires_on = ? WHERE entity_kind = 'relationship'"
             " AND entity_id = ? AND name LIKE 'task:supervision:%'",
    "close": "UPDATE tasks SET state = 'closed', closed_on = ? WHERE id = ?",
    "open": "INSERT INTO tasks (id, entity_kind, entity_id, key, type, assignee, assignee_role,"
            " subject, raised_on, due, state, authority, section, rule, basis, level)"
            " SELECT ?, 'relationship', ?, ?, type, ?, assignee_role, subject, ?, ?, 'open',"
            " authority, section, rule, basis, level FROM tasks WHERE id = ?",
    "audit": "INSERT INTO audit (entity_kind, entity_id, source, dest, \"trigger\", cause, \"on\","
             " recorded_at) VALUES ('relationship', ?, ?, ?, 'hold_supervision', 'event', ?, ?)",
    "log": "INSERT INTO event_log (record_id, entity_kind, entity_id, type, \"on\", recorded_at,"
           " body) VALUES (?, 'relationship', ?, 'supervision_held', ?, ?, ?)",
    "processed": "INSERT INTO processed_events (event_id, type, applied_at)"
                 " VALUES (?, 'supervision_held', ?)",
    "outbox": "INSERT INTO outbox (id, task_id, type, message, created_at, status, attempts,"
              " next_attempt_at, seq) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
}


def _write(db: sqlite3.Connection, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    for kind, statement in STATEMENTS.items():
        if kind == "log" and not _has_event_log(db):
            continue
        db.executemany(statement, rows[kind])


_EVENT_LOG: dict[int, bool] = {}


def _has_event_log(db: sqlite3.Connection) -> bool:
    if id(db) not in _EVENT_LOG:
        _EVENT_LOG[id(db)] = db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'event_log'").fetchone() is not None
    return _EVENT_LOG[id(db)]


def single(path: str, clients: int, events: int) -> dict[str, Any]:
    """``clients`` threads, ``events`` each for their own supervisee b<n>, a transaction each."""
    latencies: list[float] = []

    def client(n: int) -> None:
        db = _connect(path)
        for k in range(events):
            began = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")
            seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM outbox").fetchone()[0]
            _write(db, _rows(_read(db, [f"b{n}"]), f"b{n}", k, seq))
            db.execute("COMMIT")
            latencies.append(time.perf_counter() - began)
        db.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"events": len(latencies), "seconds": took, "per_second": len(latencies) / took,
            "p99_ms": ordered[int(0.99 * (len(ordered) - 1))] * 1000, "rss_mb": _rss()}


def batched(path: str, workers: int, total: int, size: int) -> dict[str, Any]:
    """``total`` events of supervisees bb0..bb<workers-1>, ``size`` a transaction."""
    db = _connect(path)
    plan = [(f"bb{n}", k) for k in range(total // workers + 1) for n in range(workers)][:total]
    started = time.perf_counter()
    for first in range(0, len(plan), size):
        db.execute("BEGIN IMMEDIATE")
        seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM outbox").fetchone()[0]
        batch = plan[first:first + size]
        entities = _read(db, sorted({worker for worker, _ in batch}))
        rows: dict[str, list[tuple[Any, ...]]] = {kind: [] for kind in STATEMENTS}
        for worker, k in batch:
            for kind, found in _rows(entities, worker, k, seq).items():
                rows[kind] += found
            seq += 2
        _write(db, rows)
        db.execute("COMMIT")
    took = time.perf_counter() - started
    db.close()
    return {"events": len(plan), "seconds": took, "per_second": len(plan) / took,
            "rss_mb": _rss()}


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    mode, db_path = sys.argv[1], sys.argv[2]
    numbers = [int(v) for v in sys.argv[3:]]
    result = single(db_path, *numbers) if mode == "single" else batched(db_path, *numbers)
    print(json.dumps(result))
