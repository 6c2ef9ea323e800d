"""Recording events (``OversightService.record``, ``record_all``, ``record_each``, ``close_task``
and ``apply_in``, with stepping's save and messages' outbox rows; the children a store holds,
references.py; the retry on another writer's collision) on the in-memory store.

The assessment is DOMAIN.md's worked C&F: started Wed 25 Mar 2026 under surrey §4.1, counted in
working days (day 0 is the start; Good Friday 3 Apr, Easter Monday 6 Apr and the bank holiday
Mon 4 May skipped): day 10 = Fri 10 Apr, day 20 = Fri 24 Apr, day 35 = Mon 18 May. Each task's
timer fires the day after its due date; the machine's own timers fire on day 35 and the day
after the 45-day limit (Tue 2 Jun, Mon 25 May skipped too): Wed 3 Jun.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.states.errors import (
    BatchRejected,
    ConcurrentUpdate,
    EventDateRefused,
    TaskNotClosed,
)
from oversight.states.events.registry import parse_event
from oversight.workflows.recording.closing import fulfilling_event
from oversight.workflows.recording.references import children_not_held
from tests.unit.use_cases.conftest import (
    AGREEMENT,
    NOW,
    STARTED,
    SUPERVISION,
    record,
    task_states,
)

ASSESSMENT = {"type": "assessment_started", "on": "2026-03-25", "child": "c1", "worker": "w0",
              "manager": "tm1", "event_id": "lcs-1"}
SIGNED = {"type": "agreement_signed", "on": "2026-01-05", "supervisor": "tm1",
          "supervisee": "w0"}
ORPHAN = {"type": "supervision_held", "on": "2026-01-20", "supervisor": "tm1",
          "supervisee": "w1"}  # w1 has no supervisory relationship: refused


def test_an_assessment_start_opens_each_oversight_point_due_on_its_counted_working_day(
        service, store):
    """Allocation Wed 25 Mar (day 0), day 10 Fri 10 Apr, day 20 Fri 24 Apr, day 35 and the
    completion Mon 18 May: the manager's points for tm1, the completion for w0, all §4.1."""
    outcome = record(service, **ASSESSMENT)
    assert (outcome.applied, outcome.tasks_opened, outcome.recorded) == (1, 5, ["lcs-1"])
    assert {ident: (row["due"], row["assignee"], row["authority"], row["section"])
            for ident, row in store.rows.tasks.items()} == {
        "assessment:c1:mo:allocation": (date(2026, 3, 25), "tm1", "surrey", "4.1"),
        "assessment:c1:mo:day10": (date(2026, 4, 10), "tm1", "surrey", "4.1"),
        "assessment:c1:mo:day20": (date(2026, 4, 24), "tm1", "surrey", "4.1"),
        "assessment:c1:mo:day35": (date(2026, 5, 18), "tm1", "surrey", "4.1"),
        "assessment:c1:complete": (date(2026, 5, 18), "w0", "surrey", "4.1")}
    assert store.rows.tasks["assessment:c1:complete"]["rule"]["quote"] == \
        "completion of the assessment at day 35"


def test_an_assessment_start_arms_a_timer_the_day_after_each_due_date_and_one_for_day_45(
        service, store):
    """Each task's on Thu 26 Mar, Sat 11 Apr, Sat 25 Apr and Tue 19 May (twice); the machine's
    own: day 35 itself (Mon 18 May, complete or extend) and the day after day 45 (Wed 3 Jun)."""
    record(service, **ASSESSMENT)
    assert sorted((row["fires_on"], row["name"]) for row in store.rows.timers.values()) == [
        (date(2026, 3, 26), "task:mo:allocation"), (date(2026, 4, 11), "task:mo:day10"),
        (date(2026, 4, 25), "task:mo:day20"), (date(2026, 5, 18), "day35"),
        (date(2026, 5, 19), "task:complete"), (date(2026, 5, 19), "task:mo:day35"),
        (date(2026, 6, 3), "limit")]


def test_an_event_writes_one_audit_line_one_log_row_and_a_message_per_task_opened(
        service, store):
    """The start's transition cites §4.1 under its event id, the log keeps its body, and the
    outbox holds one ``opened`` message for each of the five tasks, numbered 1 to 5."""
    record(service, **ASSESSMENT)
    [line] = store.rows.audit
    assert (line["entity_kind"], line["entity_id"], line["trigger"], line["event_id"],
            line["on"], line["rule"]["section"]) == (
        "assessment", "c1", "allocated", "lcs-1", date(2026, 3, 25), "4.1")
    [logged] = store.rows.event_log
    assert (logged.record_id, logged.type, logged.on, logged.recorded_at) == (
        "lcs-1", "assessment_started", date(2026, 3, 25), NOW)
    assert [(m["seq"], m["message"]["type"]) for m in store.rows.outbox] == [
        (n, "uk.oversight.task.opened") for n in range(1, 6)]
    assert {m["message"]["subject"] for m in store.rows.outbox} == set(store.rows.tasks)


