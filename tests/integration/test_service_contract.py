"""The service's use cases give the same results on the in-memory store and on real databases.

One suite, three stores: :class:`tests.fakes.FakeStore` (no database, milliseconds), a SQLite
file, and PostgreSQL when ``OVERSIGHT_TEST_POSTGRES_URL`` names a server. Every expected value is
worked out by hand from ``surrey.yaml``:

- ``relationship_started`` on Mon 5 Jan 2026 (tm1 supervises w0, a qualified social worker)
  opens the agreement, due the same day (``sign_within: 0 working days``, §6), and the first
  personal supervision, due Mon 2 Feb 2026 (``every: 4 weeks``, §4.1: 5 Jan + 28 days). Each
  task's timer fires the day after its due date: Tue 6 Jan and Tue 3 Feb.
- The agreement unsigned when its timer fires on Tue 6 Jan is breached and escalated to tm1's
  line manager hos1, who has 5 working days (§4.3 escalation): Wed 7, Thu 8, Fri 9, Mon 12,
  Tue 13 Jan, so the escalation is due Tue 13 Jan and its timer fires Wed 14 Jan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from oversight.adapters.policy_files import load_policy_book
from oversight.states.errors import BatchRejected, ConcurrentUpdate, TaskNotClosed
from oversight.states.events.registry import parse_event
from oversight.states.values import EntityRef, Step
from oversight.workflows.bootstrap import initialise
from oversight.workflows.ports.store import SavedStep, UnitOfWorkFactory
from oversight.workflows.recording.service import OversightService
from oversight.workflows.settings import Settings
from tests.fakes import FakeStore
from tests.integration import team
from tests.integration.contract_stores import STORES, surrey_service
from tests.store_templates import migrated_sqlite

NOW = team.NOW
AGREEMENT = "relationship:tm1:w0:agreement"
SUPERVISION = "relationship:tm1:w0:supervision:1"
ESCALATION = "relationship:tm1:w0:agreement^"
STARTED = {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
           "supervisee": "w0", "event_id": "hr-1"}


@pytest.fixture(params=STORES)
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OversightService]:
    """The Surrey service over one store with the team's staff (hos1, tm1, w0, w1, a0)."""
    with surrey_service(request.param, tmp_path, team.staff(workers=2, asyes=1),
                        name="contract") as service:
        yield service


def record(service: OversightService, **fields: Any) -> Any:
    return service.record(parse_event(fields), now=NOW)


def tasks(store: UnitOfWorkFactory) -> dict[str, tuple[str, date, str, date | None]]:
    """Task id → (state, due, assignee, breached_on)."""
    with store() as uow:
        return {row["id"]: (row["state"], row["due"], row["assignee"], row["breached_on"])
                for row in uow.tasks.listing()}


def timers(store: UnitOfWorkFactory) -> list[tuple[str, date]]:
    """(name, fires_on) in firing order."""
    with store() as uow:
        return [(row["name"], row["fires_on"]) for row in uow.timers.upcoming(100)]


def messages(store: UnitOfWorkFactory) -> list[tuple[str, str]]:
    """(task id, change) of every message, in outbox order."""
    with store() as uow:
        return [(row["message"]["subject"], row["message"]["type"].rsplit(".", 1)[1])
                for row in uow.outbox.pending(NOW, 100)]


def counts(store: UnitOfWorkFactory) -> dict[str, int]:
    with store() as uow:
        return uow.row_counts()


def test_an_event_opens_its_tasks_arms_their_timers_and_queues_their_messages(service):
    """relationship_started leaves the agreement due 5 Jan and the supervision due 2 Feb."""
    outcome = record(service, **STARTED)
    assert (outcome.applied, outcome.duplicates, outcome.tasks_opened) == (1, 0, 2)
    store = service.uow_factory
    assert tasks(store) == {AGREEMENT: ("open", date(2026, 1, 5), "tm1", None),
                            SUPERVISION: ("open", date(2026, 2, 2), "tm1", None)}
    assert timers(store) == [("task:agreement", date(2026, 1, 6)),
                             ("task:supervision:1", date(2026, 2, 3))]
    assert messages(store) == [(SUPERVISION, "opened"), (AGREEMENT, "opened")]
    with store() as uow:
        entity = uow.entities.get("relationship", "tm1:w0")
        history = uow.history.lines("relationship", "tm1:w0")
    assert entity is not None
    assert (entity.state, entity.version, entity.subject, entity.party) == (
        "agreement_pending", 1, "w0", "tm1")
    assert [(line["trigger"], line["event_id"]) for line in history] == [
        ("relationship started", "hr-1")]


