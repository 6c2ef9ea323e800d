"""The store port's repositories answer alike on the in-memory fake, SQLite and PostgreSQL:
entities (with the version check), timers, tasks and savepoints; the logs, events, outbox,
staff, meta and calendar are in test_store_contract_records.py.

Each case runs on the three stores of :mod:`tests.integration.contract_stores` (PostgreSQL
skipped only when ``OVERSIGHT_TEST_POSTGRES_URL`` is unset), on the rows one Surrey event
leaves (:func:`~tests.integration.contract_stores.started_store`): tm1 starts supervising w0
on Mon 5 Jan 2026 (``hr-1``), which opens the agreement due that day (surrey §6, its timer
Tue 6 Jan) and the first supervision due Mon 2 Feb (§4.1, 4-weekly: 5 Jan + 28 days; its
timer Tue 3 Feb), with an ``opened`` message for each. Where the fake once answered
otherwise, tests/fakes.py was made to answer as the stores do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from oversight.adapters.policy_files import load_policy_book
from oversight.states.errors import ConcurrentUpdate
from oversight.states.events.registry import parse_event
from oversight.states.values import Basis, EntityRef, Step, rule_from_dict
from oversight.workflows.ports.store import SavedStep, StoredEntity, UnitOfWorkFactory
from oversight.workflows.recording.service import OversightService
from tests.integration.contract_stores import (
    AGREEMENT,
    NOW,
    STORES,
    SUPERVISION,
    started_store,
)

NEW = StoredEntity("relationship", "tm1:w1", "surrey", "2024-12", "agreement_pending", 1,
                   "w1", "tm1", date(2026, 1, 5), date(2026, 1, 5), {"tasks": {}})


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """One store with the team (hos1, tm1, w0, w1, a0) and hr-1 recorded."""
    with started_store(request.param, tmp_path, name="ports") as store:
        yield store


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


def test_a_task_closed_is_what_the_listings_and_the_last_change_give(store):
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
