"""The store port's repositories answer alike on the in-memory fake, SQLite and PostgreSQL.

Each case runs on the three stores of :mod:`tests.integration.contract_stores` (PostgreSQL
skipped only when ``OVERSIGHT_TEST_POSTGRES_URL`` is unset), on the rows one Surrey event
leaves: tm1 starts supervising w0 on Mon 5 Jan 2026 (``hr-1``), which opens the agreement due
that day (surrey §6, its timer Tue 6 Jan) and the first supervision due Mon 2 Feb (§4.1,
4-weekly: 5 Jan + 28 days; its timer Tue 3 Feb), with an ``opened`` message for each. Where
the fake once answered otherwise, tests/fakes.py was made to answer as the stores do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from oversight.adapters.policy_files import load_policy_book
from oversight.states.directory import StaffMember
from oversight.states.errors import ConcurrentUpdate
from oversight.states.event_time import as_utc
from oversight.states.events.registry import parse_event
from oversight.states.values import Basis, EntityRef, Step, rule_from_dict
from oversight.workflows.ports.store import (
    SavedStep,
    StaffRecord,
    StoredEntity,
    UnitOfWorkFactory,
)
from oversight.workflows.recording.messages import task_message
from oversight.workflows.recording.service import OversightService
from tests.integration import team
from tests.integration.contract_stores import STORES, surrey_service

NOW = team.NOW
AGREEMENT = "relationship:tm1:w0:agreement"
SUPERVISION = "relationship:tm1:w0:supervision:1"
STARTED = {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
           "supervisee": "w0", "event_id": "hr-1"}
NEW = StoredEntity("relationship", "tm1:w1", "surrey", "2024-12", "agreement_pending", 1,
                   "w1", "tm1", date(2026, 1, 5), date(2026, 1, 5), {"tasks": {}})


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """One store with the team (hos1, tm1, w0, w1, a0) and hr-1 recorded."""
    with surrey_service(request.param, tmp_path, team.staff(workers=2, asyes=1),
                        name="ports") as service:
        service.record(parse_event(STARTED), now=NOW)
        yield service.uow_factory


def saved(entity: StoredEntity, *, created: bool = False) -> SavedStep:
    """A step that changes nothing but the entity row."""
    return SavedStep(Step(EntityRef(entity.kind, entity.id), entity.state, entity.data),
                     entity, created=created)


def test_an_entity_saved_is_loaded_as_saved_and_a_stale_or_second_create_refused(store):
    """w1's relationship created at version 1 and moved to 2; a save from version 1 again is
    ConcurrentUpdate, a second create another writer's collision; the row stays at 2."""
    with store() as uow:
        uow.save_steps([saved(NEW, created=True)], recorded_at=NOW)
        uow.commit()
    moved = dataclasses.replace(NEW, version=2, state="active", updated_on=date(2026, 1, 6))
    with store() as uow:
        assert uow.entities.get("relationship", "tm1:w1") == NEW
        uow.save_steps([saved(moved)], recorded_at=NOW)
        uow.commit()
    with store() as uow, pytest.raises(ConcurrentUpdate):
        uow.save_steps([saved(moved)], recorded_at=NOW)
        uow.commit()
    # A second create is the database's duplicate key on SQL: either way another writer's.
    with store() as uow, pytest.raises(Exception) as twice:
        uow.save_steps([saved(NEW, created=True)], recorded_at=NOW)
        uow.commit()
    assert store.collision(twice.value) == "changed"
    with store() as uow:
        assert uow.entities.get("relationship", "tm1:w1") == moved
        assert uow.entities.get_many([("relationship", "tm1:w1"), ("relationship", "x")]) == {
            ("relationship", "tm1:w1"): moved}


def test_entities_are_found_listed_and_counted_by_kind_person_and_state(store):
    """w0's relationship by subject, by party tm1, by person; one agreement_pending; its last
    change Mon 5 Jan. A write left uncommitted is gone."""
    with store() as uow:
        uow.save_steps([saved(NEW, created=True)], recorded_at=NOW)  # never committed
    with store() as uow:
        assert [e.id for e in uow.entities.find("relationship", subject="w0")] == ["tm1:w0"]
        assert [e.id for e in uow.entities.find("relationship", party="tm1")] == ["tm1:w0"]
        assert [e.id for e in uow.entities.listing(["relationship", "asye"], person="w0")] == [
            "tm1:w0"]
        assert uow.entities.listing(["relationship"], subjects=["w1"]) == []
        assert uow.entities.counts() == [("relationship", "agreement_pending", 1)]
        assert uow.entities.last_updated() == date(2026, 1, 5)