def test_an_event_id_applied_before_changes_nothing_the_second_time(service):
    """The same delivery twice: counted as a duplicate, every table as it was."""
    record(service, **STARTED)
    before = counts(service.uow_factory), tasks(service.uow_factory)
    again = record(service, **{**STARTED, "on": "2026-01-06"})
    assert (again.applied, again.duplicates) == (0, 1)
    assert (counts(service.uow_factory), tasks(service.uow_factory)) == before


def test_a_batch_in_a_dry_run_is_applied_reported_and_not_kept(service):
    """Two events in a dry run report what they would do; the store stays empty."""
    signed = {"type": "agreement_signed", "on": "2026-01-05", "supervisor": "tm1",
              "supervisee": "w0"}
    outcome = service.record_all([parse_event(STARTED), parse_event(signed)], now=NOW,
                                 dry_run=True)
    assert (outcome.applied, outcome.tasks_opened) == (2, 2)
    assert counts(service.uow_factory) == {"entities": 0, "timers": 0, "audit": 0, "tasks": 0,
                                           "outbox": 0, "processed_events": 0}


def test_a_batch_with_a_refused_event_names_it_and_keeps_none_of_the_batch(service):
    """The second event (a session for w1, who has no relationship) is refused: event 0 is
    rolled back too."""
    orphan = {"type": "supervision_held", "on": "2026-01-20", "supervisor": "tm1",
              "supervisee": "w1"}
    with pytest.raises(BatchRejected) as refused:
        service.record_all([parse_event(STARTED), parse_event(orphan)], now=NOW)
    assert [index for index, _ in refused.value.failures] == [1]
    assert counts(service.uow_factory)["entities"] == 0
    kept = service.record_all([parse_event(STARTED)], now=NOW)
    assert kept.applied == 1 and counts(service.uow_factory)["entities"] == 1


def test_a_group_commit_keeps_each_accepted_event_and_answers_each_refusal_in_its_place(service):
    """Three events in one group: the orphan session in the middle (w1 has no relationship)
    is refused alone; the relationship and its signed agreement around it are kept, as if
    recorded one by one."""
    orphan = {"type": "supervision_held", "on": "2026-01-20", "supervisor": "tm1",
              "supervisee": "w1"}
    signed = {"type": "agreement_signed", "on": "2026-01-05", "supervisor": "tm1",
              "supervisee": "w0"}
    results = service.record_each([(parse_event(STARTED), NOW), (parse_event(orphan), NOW),
                                   (parse_event(signed), NOW)])
    assert [type(r).__name__ for r in results] == ["Outcome", "UnknownEntity", "Outcome"]
    assert [r.applied for r in results if not isinstance(r, Exception)] == [1, 1]
    assert tasks(service.uow_factory)[AGREEMENT][0] == "closed"
    assert counts(service.uow_factory)["entities"] == 1


def test_a_group_that_stops_at_its_first_refusal_keeps_what_came_before_it(service):
    """Stopping at the refusal: the relationship is kept, the signature after the orphan
    session is not applied and has no answer."""
    orphan = {"type": "supervision_held", "on": "2026-01-20", "supervisor": "tm1",
              "supervisee": "w1"}
    signed = {"type": "agreement_signed", "on": "2026-01-05", "supervisor": "tm1",
              "supervisee": "w0"}
    results = service.record_each([(parse_event(STARTED), NOW), (parse_event(orphan), NOW),
                                   (parse_event(signed), NOW)], stop_at_refusal=True)
    assert [type(r).__name__ for r in results] == ["Outcome", "UnknownEntity"]
    assert tasks(service.uow_factory)[AGREEMENT][0] == "open"


def test_closing_a_task_records_the_event_that_fulfils_it(service):
    """agreement_signed on 5 Jan closes the agreement on time; the supervision stays open."""
    record(service, **STARTED)
    signed = parse_event({"type": "agreement_signed", "on": "2026-01-05", "supervisor": "tm1",
                          "supervisee": "w0"})
    assert service.close_task(AGREEMENT, signed, now=NOW).applied == 1
    assert tasks(service.uow_factory)[AGREEMENT] == ("closed", date(2026, 1, 5), "tm1", None)
    assert [name for name, _ in timers(service.uow_factory)] == ["task:supervision:1"]


def test_closing_a_task_with_an_event_that_leaves_it_open_records_nothing(service):
    """The agreement's signature does not hold the supervision: refused, the agreement still
    open, nothing written."""
    record(service, **STARTED)
    before = counts(service.uow_factory), tasks(service.uow_factory)
    signed = parse_event({"type": "agreement_signed", "on": "2026-01-05", "supervisor": "tm1",
                          "supervisee": "w0"})
    with pytest.raises(TaskNotClosed, match=f"did not close task {SUPERVISION}"):
        service.close_task(SUPERVISION, signed, now=NOW)
    assert (counts(service.uow_factory), tasks(service.uow_factory)) == before


