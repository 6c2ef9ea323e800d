"""The one sweep loop (workflows/recording/sweeping.py): batches until one claims nothing, the
failed timers skipped for the rest of the sweep and said once each, the totals added up."""

from __future__ import annotations

from typing import Any

from oversight.workflows.recording.sweeping import sweep_batches


def _batch(claimed: int, fired: int, failed_ids: list[int], opened: int = 0, breached: int = 0,
           errors: list[str] | None = None) -> dict[str, Any]:
    return {"claimed": claimed, "fired": fired, "failed": len(failed_ids),
            "failed_ids": failed_ids, "tasks_opened": opened, "tasks_breached": breached,
            "errors": errors or []}


def test_the_sweep_fires_batches_until_one_claims_nothing_and_skips_what_failed():
    """Three batches (5 fired, then 3 fired and timer 17 failed, then 2 fired) and an empty
    fourth: 10 fired, 1 failed, 3 batches; from the third call on, 17 is skipped."""
    script = [_batch(5, 5, [], opened=2), _batch(4, 3, [17], breached=1,
                                                 errors=["timer 17 failed: KeyError"]),
              _batch(2, 2, [], opened=1), _batch(0, 0, [])]
    asked: list[list[int]] = []
    said: list[str] = []

    def fire(skip: list[int]) -> dict[str, Any]:
        asked.append(list(skip))
        return script[len(asked) - 1]

    totals = sweep_batches(fire, said.append)
    assert totals == {"fired": 10, "stale": 0, "failed": 1, "tasks_opened": 3,
                      "tasks_breached": 1, "batches": 3}
    assert asked == [[], [], [17], [17]]
    assert said == ["timer 17 failed: KeyError"]


def test_a_sweep_with_nothing_due_is_one_empty_batch_and_no_totals():
    """Nothing due: one call, claimed 0, every total 0, nothing said."""
    said: list[str] = []
    totals = sweep_batches(lambda skip: _batch(0, 0, []), said.append)
    assert totals == {"fired": 0, "stale": 0, "failed": 0, "tasks_opened": 0,
                      "tasks_breached": 0, "batches": 0}
    assert said == []
