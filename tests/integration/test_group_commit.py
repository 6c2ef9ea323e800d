"""The API's group commit (adapters/api/group_commit.py) on a real SQLite store: the events queued
while the writer is busy are applied together in one transaction, and each is answered as it
would have been alone.

To make a group on purpose, the tests hold SQLite's write lock from a plain ``sqlite3``
connection: the writer takes the first event and waits for the lock in its BEGIN IMMEDIATE, the
next events queue behind it, and the lock's release lets the writer commit the first alone and
then the queued ones as one group. Every expected store is the one ``service.record`` leaves
when the same events are recorded one by one (``store_snapshot``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from oversight.adapters.api.group_commit import GroupCommit
from oversight.adapters.api.problems import from_domain
from oversight.states.errors import UnknownEntity
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.recording.service import OversightService
from oversight.workflows.recording.stepping import Outcome
from oversight.workflows.settings import Settings
from tests.integration import team
from tests.integration.store_snapshot import first_difference, snapshot
from tests.store_templates import migrated_sqlite

NOW = team.NOW
STARTED = {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
           "supervisee": "w0"}
FIRST = {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
         "supervisee": "w2", "event_id": "g-first"}
"""The event the writer holds while the lock is taken: another pair, its own entity."""
HELD = {"type": "supervision_held", "on": "2026-02-02", "supervisor": "tm1", "supervisee": "w0",
        "event_id": "g-held"}
ORPHAN = {"type": "supervision_held", "on": "2026-01-20", "supervisor": "tm1",
          "supervisee": "w1", "event_id": "g-orphan"}
"""tm1 and w1 have no relationship in these stores: refused."""
SIGNED = {"type": "agreement_signed", "on": "2026-01-05", "supervisor": "tm1",
          "supervisee": "w0", "event_id": "g-signed"}


def _store(folder: Path) -> App:
    """A Surrey store with tm1's team (w0, w1, w2) and one relationship, tm1 and w0's."""
    folder.mkdir()
    app = initialise(Settings(home=folder, database_url=migrated_sqlite(folder / "oversight.db")),
                     "surrey")
    app.service.upsert_staff(team.staff(workers=3, asyes=0))
    app.service.record(parse_event(STARTED), now=NOW)
    return app


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[App, App]]:
    """Two equal stores: one written through the group commit, one by ``service.record``."""
    grouped, alone = _store(tmp_path / "grouped"), _store(tmp_path / "alone")
    yield grouped, alone
    grouped.engine.dispose()
    alone.engine.dispose()


@contextmanager
def write_lock(app: App) -> Iterator[None]:
    """SQLite's write lock, held by another connection until the block ends."""
    blocker = sqlite3.connect(app.settings.database_url.removeprefix("sqlite:///"),
                              isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def _until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def grouped(writer: GroupCommit, app: App, raws: list[dict[str, Any]]
            ) -> tuple[Future[Outcome], list[Future[Outcome]]]:
    """FIRST, taken by the writer alone while the lock is held, then ``raws`` queued behind it:
    released, they are one group."""
    with write_lock(app):
        first = writer.submit(parse_event(FIRST), now=NOW)
        assert first is not None
        _until(lambda: writer.waiting() == 0, "the writer takes the first event")
        queued = [writer.submit(parse_event(raw), now=NOW) for raw in raws]
        assert writer.waiting() == len(raws)
    answers = [answer for answer in queued if answer is not None]
    assert len(answers) == len(raws)
    for answer in [first, *answers]:
        answer.exception(timeout=30)  # answered: the group was committed (or refused)
    return first, answers


def one_by_one(app: App, raws: list[dict[str, Any]]) -> list[Outcome | Exception]:
    """What ``service.record`` answers for each event in turn."""
    answers: list[Outcome | Exception] = []
    for raw in raws:
        try:
            answers.append(app.service.record(parse_event(raw), now=NOW))
        except Exception as error:
            answers.append(error)
    return answers


@pytest.fixture
def writer(pair: tuple[App, App]) -> Iterator[GroupCommit]:
    running = GroupCommit(pair[0].service)
    running.start()
    yield running
    running.stop()


def test_a_refused_event_in_a_group_gets_its_own_refusal_and_the_others_are_kept(
        pair: tuple[App, App], writer: GroupCommit) -> None:
    """A session of w0, an orphan session of w1 and w0's agreement queue as one group: the
    orphan alone is refused (409 unknown-entity, the problem it gets alone), the others commit,
    and the store is the one recording them one by one leaves."""
    grouped_store, alone = pair
    first, (held, orphan, signed) = grouped(writer, grouped_store, [HELD, ORPHAN, SIGNED])
    assert (writer.groups, writer.largest) == (2, 3)  # FIRST alone, then the three together
    assert first.result().applied == held.result().applied == signed.result().applied == 1
    refused = orphan.exception()
    assert isinstance(refused, UnknownEntity)
    problem = from_domain(refused)
    assert (problem.status, problem.slug, problem.detail) == (
        409, "unknown-entity", "no relationship 'tm1:w1' in the store")

    expected = one_by_one(alone, [FIRST, HELD, ORPHAN, SIGNED])
    assert type(expected[2]) is UnknownEntity and str(expected[2]) == str(refused)
    assert first_difference(snapshot(_path(alone)), snapshot(_path(grouped_store))) is None


def test_a_duplicate_event_id_in_the_same_group_is_applied_once(
        pair: tuple[App, App], writer: GroupCommit) -> None:
    """The same session sent twice (a client's retry) lands in one group: the first is applied,
    the second is a duplicate (the API's 200), and the store holds it once."""
    grouped_store, alone = pair
    _, (once, again) = grouped(writer, grouped_store, [HELD, HELD])
    assert (writer.groups, writer.largest) == (2, 2)
    assert (once.result().applied, once.result().duplicates) == (1, 0)
    assert (again.result().applied, again.result().duplicates) == (0, 1)
    one_by_one(alone, [FIRST, HELD, HELD])
    assert first_difference(snapshot(_path(alone)), snapshot(_path(grouped_store))) is None
    with sqlite3.connect(_path(grouped_store)) as connection:
        held = connection.execute("SELECT count(*) FROM processed_events "
                                  "WHERE event_id = 'g-held'").fetchone()[0]
    assert held == 1


class BrokenGroups(OversightService):
    """The real service, except that a group fails as a bug in it would."""

    def record_each(self, items: Any, *, stop_at_refusal: bool = False) -> Any:
        raise RuntimeError("a bug in the group path")


def test_a_group_that_fails_unexpectedly_is_written_again_event_by_event(
        pair: tuple[App, App]) -> None:
    """When a group fails for a reason no event caused, each event of it is recorded on its own:
    the orphan is still refused alone and the others kept, as recorded one by one."""
    grouped_store, alone = pair
    service = grouped_store.service
    broken = BrokenGroups(uow_factory=service.uow_factory, policy=service.book,
                          link_base=service.link_base)
    writer = GroupCommit(broken)
    writer.start()
    try:
        first, (held, orphan, signed) = grouped(writer, grouped_store, [HELD, ORPHAN, SIGNED])
    finally:
        writer.stop()
    assert writer.groups == 0  # no group committed: every event went on its own
    assert first.result().applied == held.result().applied == signed.result().applied == 1
    assert isinstance(orphan.exception(), UnknownEntity)
    one_by_one(alone, [FIRST, HELD, ORPHAN, SIGNED])
    assert first_difference(snapshot(_path(alone)), snapshot(_path(grouped_store))) is None


def test_stopping_the_writer_writes_what_was_queued_and_later_events_are_recorded_directly(
        pair: tuple[App, App]) -> None:
    """Events queued before the stop are written and answered; after it, ``submit`` says no
    writer runs (None) and the API records directly."""
    grouped_store, _ = pair
    writer = GroupCommit(grouped_store.service)
    writer.start()
    with write_lock(grouped_store):
        queued = [writer.submit(parse_event(raw), now=NOW) for raw in (HELD, SIGNED)]
        _until(lambda: writer.waiting() <= 1, "the writer takes the first event")
        stopping = threading.Thread(target=writer.stop)
        stopping.start()
        _until(lambda: not writer.running, "the writer is told to stop")
        assert writer.submit(parse_event(FIRST), now=NOW) is None
    stopping.join(timeout=30)
    assert [answer.result(timeout=30).applied for answer in queued if answer] == [1, 1]


def _path(app: App) -> Path:
    return Path(app.settings.database_url.removeprefix("sqlite:///"))