def test_due_timers_come_in_firing_order_and_a_claimed_one_deleted_is_gone(store):
    """As of Tue 6 Jan only the agreement's timer is due; by Tue 3 Feb both, the entity's
    earliest claimed; deleted, it is neither due nor got, and the supervision's is next."""
    with store() as uow:
        assert [(t.name, t.fires_on) for t in uow.timers.due(date(2026, 1, 6), 10)] == [
            ("task:agreement", date(2026, 1, 6))]
        both = uow.timers.due(date(2026, 2, 3), 10)
        assert [t.name for t in both] == ["task:agreement", "task:supervision:1"]
        assert uow.timers.due(date(2026, 2, 3), 10, after=(both[0].fires_on, both[0].id)) == \
            both[1:]
        [claimed] = uow.timers.claim_due(date(2026, 2, 3), 10)
        assert claimed == both[0] and uow.timers.get(claimed.id) == claimed
        assert uow.timers.claim_due(date(2026, 2, 3), 10, skip=[claimed.id]) == []
        uow.timers.delete([claimed.id])
        uow.commit()
    with store() as uow:
        assert uow.timers.get(claimed.id) is None
        assert [(t["name"], t["fires_on"], t["rule"]["section"])
                for t in uow.timers.of_entity("relationship", "tm1:w0")] == [
            ("task:supervision:1", date(2026, 2, 3), "4.1")]
        assert [t["name"] for t in uow.timers.upcoming(5)] == ["task:supervision:1"]


def test_open_tasks_are_listed_searched_and_retimed_with_their_timer(store):
    """Both tasks open for tm1, about w0; due in January only the agreement; retimed to
    Mon 9 Feb, the supervision's timer fires Tue 10 Feb."""
    with store() as uow:
        assert [r["id"] for r in uow.tasks.listing(["open"])] == [AGREEMENT, SUPERVISION]
        assert [r["id"] for r in uow.tasks.open_of("surrey")] == [AGREEMENT, SUPERVISION]
        assert uow.tasks.open_of("devon") == []
        assert [r["id"] for r in uow.tasks.due_between(date(2026, 1, 1), date(2026, 1, 31),
                                                       assignees=["tm1"])] == [AGREEMENT]
        assert uow.tasks.due_between(date(2026, 1, 1), date(2026, 3, 1), assignees=["w1"]) == []
        assert [(t["id"], e["subject"]) for t, e in uow.tasks.search(
            subject="w0", due_from=date(2026, 2, 1))] == [(SUPERVISION, "w0")]
        assert uow.tasks.search(assignee="hos1") == []
        assert uow.tasks.last_changed() is None
        row = uow.tasks.get_many([SUPERVISION])[0]
        # 5 Jan + 5 weeks = Mon 9 Feb, as a new version of the rule might say.
        uow.tasks.retime("relationship", "tm1:w0", "supervision:1", due=date(2026, 2, 9),
                         rule=rule_from_dict(row["rule"]),
                         basis=Basis(date(2026, 1, 5), "5 weeks", date(2026, 2, 9)))
        uow.commit()
    with store() as uow:
        moved = uow.tasks.get_many([SUPERVISION])[0]
        assert (moved["due"], moved["basis"]["explain"]) == (
            date(2026, 2, 9), "2026-01-05 + 5 weeks = 2026-02-09")
        assert [t["fires_on"] for t in uow.timers.of_entity("relationship", "tm1:w0")
                if t["name"] == "task:supervision:1"] == [date(2026, 2, 10)]


def test_a_task_closed_and_one_breached_are_what_the_listings_and_last_change_give(store):
    """Signed on Mon 5 Jan: the agreement closed that day, the supervision still open; the
    store's last task change is Mon 5 Jan, and each row's entity is w0's relationship."""
    service = OversightService(uow_factory=store, policy=load_policy_book("surrey"))
    service.record(parse_event({"type": "agreement_signed", "on": "2026-01-05",
                                "supervisor": "tm1", "supervisee": "w0"}), now=NOW)
    with store() as uow:
        assert [(r["id"], r["state"], r["closed_on"]) for r in uow.tasks.listing()] == [
            (AGREEMENT, "closed", date(2026, 1, 5)), (SUPERVISION, "open", None)]
        assert [r["id"] for r in uow.tasks.of_entity("relationship", "tm1:w0")] == [
            AGREEMENT, SUPERVISION]
        assert uow.tasks.last_changed() == date(2026, 1, 5)
        found = uow.tasks.with_entity(AGREEMENT)
        assert found is not None
        assert (found[1]["kind"], found[1]["subject"], found[1]["party"]) == (
            "relationship", "w0", "tm1")
        assert uow.tasks.with_entity("relationship:tm1:w0:nothing") is None


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


def test_a_savepoint_rolled_back_undoes_only_what_followed_it(store):
    """A meta key before the savepoint stays; w1's relationship and a claim after it go."""
    with store() as uow:
        uow.meta.set("before", "kept")
        savepoint = uow.savepoint()
        uow.save_steps([saved(NEW, created=True)], recorded_at=NOW)
        uow.events.claim("hr-9", "relationship_started", NOW)
        savepoint.rollback()
        uow.commit()
    with store() as uow:
        assert uow.meta.get("before") == "kept"
        assert uow.entities.get("relationship", "tm1:w1") is None
        assert not uow.events.applied("hr-9")


def _outbox_row(store: UnitOfWorkFactory, task_id: str) -> dict[str, Any]:
    """The ``opened`` message of ``task_id`` on Mon 5 Jan, as the service built it."""
    with store() as uow:
        [task] = uow.tasks.get_many([task_id])
    return task_message(task, "opened", date(2026, 1, 5), now=NOW, authority="surrey",
                        link_base="http://localhost:8000")
