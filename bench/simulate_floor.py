"""The simulation's engine cost per event beside its plain-SQL floor, and its statements.

``python -m bench.simulate_floor SCENARIO WORKDIR`` runs the scenario in this process (the
serverless simulation: the same months, days and engine calls as ``oversight simulate``, no
Prefect server), with a SQLAlchemy ``before_cursor_execute`` listener on every engine, and prints
one JSON line:

- ``engine_seconds``: the time inside the engine's calls of the simulated days
  (``record_each``, ``due_timer_ids``, ``fire_due``), and ``events``, ``fired``;
- ``statements``: every statement those calls sent to the database (an ``executemany`` is one),
  with ``by_kind`` (``INSERT INTO tasks``, ``SELECT FROM entities``, ``SAVEPOINT``, …);
- ``floor_seconds``: the same rows written by plain ``sqlite3``: every INSERT, UPDATE and DELETE
  the engine's committed transactions sent during a simulated day, with the parameters it sent
  (already encoded: the floor pays no JSON, no dates), replayed into a copy of the store as it
  was before the first day, one transaction per day and one ``executemany`` per statement text
  (per kind of row) in that day, in the order each first appeared. Nothing the engine undid (a
  savepoint or a transaction rolled back) is replayed; the floor reads nothing.

Replayed in sets, a timer armed and disarmed the same day can outlive its day in the copy and an
update may find its row not inserted yet; ``INSERT OR REPLACE`` keeps such a replay going. The
number of rows written per kind is the engine's, which is what the floor prices.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

Writes = list[tuple[str, Any, bool]]
"""(statement text, its parameters, whether an executemany), in the order sent."""
_WRITES = ("INSERT", "UPDATE", "DELETE")

_VERB = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM|SAVEPOINT|RELEASE "
                   r"SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT|ROLLBACK|SET|WITH)\s*"
                   r"(\"?\w+\"?)?", re.S | re.I)
_MANY = re.compile(r"(VALUES\s*\([^)]*\))(?:\s*,\s*\([^)]*\))+", re.S | re.I)
_SELECT = re.compile(r"^\s*SELECT\b.*?\bFROM\s+\"?(\w+)", re.S | re.I)
_RETURNING = re.compile(r"\s+RETURNING\s+.*$", re.S | re.I)


def kind_of(statement: str) -> str:
    """``INSERT INTO tasks``, ``SELECT FROM entities``, ``SAVEPOINT``: what a statement does."""
    selected = _SELECT.match(statement)
    if selected is not None:
        return f"SELECT FROM {selected.group(1)}"
    found = _VERB.match(statement)
    if found is None:
        return statement.split(None, 1)[0].upper()
    verb, table = found.group(1).upper(), (found.group(2) or "").strip('"')
    if "SAVEPOINT" in verb:
        table = ""
    return f"{verb} {table}".strip()


class Recorder:
    """What the engine's calls send, counted; their writes kept per day for the floor, without
    what a savepoint or a transaction rolled back."""

    def __init__(self) -> None:
        self.active = False
        self.day: str | None = None
        self.sent: Counter[str] = Counter()
        """Each statement's text, and how many times it was sent."""
        self.days: dict[str, Writes] = {}
        self._open: Writes = []
        self._marks: list[int] = []

    def listen(self) -> None:
        event.listen(Engine, "before_cursor_execute", self._execute)
        event.listen(Engine, "commit", self._commit)
        event.listen(Engine, "rollback", self._rollback)
        event.listen(Engine, "savepoint", self._savepoint)
        event.listen(Engine, "rollback_savepoint", self._undo_savepoint)
        event.listen(Engine, "release_savepoint", self._release)

    def _execute(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
                 _context: Any, executemany: bool) -> None:
        # As little as possible here (a count and a reference), so that measuring costs the
        # engine little, and no more for many statements than for few: the rest is done after.
        if self.active:
            self.sent[statement] += 1
            if statement[:6] in _WRITES:
                self._open.append((statement, parameters, executemany))

    def _commit(self, _conn: Any) -> None:
        if self.active and self.day is not None and self._open:
            self.days.setdefault(self.day, []).extend(self._open)
        self._open, self._marks = [], []

    def _rollback(self, _conn: Any) -> None:
        if self.active:
            self.sent["ROLLBACK"] += 1
        self._open, self._marks = [], []

    def _savepoint(self, _conn: Any, _name: str) -> None:
        self._marks.append(len(self._open))

    def _undo_savepoint(self, _conn: Any, _name: str, _context: Any) -> None:
        if self._marks:
            del self._open[self._marks.pop():]

    def _release(self, _conn: Any, _name: str, _context: Any) -> None:
        if self._marks:
            self._marks.pop()


