"""The store port's logs and records answer alike on the in-memory fake, SQLite and
PostgreSQL: the event log, the events claimed, the outbox, the access log, staff (with the HR
import's flags), meta and the calendar's SEQUENCEs. Entities, timers and tasks are in
test_store_contract.py, whose note tells the rows the one Surrey event (``hr-1``: tm1 starts
supervising w0 on Mon 5 Jan 2026) leaves: the agreement due Mon 5 Jan and the first
supervision due Mon 2 Feb, an ``opened`` message each.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from oversight.states.directory import StaffMember
from oversight.states.event_time import as_utc
from oversight.workflows.ports.store import StaffRecord, UnitOfWorkFactory
from oversight.workflows.recording.messages import task_message
from tests.integration.contract_stores import (
    AGREEMENT,
    NOW,
    STARTED,
    STORES,
    SUPERVISION,
    started_store,
)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """One store with the team (hos1, tm1, w0, w1, a0) and hr-1 recorded."""
    with started_store(request.param, tmp_path, name="records") as store:
        yield store


def test_the_event_log_keeps_a_retracted_event_and_hides_it_from_the_live_list(store):
    """hr-1 logged once; retracted by tm1, it is gone from the live rows, kept with who and
    why, and no longer among the live ids beginning ``hr-``."""
    later = NOW + timedelta(hours=1)
    with store() as uow:
        [row] = uow.event_log.of_entity("relationship", "tm1:w0")
        assert (row.record_id, row.type, row.on, row.body["supervisee"]) == (
            "hr-1", "relationship_started", date(2026, 1, 5), "w0")
        assert uow.events.live_from("hr-") == ["hr-1"]
        uow.event_log.retract("hr-1", by="tm1", reason="wrong worker", at=later)
        uow.commit()
    with store() as uow:
        assert uow.event_log.of_entity("relationship", "tm1:w0") == []
        [kept] = uow.event_log.of_entity("relationship", "tm1:w0", retracted=True)
        assert (kept.retracted_at, kept.retracted_by, kept.retract_reason) == (
            later, "tm1", "wrong worker")
        assert uow.event_log.of_record("hr-1") == [kept]
        assert uow.events.live_from("hr-") == []


def test_an_event_is_claimed_once_and_an_appended_log_row_read_back(store):
    """hr-1 was claimed by the record: a second claim is False; hr-2 claimed and logged for
    w1's relationship reads back with its body; amend_tasks sets a task's columns."""
    with store() as uow:
        assert not uow.events.claim("hr-1", "relationship_started", NOW)
        assert uow.events.claim("hr-2", "relationship_started", NOW)
        uow.event_log.append("hr-2", "relationship", "tm1:w1",
                             {**STARTED, "supervisee": "w1", "event_id": "hr-2"},
                             recorded_at=NOW)
        uow.event_log.amend_tasks({AGREEMENT: {"recorded_at": NOW}})
        uow.commit()
    with store() as uow:
        assert uow.events.applied("hr-2") and not uow.events.applied("hr-3")
        [row] = uow.event_log.of_record("hr-2")
        assert (row.entity_id, row.on, row.recorded_at, row.body["supervisee"]) == (
            "tm1:w1", date(2026, 1, 5), NOW, "w1")
        # SQLite's task rows give the instant without its zone (the read models add it:
        # queries.task_view); the fake and PostgreSQL give it in UTC.
        assert as_utc(uow.tasks.get_many([AGREEMENT])[0]["recorded_at"]) == NOW


def test_the_outbox_gives_pending_messages_in_the_order_added_and_counts_them(store):
    """The two ``opened`` messages, the supervision's first (as the step raised them); both
    pending; the same message added again gets an id of its own."""
    again = _outbox_row(store, SUPERVISION)
    with store() as uow:
        pending = uow.outbox.pending(NOW, 10)
        assert [(m["message"]["subject"], m["attempts"]) for m in pending] == [
            (SUPERVISION, 0), (AGREEMENT, 0)]
        assert uow.outbox.pending(NOW, 1) == pending[:1]
        assert uow.outbox.counts() == {"pending": 2}
        uow.outbox.add([again])
        uow.commit()
    with store() as uow:
        after = uow.outbox.pending(NOW, 10)
        assert [m["message"]["subject"] for m in after] == [SUPERVISION, AGREEMENT, SUPERVISION]
        assert after[2]["id"] != after[0]["id"] == again["id"]
        assert after[2]["message"]["id"] == after[2]["id"]
        assert uow.outbox.counts() == {"pending": 3}


def test_the_access_log_keeps_one_line_per_target_oldest_first(store):
    """Three targets, one twice: two lines, targets cut at 200 characters; read by target
    and by person, and at most ``limit``."""
    long = "relationship:" + "x" * 250
    with store() as uow:
        assert uow.access_log.record(role="manager", resource="entity",
                                     targets=["relationship:tm1:w0", long,
                                              "relationship:tm1:w0"],
                                     outcome="allowed", now=NOW, token_id="tok_1",
                                     person="tm1", purpose="prep") == 2
        uow.access_log.record(role="admin", resource="tasks", targets=["tasks"],
                              outcome="refused", now=NOW, reader="os:alice")
        uow.commit()
    with store() as uow:
        lines = uow.access_log.lines()
        assert [(line["target"][:20], len(line["target"]), line["person"], line["reader"],
                 line["at"]) for line in lines] == [
            ("relationship:tm1:w0", 19, "tm1", None, NOW),
            ("relationship:xxxxxxx", 200, "tm1", None, NOW),
            ("tasks", 5, None, "os:alice", NOW)]
        assert [line["id"] for line in lines] == sorted(line["id"] for line in lines)
        assert [line["outcome"] for line in uow.access_log.lines(target="tasks")] == ["refused"]
        assert len(uow.access_log.lines(person="tm1", limit=1)) == 1


def test_staff_meta_and_calendar_sequences_are_kept(store):
    """w1 and a0 read together, x9 left out; the team of nobody is none; a meta key set and
    read; a calendar obligation published on Mon 2 Feb (0), again (0), moved to 3 Feb (1)."""
    with store() as uow:
        assert sorted(uow.staff.members(["w1", "a0", "x9"])) == ["a0", "w1"]
        assert uow.staff.member("hos1") == StaffMember(
            "hos1", "senior_manager", started=date(2012, 9, 3), qualified=date(2004, 7, 1))
        assert uow.staff.line_managers()["w0"] == "tm1"
        uow.meta.set("contract", "yes")
        name = "relationship:tm1:w0:personal_supervision:1"
        assert uow.calendar_events.published({name: date(2026, 2, 2)}) == {name: 0}
        assert uow.calendar_events.published({name: date(2026, 2, 2)}) == {name: 0}
        assert uow.calendar_events.published({name: date(2026, 2, 3)}) == {name: 1}
        uow.commit()
    with store() as uow:
        assert (uow.meta.get("contract"), uow.meta.get("absent")) == ("yes", None)
        assert uow.calendar_events.known([name, "other"]) == {name: 1}


def test_an_hr_import_keeps_the_hr_flags_and_teams_the_task_search_uses(store):
    """tm1 in team east (updated: the team is new), w0 with nothing changed (unchanged), w1
    now part-time (updated), n1 new in east (added); tm1's two tasks for w0 are east's, none
    is west's; the same import again changes nothing."""
    records = [
        StaffRecord("tm1", "manager", date(2018, 4, 3), "hos1", date(2012, 7, 1), False, False,
                    "east"),
        StaffRecord("w0", "qualified_social_worker", date(2021, 9, 1), "tm1", date(2020, 7, 1),
                    False, False, None),
        StaffRecord("w1", "qualified_social_worker", date(2021, 9, 1), "tm1", date(2020, 7, 1),
                    True, False, None),
        StaffRecord("n1", "qualified_social_worker", date(2026, 2, 2), "tm1", date(2025, 7, 1),
                    False, True, "east")]
    with store() as uow:
        assert uow.staff.upsert_records(records) == {"added": 1, "updated": 2, "unchanged": 1}
        uow.commit()
    with store() as uow:
        assert uow.staff.upsert_records(records) == {"added": 0, "updated": 0, "unchanged": 4}
        assert uow.staff.teams_of(["tm1", "w0", "n1"]) == {"east"}
        assert [t["id"] for t, _ in uow.tasks.search(team="east")] == [AGREEMENT, SUPERVISION]
        assert uow.tasks.search(team="west") == []


def _outbox_row(store: UnitOfWorkFactory, task_id: str) -> dict[str, Any]:
    """The ``opened`` message of ``task_id`` on Mon 5 Jan, as the service built it."""
    with store() as uow:
        [task] = uow.tasks.get_many([task_id])
    return task_message(task, "opened", date(2026, 1, 5), now=NOW, authority="surrey",
                        link_base="http://localhost:8000")
