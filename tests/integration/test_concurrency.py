"""Writers racing on one entity: every update lands, none is lost, a stale save is refused."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from oversight.adapters.store.database import make_engine
from oversight.adapters.store.unit_of_work import SqlStore, SqlUnitOfWork
from oversight.states.errors import ConcurrentUpdate
from oversight.states.events.registry import parse_event
from oversight.states.values import EntityRef, Step
from oversight.workflows.bootstrap import App
from oversight.workflows.ports.store import SavedStep
from oversight.workflows.recording.service import OversightService
from tests.integration import team
from tests.integration.helpers import Worker, record, rows


def _sessions(first: date, count: int, step: int) -> list[str]:
    return [(first + timedelta(days=step * n)).isoformat() for n in range(count)]


def _relationship(app: App) -> dict:
    [entity] = [e for e in rows(app.engine, "entities") if e["id"] == "tm1:w0"]
    return entity


def _started(app: App) -> None:
    """tm1 and w0 from Mon 5 Jan, the agreement signed that day: no timer falls due among the
    sessions (the first is due Mon 2 Feb), so each session is one step of the relationship."""
    record(app, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="w0")
    record(app, type="agreement_signed", on="2026-01-05", supervisor="tm1", supervisee="w0")


def test_two_processes_recording_sessions_on_one_relationship_lose_no_update(
        app: App, worker: Worker, tmp_path: Path) -> None:
    """Two processes racing 25 sessions each onto tm1:w0 (and one shared delivery) leave 51
    audited sessions and version 55."""
    _started(app)
    go = tmp_path / "go"
    url = app.settings.url
    racers = [worker.start("race", url, name, str(go), "--sessions",
                           *_sessions(date(2026, 1, 6) + timedelta(days=offset), 25, 2),
                           "--shared", "2026-06-30")
              for offset, name in ((0, "left"), (1, "right"))]
    for racer in racers:  # both imported, connected and waiting at the line
        assert json.loads(racer.stdout.readline())["ready"]  # type: ignore[union-attr]
    go.touch()
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
        results.append(json.loads(out.splitlines()[-1])["done"])
    assert sum(r["applied"] for r in results) == 51
    assert sorted(r["duplicates"] for r in results) == [0, 1]  # the shared event, applied once

    held = [a for a in rows(app.engine, "audit") if a["trigger"] == "hold_supervision"]
    assert len(held) == 51
    writers = [a["event_id"].partition("-")[0] for a in held if a["event_id"] != "shared"]
    switches = sum(a != b for a, b in zip(writers, writers[1:], strict=False))
    assert switches >= 3, f"the writers did not interleave, so nothing raced: {writers}"
    assert len({a["event_id"] for a in held}) == 51
    assert {a["event_id"] for a in held} >= {"left-2026-01-06", "right-2026-01-07", "shared"}
    entity = _relationship(app)
    # Started, signed, one step per session, and two firings before the shared session of Tue
    # 30 Jun: the session then open (due 4 weeks after the last one, in February) is escalated
    # the day after it was due and its escalation breached (hos1 has no line manager); the
    # earlier-dated sessions that arrive after it re-derive it, one step each.
    assert entity["version"] == 2 + 51 + 2
    # Every session opened its successor; a session that lost the race to a later-dated one is
    # a late record, and the task the re-derivation inserts for it takes a fresh number.
    assert entity["data"]["seq"] >= 1 + 51
    open_sessions = [t for t in rows(app.engine, "tasks")
                     if t["type"] == "personal_supervision" and t["state"] == "open"]
    assert len(open_sessions) == 1
    assert len(rows(app.engine, "processed_events")) == 51


def test_threads_with_their_own_engines_recording_on_one_entity_lose_no_update(app: App) -> None:
    """Four threads, each with its own engine and pool, apply all 40 of their sessions to one
    relationship."""
    _started(app)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def writer(n: int) -> None:
        engine = make_engine(app.settings.url)
        service = OversightService(uow_factory=SqlStore(engine), policy=app.policy)
        try:
            barrier.wait()
            for on in _sessions(date(2026, 1, 6) + timedelta(days=n), 10, 4):
                service.record(parse_event({"type": "supervision_held", "on": on,
                                            "supervisor": "tm1", "supervisee": "w0",
                                            "event_id": f"t{n}-{on}"}), now=team.NOW)
        except BaseException as error:  # noqa: BLE001 - reported to the test thread
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert _relationship(app)["version"] == 2 + 40  # started, signed, one step per session
    assert sum(a["trigger"] == "hold_supervision" for a in rows(app.engine, "audit")) == 40


def test_saving_an_entity_loaded_before_another_writer_saved_it_is_refused(app: App) -> None:
    """The store's version check refuses a save based on a stale load and keeps the newer row
    (when the unit of work commits: it holds its writes until then, issue 22)."""
    record(app, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="w0")
    with SqlUnitOfWork(app.engine) as uow:
        stale = uow.entities.get("relationship", "tm1:w0")
    assert stale is not None
    record(app, type="supervision_held", on="2026-01-20", supervisor="tm1", supervisee="w0")
    newer = _relationship(app)
    with SqlUnitOfWork(app.engine) as uow:
        late = dataclasses.replace(stale, version=stale.version + 1, state="ended")
        with pytest.raises(ConcurrentUpdate,
                           match="relationship:tm1:w0 changed since it was loaded"):
            uow.save_steps([SavedStep(Step(EntityRef(late.kind, late.id), late.state, late.data),
                                      late)], recorded_at=team.NOW)
            uow.commit()
    assert _relationship(app) == newer
