"""Any record can be retracted, the one that created its entity included.

Hull §3: a qualified social worker is supervised monthly, and a session's record is completed
(and signed by both) within 5 working days; a session held without being planned is kept as
an entity of its own for that. tm1 (line manager hos1) supervises sw1 from Mon 2 Mar 2026, so
the first session is due Thu 2 Apr (2 Mar + 1 month).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.directory import StaffMember
from oversight.states.errors import EventRejected
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.recording.retraction import Corrections
from oversight.workflows.settings import Settings

MISTAKEN = date(2026, 3, 16)  # Mon
SESSION = "tm1:sw1:2026-03-16"


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def hull(tmp_path: Path) -> Iterator[App]:
    app = initialise(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'o.db'}"),
                     "hull")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert([
            StaffMember("hos1", "senior_manager", date(2012, 9, 3), None, date(2004, 7, 1)),
            StaffMember("tm1", "manager", date(2018, 4, 3), "hos1", date(2012, 7, 1)),
            StaffMember("sw1", "qualified_social_worker", date(2021, 9, 1), "tm1",
                        date(2020, 7, 1))])
        uow.commit()
    for type_, event_id in (("relationship_started", "r-1"), ("agreement_signed", "r-2")):
        record(app, type_, date(2026, 3, 2), supervisor="tm1", supervisee="sw1",
               event_id=event_id)
    yield app
    app.engine.dispose()


def record(app: App, type_: str, on: date, **fields: Any) -> None:
    app.service.record(parse_event({"type": type_, "on": on.isoformat(), **fields}),
                       now=at(on, 17))


def held(app: App, on: date, event_id: str) -> None:
    record(app, "supervision_held", on, supervisor="tm1", supervisee="sw1", minutes=90,
           event_id=event_id)


def tasks(app: App, kind: str) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        return [(r.type, r.raised_on, r.due, r.state, r.closed_on) for r in connection.execute(
            select(t.tasks).where(t.tasks.c.entity_kind == kind)
            .order_by(t.tasks.c.raised_on, t.tasks.c.id))]


def state(app: App, kind: str, entity_id: str) -> str:
    with app.engine.connect() as connection:
        return str(connection.execute(select(t.entities.c.state).where(
            t.entities.c.kind == kind, t.entities.c.id == entity_id)).scalar_one())


def timers(app: App, kind: str) -> list[tuple[str, date]]:
    with app.engine.connect() as connection:
        return [(r.name, r.fires_on) for r in connection.execute(
            select(t.timers).where(t.timers.c.entity_kind == kind).order_by(t.timers.c.name))]


def withdrawn_because(app: App) -> set[str]:
    with app.engine.connect() as connection:
        return set(connection.execute(select(t.tasks.c.withdrawn_because).where(
            t.tasks.c.state == "withdrawn")).scalars())


AGREEMENT = ("supervision_agreement", date(2026, 3, 2), date(2026, 3, 2), "closed",
             date(2026, 3, 2))
HELD_16TH = {
    # Record and signatures due Mon 23 Mar: 5 working days (Tue 17 .. Fri 20, Mon 23).
    "session": [("session_record", MISTAKEN, date(2026, 3, 23), "open", None),
                ("session_signatures", MISTAKEN, date(2026, 3, 23), "open", None)],
    # The session due Thu 2 Apr met on 16 Mar; the next due Thu 16 Apr (16 Mar + 1 month).
    "relationship": [AGREEMENT,
                     ("personal_supervision", date(2026, 3, 2), date(2026, 4, 2), "closed",
                      MISTAKEN),
                     ("personal_supervision", MISTAKEN, date(2026, 4, 16), "open", None)],
}


def test_a_mistaken_session_retracted_ends_the_session_it_made_and_restores_the_schedule(
        hull: App) -> None:
    """Held Mon 16 Mar, recorded in error, retracted Wed 18 Mar: the session it made never
    was (its record and signature tasks withdrawn with the retraction as cause, its timers of
    Tue 24 Mar gone), and the relationship's session due Thu 2 Apr is open again (timer Fri 3
    Apr), the one due 16 Apr withdrawn."""
    held(hull, MISTAKEN, "m-1")
    assert tasks(hull, "session") == HELD_16TH["session"]
    assert tasks(hull, "relationship") == HELD_16TH["relationship"]

    Corrections(hull.service).retract("m-1", reason="not held: a planning meeting",
                                      actor="os:ops", now=at(date(2026, 3, 18)))

    assert state(hull, "session", SESSION) == "retracted"
    retracted = date(2026, 3, 18)
    assert tasks(hull, "session") == [
        ("session_record", MISTAKEN, date(2026, 3, 23), "withdrawn", retracted),
        ("session_signatures", MISTAKEN, date(2026, 3, 23), "withdrawn", retracted)]
    assert timers(hull, "session") == []
    assert tasks(hull, "relationship") == [
        AGREEMENT,
        ("personal_supervision", date(2026, 3, 2), date(2026, 4, 2), "open", None),
        ("personal_supervision", MISTAKEN, date(2026, 4, 16), "withdrawn", retracted)]
    assert timers(hull, "relationship") == [("task:supervision:1", date(2026, 4, 3))]
    assert all("retracted m-1" in because and "planning meeting" in because
               for because in withdrawn_because(hull))


def test_the_retracted_session_recorded_again_is_held_again_under_its_id(hull: App) -> None:
    """Retracted, then recorded again (it was held after all): the same session, the same
    record and signature tasks due Mon 23 Mar, the relationship's next session due Thu 16 Apr."""
    held(hull, MISTAKEN, "m-1")
    Corrections(hull.service).retract("m-1", reason="thought not held", actor="os:ops",
                                      now=at(date(2026, 3, 18)))
    held(hull, MISTAKEN, "m-2")
    assert state(hull, "session", SESSION) == "held"
    assert tasks(hull, "session") == HELD_16TH["session"]
    standing = [row for row in tasks(hull, "relationship") if row[3] != "withdrawn"]
    assert standing == HELD_16TH["relationship"]
    assert timers(hull, "session") == [("task:record", date(2026, 3, 24)),
                                       ("task:sign", date(2026, 3, 24))]