def test_the_due_timer_breaches_the_agreement_and_escalates_it_to_the_line_manager(service):
    """As of Wed 7 Jan only the agreement's timer (6 Jan) is due: escalated to hos1, due 13 Jan."""
    record(service, **STARTED)
    batch = service.fire_due(date(2026, 1, 7), now=NOW, limit=10)
    assert (batch.claimed, batch.failed, batch.outcome.fired) == (1, [], 1)
    assert (batch.outcome.tasks_opened, batch.outcome.tasks_breached) == (1, 1)
    store = service.uow_factory
    assert tasks(store) == {AGREEMENT: ("escalated", date(2026, 1, 5), "tm1", date(2026, 1, 6)),
                            ESCALATION: ("open", date(2026, 1, 13), "hos1", None),
                            SUPERVISION: ("open", date(2026, 2, 2), "tm1", None)}
    assert timers(store) == [("task:agreement^", date(2026, 1, 14)),
                             ("task:supervision:1", date(2026, 2, 3))]
    assert messages(store)[2:] == [(ESCALATION, "opened"), (AGREEMENT, "escalated")]


def test_firing_again_finds_nothing_due_and_changes_nothing(service):
    """A second sweep of the same day claims nothing; a timer asked for by an id no timer has
    (already fired) is stale."""
    record(service, **STARTED)
    service.fire_due(date(2026, 1, 7), now=NOW, limit=10)
    before = counts(service.uow_factory), tasks(service.uow_factory)
    assert service.fire_due(date(2026, 1, 7), now=NOW, limit=10).claimed == 0
    assert service.fire(999, now=NOW).stale == 1
    assert (counts(service.uow_factory), tasks(service.uow_factory)) == before


def test_one_timer_fired_by_id_does_what_the_sweep_does(service):
    """fire(id) of the agreement's timer escalates it exactly as fire_due did."""
    record(service, **STARTED)
    [page] = service.due_timer_ids(date(2026, 1, 7), limit=10)
    assert page[0] == date(2026, 1, 6)
    outcome = service.fire(page[1], now=NOW)
    assert (outcome.fired, outcome.tasks_opened, outcome.tasks_breached) == (1, 1, 1)
    assert tasks(service.uow_factory)[ESCALATION] == ("open", date(2026, 1, 13), "hos1", None)


def test_a_save_based_on_a_stale_load_is_refused_and_the_newer_row_kept(service):
    """The version check: an entity loaded at version 1, saved after a session made it 2, is
    refused by the time the unit of work commits (a SQL store holds its writes until then)."""
    record(service, **STARTED)
    with service.uow_factory() as uow:
        stale = uow.entities.get("relationship", "tm1:w0")
    assert stale is not None
    record(service, type="supervision_held", on="2026-01-20", supervisor="tm1", supervisee="w0")
    late = dataclasses.replace(stale, version=stale.version + 1, state="ended")
    with service.uow_factory() as uow:
        with pytest.raises(ConcurrentUpdate, match="relationship:tm1:w0 changed"):
            uow.save_steps([SavedStep(Step(EntityRef("relationship", "tm1:w0"), "ended",
                                           late.data), late)], recorded_at=NOW)
            uow.commit()
    with service.uow_factory() as uow:
        kept = uow.entities.get("relationship", "tm1:w0")
    # A session is held, the agreement still unsigned: the relationship stays agreement_pending.
    # Version 4: the agreement's breach and its escalation's fired before the session (a
    # breach is judged by the dates), then the session.
    assert kept is not None and (kept.version, kept.state) == (4, "agreement_pending")


def test_the_fake_store_ends_with_the_same_rows_as_sqlite(tmp_path):
    """After the same event and sweep, every task, timer, audit line and message has the same
    columns and values on both (ids, which each store numbers itself, left out)."""
    staff = team.staff(workers=2, asyes=1)
    fake = OversightService(uow_factory=FakeStore(), policy=load_policy_book("surrey"))
    app = initialise(Settings(home=tmp_path, database_url=migrated_sqlite(tmp_path / "a.db")),
                     "surrey")
    try:
        found = []
        for service in (fake, app.service):
            service.upsert_staff(staff)
            record(service, **STARTED)
            service.fire_due(date(2026, 1, 7), now=NOW, limit=10)
            with service.uow_factory() as uow:
                found.append((
                    uow.tasks.listing(),
                    [{k: v for k, v in r.items() if k != "id"} for r in uow.timers.upcoming(9)],
                    [{k: v for k, v in r.items() if k in ("entity_kind", "entity_id", "source",
                                                          "dest", "trigger", "cause", "on",
                                                          "rule", "actor", "event_id")}
                     for r in uow.history.lines()],
                    [r["message"] for r in uow.outbox.pending(NOW, 9)]))
        assert len(found[0][0]) == 3  # the agreement, its escalation, the supervision
        assert found[0] == found[1]
    finally:
        app.engine.dispose()