def test_an_event_id_recorded_twice_is_a_duplicate_and_changes_no_row(service, store):
    """The same delivery of hr-1 again, even dated a day later: one duplicate, rows as before."""
    record(service, **STARTED)
    before = (dict(store.rows.tasks), len(store.rows.audit), len(store.rows.outbox))
    again = record(service, **{**STARTED, "on": "2026-01-06"})
    assert (again.applied, again.duplicates) == (0, 1)
    assert (dict(store.rows.tasks), len(store.rows.audit), len(store.rows.outbox)) == before


def test_an_event_dated_after_the_recording_moment_is_refused_and_nothing_is_written(
        service, store):
    """Dated Fri 1 Jan 2027, recorded Thu 31 Dec 2026: refused, the store still empty."""
    with pytest.raises(EventDateRefused):
        record(service, **{**STARTED, "on": "2027-01-01"})
    assert (store.rows.entities, store.rows.tasks, store.rows.processed) == ({}, {}, {})


def test_a_batch_with_one_refusal_keeps_none_of_its_events(service, store):
    """record_all: the orphan session (index 1) is named, the relationship before it undone."""
    with pytest.raises(BatchRejected) as refused:
        service.record_all([parse_event(STARTED), parse_event(ORPHAN)], now=NOW)
    assert [index for index, _ in refused.value.failures] == [1]
    assert (store.rows.entities, store.rows.outbox) == ({}, [])


def test_a_dry_run_batch_reports_its_tasks_and_keeps_nothing(service, store):
    """The start and its signature: two applied, two tasks opened, no row committed."""
    outcome = service.record_all([parse_event(STARTED), parse_event(SIGNED)], now=NOW,
                                 dry_run=True)
    assert (outcome.applied, outcome.tasks_opened) == (2, 2)
    assert (store.rows.entities, store.rows.tasks, store.rows.audit) == ({}, {}, [])


def test_a_group_answers_each_event_in_its_place_and_keeps_the_accepted_ones(service, store):
    """record_each: start, orphan, signature → Outcome, UnknownEntity, Outcome; the agreement
    is closed on Mon 5 Jan, the supervision still due Mon 2 Feb."""
    answers = service.record_each([(parse_event(STARTED), NOW), (parse_event(ORPHAN), NOW),
                                   (parse_event(SIGNED), NOW)])
    assert [type(a).__name__ for a in answers] == ["Outcome", "UnknownEntity", "Outcome"]
    assert task_states(store) == {AGREEMENT: ("closed", "2026-01-05"),
                                  SUPERVISION: ("open", "2026-02-02")}
    assert store.rows.tasks[AGREEMENT]["closed_on"] == date(2026, 1, 5)


def test_closing_a_task_records_the_event_the_task_and_its_entity_name(service, store):
    """close_task with the event closing.fulfilling_event builds for the agreement: an
    agreement_signed by tm1 and w0 on Mon 5 Jan, which closes it and disarms its timer."""
    record(service, **STARTED)
    data = store.rows.entities[("relationship", "tm1:w0")].data
    event = fulfilling_event(store.rows.tasks[AGREEMENT], data, on=date(2026, 1, 5))
    assert (event.type, event.supervisor, event.supervisee) == ("agreement_signed", "tm1", "w0")
    assert service.close_task(AGREEMENT, event, now=NOW).applied == 1
    assert store.rows.tasks[AGREEMENT]["state"] == "closed"
    assert [row["name"] for row in store.rows.timers.values()] == ["task:supervision:1"]


def test_closing_a_task_with_an_event_that_leaves_it_open_is_refused_and_rolled_back(
        service, store):
    """The signature does not hold the first supervision: TaskNotClosed, the agreement open."""
    record(service, **STARTED)
    with pytest.raises(TaskNotClosed, match=f"did not close task {SUPERVISION}"):
        service.close_task(SUPERVISION, parse_event(SIGNED), now=NOW)
    assert task_states(store)[AGREEMENT] == ("open", "2026-01-05")
    assert len(store.rows.audit) == 1


def test_the_children_a_store_does_not_hold_are_named_in_the_order_asked(service, store):
    """references.children_not_held: c1's assessment is held; c2 and c9 are not."""
    record(service, **ASSESSMENT)
    assert children_not_held(store, ["c2", "c1", "c9", "c2"]) == ["c2", "c9"]
    assert children_not_held(store, []) == []


def test_a_write_another_writer_got_in_the_way_of_is_run_again_and_any_other_error_is_not(
        service):
    """retrying: a ConcurrentUpdate the first time (the fake's collision ``changed``), then
    the answer; a refusal of the domain is raised at once, after one attempt."""
    attempts: list[int] = []

    def collides_once() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConcurrentUpdate("relationship:tm1:w0 changed since it was loaded")
        return "written"

    assert (service.retrying(collides_once), len(attempts)) == ("written", 2)
    refused: list[int] = []

    def refuses() -> None:
        refused.append(1)
        raise TaskNotClosed("not closed")

    with pytest.raises(TaskNotClosed):
        service.retrying(refuses)
    assert len(refused) == 1
