"""Reading records through the read models logs the same lines on the in-memory store and on
real databases: the port's access log (``uow.access_log``) in the transaction that reads.

The store holds one relationship, tm1 supervising w0 (``relationship:tm1:w0``, whose subject is
w0), started on Mon 5 Jan 2026 under Surrey's policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oversight.states.errors import ReadRefused, UnknownEntity
from oversight.states.events.registry import parse_event
from oversight.workflows.ports.store import UnitOfWorkFactory
from oversight.workflows.reads import record_reads
from oversight.workflows.reads.record_reads import Reader
from tests.integration import team
from tests.integration.contract_stores import STORES, surrey_service

READ_AT = datetime(2026, 1, 6, 9, 30, tzinfo=UTC)
STARTED = {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
           "supervisee": "w0", "event_id": "hr-1"}


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """A Surrey store with the team's staff and tm1 supervising w0."""
    with surrey_service(request.param, tmp_path, team.staff(workers=2, asyes=0),
                        name="reads") as service:
        service.record(parse_event(STARTED), now=team.NOW)
        yield service.uow_factory


def test_each_read_and_refusal_is_one_line_and_a_missing_record_none(
        store: UnitOfWorkFactory) -> None:
    """w0 reads their relationship (allowed), w1 tries (refused), the auditor asks for one that
    does not exist (nothing logged), then reads the log of w0's relationship."""
    found = record_reads.entity(store, Reader("supervisee", "tok_w0", "w0", "my record"),
                                "relationship", "tm1:w0", READ_AT)
    assert (found.subject, found.party) == ("w0", "tm1")
    with pytest.raises(ReadRefused):
        record_reads.history(store, Reader("supervisee", "tok_w1", "w1"), "relationship",
                             "tm1:w0", READ_AT)
    auditor = Reader("auditor", "tok_au", None, "audit")
    with pytest.raises(UnknownEntity):
        record_reads.tasks(store, auditor, "relationship", "tm1:nobody", READ_AT)
    lines = record_reads.access_log(store, auditor, target="relationship:tm1:w0", now=READ_AT)
    assert [(line["resource"], line["outcome"], line["token_id"], line["person"],
             line["purpose"]) for line in lines] == [
        ("entity", "allowed", "tok_w0", "w0", "my record"),
        ("history", "refused", "tok_w1", "w1", None)]
    # Reading the log is itself a line.
    assert [line["outcome"] for line in record_reads.access_log(
        store, auditor, target="access-log:relationship:tm1:w0", now=READ_AT)] == ["allowed"]