def test_a_timer_id_fired_twice_changes_nothing_even_after_new_timers_are_armed(service):
    """A retried fire(id) of the agreement's timer (fired on Tue 6 Jan, arming the escalation's
    timer for Wed 14 Jan) is stale: the id names no timer any more, on every store (SQLite
    would otherwise hand the deleted id to the escalation's new timer and fire it early)."""
    record(service, **STARTED)
    [page] = service.due_timer_ids(date(2026, 1, 7), limit=10)
    assert service.fire(page[1], now=NOW).fired == 1
    before = counts(service.uow_factory), tasks(service.uow_factory), timers(service.uow_factory)
    again = service.fire(page[1], now=NOW)
    assert (again.fired, again.stale) == (0, 1)
    assert (counts(service.uow_factory), tasks(service.uow_factory),
            timers(service.uow_factory)) == before
    assert tasks(service.uow_factory)[ESCALATION] == ("open", date(2026, 1, 13), "hos1", None)


def test_tasks_and_audit_lines_read_a_page_at_a_time_are_those_the_listings_give(service):
    """``each`` and ``each_line`` (a simulation's read-back, one row at a time) give the rows of
    ``listing`` and ``lines`` in their order: the agreement then the first supervision, and the
    relationship's first transition."""
    record(service, **STARTED)
    with service.uow_factory() as uow:
        listed, lines = uow.tasks.listing(), uow.history.lines()
        assert [row["id"] for row in listed] == [AGREEMENT, SUPERVISION]
        assert list(uow.tasks.each()) == listed
        assert len(lines) == 1 and list(uow.history.each_line()) == lines


def test_a_pause_writes_the_moved_dates_arithmetic_to_the_task_on_every_store(
        service: OversightService):
    """ASYE a0 enrolled Fri 31 Jul 2026 (tm1 supervises): the 3-month review is Sat 31 Oct,
    moved to Mon 2 Nov (weekend). Paused Mon 3 Aug, resumed Thu 13 Aug (10 days): Sat 31 Oct
    + 10 = Tue 10 Nov, a working day; the row's due date and its arithmetic say so alike. On
    PostgreSQL the resumption's history lines (~115 characters) need migration 0011's wider
    audit trigger (VARCHAR(64) refused them)."""
    record(service, type="asye_enrolled", on="2026-07-31", worker="a0", supervisor="tm1")
    with service.uow_factory() as uow:
        [opened] = [row for row in uow.tasks.of_entity("asye", "a0")
                    if row["key"] == "review:three_month"]
    assert opened["due"] == date(2026, 11, 2)
    assert opened["basis"]["explain"] == ("3 months after Fri 31 Jul 2026 = Sat 31 Oct 2026, "
                                          "moved to Mon 2 Nov 2026 (weekend)")
    record(service, type="asye_paused", on="2026-08-03", worker="a0")
    record(service, type="asye_resumed", on="2026-08-13", worker="a0")
    with service.uow_factory() as uow:
        [moved] = [row for row in uow.tasks.of_entity("asye", "a0")
                   if row["key"] == "review:three_month"]
    assert moved["id"] == opened["id"] and moved["due"] == date(2026, 11, 10)
    assert moved["basis"]["result"] == "2026-11-10" and moved["basis"]["shifted_days"] == 10
    assert moved["basis"]["explain"] == ("3 months after Fri 31 Jul 2026 = Sat 31 Oct 2026, "
                                         "+ 10 days paused = Tue 10 Nov 2026")


def test_a_reallocated_child_is_found_by_its_new_worker_on_every_store(service: OversightService):
    """c1 allocated to w0 on Mon 5 Jan 2026, reallocated to w1 on Mon 2 Feb: the entity's party
    is w1 and a find by party finds it under w1, no longer under w0 (the row's party was once
    left at the first worker when the data moved on)."""
    record(service, type="child_allocated", on="2026-01-05", child="c1", worker="w0",
           manager="tm1", case_type="cin", plan="cin")
    record(service, type="child_reallocated", on="2026-02-02", child="c1", worker="w1",
           manager="tm1")
    with service.uow_factory() as uow:
        [stored] = uow.entities.find("child_supervision", subject="c1")
        under_w1 = [e.id for e in uow.entities.find("child_supervision", party="w1")]
        under_w0 = [e.id for e in uow.entities.find("child_supervision", party="w0")]
    assert (stored.party, stored.data["worker"]) == ("w1", "w1")
    assert (under_w1, under_w0) == (["c1"], [])
