"""The service's use cases on :class:`tests.fakes.FakeStore` alone: no database, no files other
than the policy YAML, milliseconds a test.

The store holds the Surrey team of ``tests/integration/team.py``: head of service hos1 above team
manager tm1, who manages the qualified social workers w0 and w1 and the ASYE worker a0. Every
step is recorded at :data:`NOW` (Thu 31 Dec 2026, 06:00 UTC), after every date the tests use, so
no event is refused as in the future and nothing depends on the day the tests run.
"""

from __future__ import annotations

from typing import Any

import pytest

from oversight.adapters.policy_files import load_policy_book
from oversight.states.events.registry import parse_event
from oversight.states.policy.book import PolicyBook
from oversight.workflows.recording.service import OversightService
from oversight.workflows.recording.stepping import Outcome
from tests.fakes import FakeStore
from tests.integration import team

NOW = team.NOW

STARTED = {"type": "relationship_started", "on": "2026-01-05", "supervisor": "tm1",
           "supervisee": "w0", "event_id": "hr-1"}
"""tm1 starts supervising w0 on Mon 5 Jan 2026: the agreement is due that day (surrey §6,
``sign_within: 0 working days``), the first personal supervision on Mon 2 Feb 2026 (§4.1,
4-weekly for a qualified social worker: 5 Jan + 28 days)."""

AGREEMENT = "relationship:tm1:w0:agreement"
SUPERVISION = "relationship:tm1:w0:supervision:1"
ESCALATION = "relationship:tm1:w0:agreement^"


@pytest.fixture(scope="session")
def surrey_book() -> PolicyBook:
    """Surrey's policy book, read once for the whole run."""
    return load_policy_book("surrey")


@pytest.fixture
def store() -> FakeStore:
    """An in-memory store holding the team (hos1, tm1, w0, w1, a0)."""
    return FakeStore(team.staff(workers=2, asyes=1))


@pytest.fixture
def service(store: FakeStore, surrey_book: PolicyBook) -> OversightService:
    """The Surrey service over :func:`store`."""
    return OversightService(uow_factory=store, policy=surrey_book)


def record(service: OversightService, **fields: Any) -> Outcome:
    """Record one event given as the API's JSON fields."""
    return service.record(parse_event(fields), now=NOW)


def task_states(store: FakeStore) -> dict[str, tuple[str, str]]:
    """Task id → (state, due date in ISO), as committed."""
    return {ident: (row["state"], row["due"].isoformat())
            for ident, row in sorted(store.rows.tasks.items())}
