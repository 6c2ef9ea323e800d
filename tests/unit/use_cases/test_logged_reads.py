"""Reads that log who read what (record_reads.py) on the in-memory store: each read is one
access-log line naming the credential (token id, person, purpose) or the operating-system
user, written in the read's own transaction; a refusal is logged too.

The store holds tm1 supervising w0 from Mon 5 Jan 2026 (relationship:tm1:w0, subject w0,
party tm1) and the assessment of child c1 allocated to w0 and managed by tm1 from Wed 25 Mar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from oversight.states.errors import ReadRefused, UnknownEntity
from oversight.workflows.reads import record_reads
from oversight.workflows.reads.record_reads import Reader, TaskFilter
from tests.unit.use_cases.conftest import STARTED, SUPERVISION, record

READ_AT = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
MANAGER = Reader("manager", "tok_tm1", "tm1", "supervision prep")
W1 = Reader("supervisee", "tok_w1", "w1")


@pytest.fixture
def held(service, store):
    """The relationship and the assessment recorded."""
    record(service, **STARTED)
    record(service, type="assessment_started", on="2026-03-25", child="c1", worker="w0",
           manager="tm1", event_id="lcs-1")
    return store


def lines(store) -> list[tuple[str, str, str, str | None, str | None]]:
    """(resource, target, outcome, token, person) of every access-log line."""
    return [(line["resource"], line["target"], line["outcome"], line["token_id"],
             line["person"]) for line in store.rows.access_log]


def test_reading_a_task_logs_its_entity_under_the_readers_token(held):
    """tm1 reads w0's first supervision: the row comes back, one line for the relationship."""
    row = record_reads.task(held, MANAGER, SUPERVISION, READ_AT)
    assert (row["due"], row["assignee"]) == (date(2026, 2, 2), "tm1")
    assert lines(held) == [("task", "relationship:tm1:w0", "allowed", "tok_tm1", "tm1")]
    [line] = held.rows.access_log
    assert (line["at"], line["purpose"], line["role"]) == (READ_AT, "supervision prep",
                                                           "manager")


def test_a_task_outside_the_readers_scope_is_refused_and_the_refusal_logged(held):
    """w1 asks for w0's supervision: ReadRefused, one ``refused`` line naming the task."""
    with pytest.raises(ReadRefused):
        record_reads.task(held, W1, SUPERVISION, READ_AT)
    assert lines(held) == [("task", f"task:{SUPERVISION}", "refused", "tok_w1", "w1")]


def test_a_page_of_tasks_logs_each_listed_entity_once(held):
    """tm1 lists the tasks due in April: the assessment's day 10 (Fri 10 Apr) and day 20
    (Fri 24 Apr) points, both c1's: one line for assessment:c1."""
    page, total = record_reads.task_page(
        held, MANAGER, TaskFilter(due_from=date(2026, 4, 1), due_to=date(2026, 4, 30)),
        limit=10, offset=0, now=READ_AT)
    assert ([row["id"] for row in page], total) == (
        ["assessment:c1:mo:day10", "assessment:c1:mo:day20"], 2)
    assert lines(held) == [("tasks", "assessment:c1", "allowed", "tok_tm1", "tm1")]


def test_a_supervisee_may_not_list_another_persons_tasks(held):
    """w1 filters by tm1's tasks: refused, logged against person:tm1."""
    with pytest.raises(ReadRefused):
        record_reads.task_page(held, W1, TaskFilter(person="tm1"), limit=10, offset=0,
                               now=READ_AT)
    assert lines(held) == [("tasks", "person:tm1", "refused", "tok_w1", "w1")]


def test_an_entitys_timers_and_history_are_each_one_line(held):
    """w0 reads their relationship's timers (two: the agreement's Tue 6 Jan, the supervision's
    Tue 3 Feb) and history (the start): two lines, ``timers`` then ``history``."""
    w0 = Reader("supervisee", "tok_w0", "w0")
    timers = record_reads.timers(held, w0, "relationship", "tm1:w0", READ_AT)
    assert [(t["name"], t["fires_on"]) for t in timers] == [
        ("task:agreement", date(2026, 1, 6)), ("task:supervision:1", date(2026, 2, 3))]
    history = record_reads.history(held, w0, "relationship", "tm1:w0", READ_AT)
    assert [line["event_id"] for line in history] == ["hr-1"]
    assert [line[0] for line in lines(held)] == ["timers", "history"]


def test_reading_a_persons_calendar_is_logged_and_a_stranger_refused(held):
    """tm1 reads w0's calendar (allowed); w1 reads tm1's (refused); the auditor asks for x9,
    who does not exist (UnknownEntity, nothing logged); the operator (os:alice) reads w0's."""
    record_reads.person_read(held, MANAGER, "w0", "calendar", READ_AT)
    with pytest.raises(ReadRefused):
        record_reads.person_read(held, W1, "tm1", "calendar", READ_AT)
    with pytest.raises(UnknownEntity):
        record_reads.person_read(held, Reader("auditor", "tok_au"), "x9", "calendar", READ_AT)
    alice = Reader("admin", reader="os:alice")
    assert record_reads.staff_read(held, alice, "w0", "calendar", READ_AT)
    assert not record_reads.staff_read(held, alice, "x9", "calendar", READ_AT)
    assert lines(held) == [("calendar", "person:w0", "allowed", "tok_tm1", "tm1"),
                           ("calendar", "person:tm1", "refused", "tok_w1", "w1"),
                           ("calendar", "person:w0", "allowed", None, None)]
    assert held.rows.access_log[-1]["reader"] == "os:alice"


def test_what_a_command_showed_and_the_log_itself_are_logged(held):
    """log_shown of two entities (duplicates once), then the auditor reads the log of
    assessment:c1: that line, and the reading of the log is a line of its own."""
    alice = Reader("admin", reader="os:alice")
    record_reads.log_shown(held, alice, "tasks", ["assessment:c1", "assessment:c1",
                                                  "relationship:tm1:w0"], READ_AT)
    auditor = Reader("auditor", "tok_au", None, "audit")
    found = record_reads.access_log(held, auditor, target="assessment:c1", now=READ_AT)
    assert [(line["resource"], line["reader"]) for line in found] == [("tasks", "os:alice")]
    assert lines(held)[-1] == ("access-log", "access-log:assessment:c1", "allowed", "tok_au",
                               None)
    assert len(held.rows.access_log) == 3
