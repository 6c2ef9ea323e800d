"""Reading a record through the read models on the in-memory store: the read and its access-log
line commit together, a refusal is logged and committed, and a missing record is told only to a
reader of everything (with nothing logged)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from oversight.states.errors import ReadRefused, UnknownEntity
from oversight.workflows.ports.store import StoredEntity
from oversight.workflows.reads import record_reads
from oversight.workflows.reads.record_reads import Reader
from tests.fakes import FakeStore

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
ASYE = StoredEntity("asye", "sw1", "hull", "1", "enrolled", 1, "sw1", None,
                    date(2026, 9, 1), date(2026, 9, 1), {})


def _store() -> FakeStore:
    store = FakeStore()
    store.rows.entities[("asye", "sw1")] = ASYE
    return store


def test_a_supervisee_reading_their_own_journey_gets_it_and_one_allowed_line() -> None:
    """sw1 reads asye:sw1: the row comes back; the log holds one line naming the token."""
    store = _store()
    found = record_reads.entity(store, Reader("supervisee", "tok_1", "sw1", "review"), "asye",
                                "sw1", NOW)
    assert found == ASYE
    assert [(line["target"], line["outcome"], line["token_id"], line["person"],
             line["purpose"], line["at"]) for line in store.rows.access_log] == [
        ("asye:sw1", "allowed", "tok_1", "sw1", "review", NOW)]


def test_a_supervisee_reading_someone_elses_journey_is_refused_and_the_refusal_is_logged() -> None:
    """sw2 asks for asye:sw1: ReadRefused, and the refused line is committed all the same."""
    store = _store()
    with pytest.raises(ReadRefused):
        record_reads.timers(store, Reader("supervisee", "tok_2", "sw2"), "asye", "sw1", NOW)
    assert [(line["target"], line["resource"], line["outcome"])
            for line in store.rows.access_log] == [("asye:sw1", "timers", "refused")]


def test_a_missing_record_is_refused_like_a_hidden_one_for_a_scoped_reader() -> None:
    """sw2 asks for asye:sw9, which does not exist: the same refusal, the same kind of line."""
    store = _store()
    with pytest.raises(ReadRefused):
        record_reads.entity(store, Reader("supervisee", "tok_2", "sw2"), "asye", "sw9", NOW)
    assert [line["outcome"] for line in store.rows.access_log] == ["refused"]


def test_an_auditor_is_told_a_record_does_not_exist_and_nothing_is_logged() -> None:
    """The auditor reads everything: asye:sw9 is UnknownEntity, and no line was read."""
    store = _store()
    with pytest.raises(UnknownEntity):
        record_reads.history(store, Reader("auditor", "tok_a"), "asye", "sw9", NOW)
    assert store.rows.access_log == []


def test_a_command_line_read_is_logged_under_the_operating_system_user() -> None:
    """No token: the line names os:alice as the reader and no token."""
    store = _store()
    record_reads.tasks(store, Reader("admin", reader="os:alice"), "asye", "sw1", NOW)
    [line] = store.rows.access_log
    assert (line["reader"], line["token_id"], line["role"]) == ("os:alice", None, "admin")