def timed(recorder: Recorder, spent: list[float], call: Callable[..., Any], *,
          store: Path, floor_db: Path) -> Callable[..., Any]:
    """``call`` (a service method), timed and recorded; before the first, the store is copied
    as the floor's starting point."""
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not floor_db.exists():
            with sqlite3.connect(store) as source, sqlite3.connect(floor_db) as copy:
                source.backup(copy)
        now = kwargs.get("now")
        if now is None and args and isinstance(args[0], list) and args[0]:
            now = args[0][0][1]  # record_each's (event, now) pairs
        recorder.day = now.date().isoformat() if now is not None else recorder.day
        recorder.active = True
        started = time.perf_counter()
        try:
            return call(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started
            recorder.active = False
    return wrapper


def one_row(statement: str, parameters: Any, executemany: bool) -> tuple[str, list[Any]]:
    """A write as statement text and parameter sets of one row each."""
    sets = list(parameters) if executemany else [parameters]
    if sets and not isinstance(sets[0], (tuple, list, dict)):
        sets = [tuple(sets)]  # insertmanyvalues: one flat row of several rows' values
    many = _MANY.search(statement)
    if many is not None and sets and not isinstance(sets[0], dict):
        # several rows' VALUES in one statement: each row on its own, for the floor
        width = many.group(1).count("?")
        statement = statement[:many.start()] + many.group(1) + statement[many.end():]
        sets = [row[at:at + width] for row in sets for at in range(0, len(row), width)]
    return statement, sets


def replay(floor_db: Path, days: dict[str, Writes]) -> tuple[float, Counter[str]]:
    """The days' writes with plain ``sqlite3``: a transaction per day, an ``executemany`` per
    statement text; the seconds it took and the rows written per kind."""
    db = sqlite3.connect(floor_db, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # as the engine's SQLite connections
    rows: Counter[str] = Counter()
    plans = []
    for _day, writes in sorted(days.items()):
        grouped: dict[str, list[Any]] = {}
        for statement, parameters in (one_row(*sent) for sent in writes):
            text = _RETURNING.sub("", statement)
            if text.lstrip().upper().startswith("INSERT INTO"):
                text = "INSERT OR REPLACE INTO" + text.lstrip()[len("INSERT INTO"):]
            grouped.setdefault(text, []).extend(parameters)
            rows[kind_of(statement)] += len(parameters)
        plans.append(list(grouped.items()))
    started = time.perf_counter()
    for plan in plans:
        db.execute("BEGIN IMMEDIATE")
        for text, parameters in plan:
            db.executemany(text, parameters)
        db.execute("COMMIT")
    took = time.perf_counter() - started
    db.close()
    return took, rows


def run(scenario: Path, workdir: Path) -> dict[str, Any]:
    from oversight.workflows.recording.service import OversightService
    from oversight.workflows.simulation.runs import simulation

    recorder, spent = Recorder(), [0.0]
    store, floor_db = workdir / "engine.db", workdir / "floor.db"
    for name in ("record_each", "due_timer_ids", "fire_due"):
        setattr(OversightService, name, timed(recorder, spent, getattr(OversightService, name),
                                              store=store, floor_db=floor_db))
    recorder.listen()
    with simulation(scenario, store=store, home=workdir, serverless=True) as run:
        totals = run.totals
    floor_seconds, rows = replay(floor_db, recorder.days)
    kinds: Counter[str] = Counter()
    for statement, count in recorder.sent.items():
        kinds[kind_of(statement)] += count
    statements = sum(kinds.values())
    events = totals["events"]
    return {"events": events, "fired": totals["fired"], "engine_seconds": spent[0],
            "floor_seconds": floor_seconds, "statements": statements,
            "statements_per_event": statements / max(events, 1),
            "by_kind": dict(kinds.most_common()),
            "rows": dict(rows.most_common()), "rows_written": sum(rows.values())}


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), Path(sys.argv[2]))))
