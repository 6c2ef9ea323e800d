"""``oversight replan`` on the in-memory store (replan.py): previewing and moving open tasks
onto a new version of the policy.

The policy folder adds Surrey version 2026-03, in force from Sun 1 Mar 2026, supervising
qualified social workers fortnightly instead of 4-weekly. tm1 supervises w0 from Mon 5 Jan
2026, the agreement signed that day; a session held Mon 2 Feb makes the next one due under
2024-12 on Mon 2 Mar (2 Feb + 28 days). Under 2026-03 it would be Mon 16 Feb (2 Feb + 14 days),
before the version's first day: held back to Sun 1 Mar. Its timer fires the day after.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from oversight.adapters.policy_files import load_policy_book
from oversight.states.errors import OversightError
from oversight.states.events.registry import parse_event
from oversight.states.policy.book import PolicyBook
from oversight.workflows.recording import replan
from oversight.workflows.recording.service import OversightService
from tests.fakes import FakeStore
from tests.integration import team
from tests.policy_versions import qualified_every, with_version

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
PAIR = {"supervisor": "tm1", "supervisee": "w0"}
NEXT = "relationship:tm1:w0:supervision:2"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> PolicyBook:
    """Surrey's book with version 2026-03, read once for the module."""
    folder = with_version(tmp_path_factory.mktemp("policies"), "surrey", "2026-03",
                          date(2026, 3, 1), qualified_every(2))
    return load_policy_book("surrey", folder)


@pytest.fixture
def versioned(book: PolicyBook) -> tuple[FakeStore, PolicyBook]:
    """The store after the start, the signature and the session of Mon 2 Feb."""
    store = FakeStore(team.staff(workers=1, asyes=0))
    service = OversightService(uow_factory=store, policy=book)
    for type_, on in [("relationship_started", "2026-01-05"), ("agreement_signed", "2026-01-05"),
                      ("supervision_held", "2026-02-02")]:
        service.record(parse_event({"type": type_, "on": on, **PAIR}), now=NOW)
    return store, book


def test_a_preview_lists_the_move_and_changes_nothing(versioned):
    """Mon 2 Mar → Sun 1 Mar, held back to the version's first day; the task still 2 Mar."""
    store, book = versioned
    plan = replan.preview(store, book, book.latest)
    assert [(m.task_id, m.old_due, m.new_due, m.held_back) for m in plan.moves] == [
        (NEXT, date(2026, 3, 2), date(2026, 3, 1), True)]
    assert store.rows.tasks[NEXT]["due"] == date(2026, 3, 2)


def test_applying_moves_the_task_its_timer_the_entity_and_tells_the_receivers(versioned):
    """Due Sun 1 Mar under 2026-03, timer Mon 2 Mar, one audit line on Fri 20 Mar citing the
    new version, the entity on 2026-03, and one ``rescheduled`` message."""
    store, book = versioned
    replan.apply(store, book, book.latest, on=date(2026, 3, 20), now=NOW)
    task = store.rows.tasks[NEXT]
    assert (task["due"], task["rule"]["version"]) == (date(2026, 3, 1), "2026-03")
    assert task["basis"]["explain"] == "2026-02-02 + 2 weeks = 2026-02-16"
    assert [row["fires_on"] for row in store.rows.timers.values()
            if row["name"] == "task:supervision:2"] == [date(2026, 3, 2)]
    last = store.rows.audit[-1]
    assert (last["trigger"], last["cause"], last["on"], last["rule"]["version"]) == (
        "reschedule personal_supervision", "replan:surrey@2026-03", date(2026, 3, 20), "2026-03")
    assert store.rows.entities[("relationship", "tm1:w0")].policy_version == "2026-03"
    assert store.rows.outbox[-1]["message"]["type"] == "uk.oversight.task.rescheduled"


def test_a_version_cannot_be_applied_before_it_takes_effect(versioned):
    """On Fri 27 Feb 2026, before Sun 1 Mar: refused, the task still due Mon 2 Mar."""
    store, book = versioned
    with pytest.raises(OversightError, match="takes effect on 2026-03-01"):
        replan.apply(store, book, book.latest, on=date(2026, 2, 27), now=NOW)
    assert store.rows.tasks[NEXT]["due"] == date(2026, 3, 2)
