"""The task rows a save hands back for the messages are the rows a read after the writes finds:
for an event's step (an opened task is the row inserted, a closed one what its UPDATE returned)
and for a sweep's batch (tasks changed by one ``executemany``, read back), on both stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pytest

from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App
from oversight.workflows.ports.store import SavedStep, task_id
from tests.integration import team
from tests.integration.helpers import sweep

Saved = list[tuple[set[str], dict[str, dict[str, Any]], dict[str, dict[str, Any]]]]


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> Saved:
    """Each save's tasks touched, the rows it handed back, and the rows read right after."""
    seen: Saved = []
    original = SqlUnitOfWork.save_steps

    def save_and_read(self: SqlUnitOfWork, saved: Sequence[SavedStep], *,
                      recorded_at: datetime) -> dict[str, dict[str, Any]]:
        handed = original(self, saved, recorded_at=recorded_at)
        touched = {task_id(s.step.entity.kind, s.step.entity.id, key) for s in saved
                   for key in [task.key for task in s.step.opened]
                   + [change.key for change in s.step.changed]}
        read = {row["id"]: row for row in self.tasks.get_many(sorted(touched))}
        seen.append((touched, handed, read))
        return handed

    monkeypatch.setattr(SqlUnitOfWork, "save_steps", save_and_read)
    return seen


def test_an_events_tasks_handed_back_are_the_rows_read_after_its_writes(
        app: App, saves: Saved) -> None:
    """A supervision held closes the session task its relationship's start opened and opens
    the next: both rows, as read."""
    for raw in team.events(workers=2, asyes=0):
        app.service.record(parse_event(raw), now=team.NOW)
    changed = [(touched, handed, read) for touched, handed, read in saves if touched]
    assert changed, "the team's events open and close tasks"
    for touched, handed, read in changed:
        assert set(handed) == touched == set(read)
        assert handed == read


def test_a_sweeps_batch_hands_back_the_rows_read_after_its_writes(
        seeded: App, saves: Saved) -> None:
    """A claimed batch of the year's due timers breaches many tasks in one save (one
    ``executemany`` per column), then the one-by-one sweep to 31 May 2026 the rest."""
    seeded.service.fire_due(team.YEAR_END, now=team.NOW, limit=500)
    sweep(seeded, as_of=date(2026, 5, 31))
    assert max(len(touched) for touched, _, _ in saves) >= 12  # an entity's earliest timer each
    for touched, handed, read in saves:
        assert set(handed) == touched == set(read)
        assert handed == read