def test_a_session_amended_to_another_day_moves_to_a_session_of_that_day(hull: App) -> None:
    """Held Mon 16 Mar amended to Tue 17 Mar: the session of the 16th never was; the one of
    the 17th has its record due Tue 24 Mar (Wed 18 .. Fri 20, Mon 23, Tue 24); the session due
    Thu 2 Apr was met on 17 Mar and the next is due Fri 17 Apr."""
    held(hull, MISTAKEN, "m-1")
    corrected = parse_event({"type": "supervision_held", "on": "2026-03-17",
                             "supervisor": "tm1", "supervisee": "sw1", "minutes": 90,
                             "event_id": "m-1b"})
    Corrections(hull.service).amend("m-1", corrected, reason="wrong day", actor="os:ops",
                                    now=at(date(2026, 3, 18)))
    assert state(hull, "session", SESSION) == "retracted"
    assert state(hull, "session", "tm1:sw1:2026-03-17") == "held"
    assert [row for row in tasks(hull, "session") if row[3] == "open"] == [
        ("session_record", date(2026, 3, 17), date(2026, 3, 24), "open", None),
        ("session_signatures", date(2026, 3, 17), date(2026, 3, 24), "open", None)]
    assert [row for row in tasks(hull, "relationship") if row[3] != "withdrawn"] == [
        AGREEMENT,
        ("personal_supervision", date(2026, 3, 2), date(2026, 4, 2), "closed",
         date(2026, 3, 17)),
        ("personal_supervision", date(2026, 3, 17), date(2026, 4, 17), "open", None)]


def test_a_relationship_whose_start_is_retracted_never_was_until_it_is_recorded_again(
        hull: App) -> None:
    """The start of Mon 2 Mar retracted: the relationship never was (its session due Thu 2 Apr
    withdrawn, no timer); a session for it is refused, store unchanged; the start recorded
    again brings back the agreement signed that day and the session due 2 Apr."""
    from tests.integration.helpers import snapshot

    Corrections(hull.service).retract("r-1", reason="wrong supervisor", actor="os:ops",
                                      now=at(date(2026, 3, 4)))
    assert state(hull, "relationship", "tm1:sw1") == "retracted"
    assert [row[3] for row in tasks(hull, "relationship")] == ["withdrawn", "withdrawn"]
    assert timers(hull, "relationship") == []

    before = snapshot(hull.engine)
    with pytest.raises(EventRejected, match="record relationship_started first"):
        held(hull, date(2026, 3, 9), "m-3")
    assert snapshot(hull.engine) == before

    record(hull, "relationship_started", date(2026, 3, 2), supervisor="tm1",
           supervisee="sw1", event_id="r-3")
    assert state(hull, "relationship", "tm1:sw1") == "active"
    assert [row for row in tasks(hull, "relationship") if row[3] != "withdrawn"] == [
        AGREEMENT,
        ("personal_supervision", date(2026, 3, 2), date(2026, 4, 2), "open", None)]
    assert timers(hull, "relationship") == [("task:supervision:1", date(2026, 4, 3))]
