"""`oversight why` says how a closed task was met: on time, late with its breach, recorded late,
or both (a breach is never hidden by a late record)."""

from __future__ import annotations

from typing import Any

from oversight.adapters.cli.views import why_lines


def closed(breached_on: str | None, recorded_at: str | None) -> dict[str, Any]:
    """A discussion due Tue 20 Oct 2026, met Tue 10 Nov (a breach is dated Wed 21 Oct)."""
    return {"id": "child_supervision:c1:discussion:1", "type": "child_discussion", "for": "tm1",
            "role": "supervisor", "subject": "child:c1",
            "rule": {"policy": "surrey", "section": "4.1"}, "raised_on": "2026-09-22",
            "due": "2026-10-20", "state": "closed", "closed_on": "2026-11-10",
            "breached_on": breached_on, "recorded_at": recorded_at}


def state_line(task: dict[str, Any]) -> str:
    (line,) = [str(text) for text in why_lines(task) if str(text).startswith("State: ")]
    return line


def test_a_task_met_after_its_breach_and_recorded_late_says_both():
    """Met Tue 10 Nov, breached Wed 21 Oct, the record typed in on Tue 1 Dec."""
    assert state_line(closed("2026-10-21", "2026-12-01T10:00:00+00:00")) == (
        "State: closed on 2026-11-10, met late (breached 2026-10-21), recorded late "
        "(the record arrived 2026-12-01 10:00 UTC)")


def test_a_task_met_in_time_but_recorded_late_says_met():
    """Met before its due date, the record typed in later: no breach to tell."""
    assert state_line(closed(None, "2026-12-01T10:00:00+00:00")) == (
        "State: closed on 2026-11-10, met, recorded late (the record arrived 2026-12-01 10:00 UTC)")


def test_a_task_met_late_as_it_happened_says_late_with_its_breach():
    """Recorded on the day it was met: late, breached Wed 21 Oct."""
    assert state_line(closed("2026-10-21", None)) == (
        "State: closed on 2026-11-10, late (breached 2026-10-21)")
