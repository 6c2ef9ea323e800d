"""Which stored task a replayed one is (workflows/recording/task_matching.py): the same obligation
keeps its identifier; one the store never had gets a number no stored task used."""

from __future__ import annotations

from datetime import date
from typing import Any

from oversight.states.replay import ReplayedTask
from oversight.states.values import Basis, RuleRef, Task
from oversight.workflows.recording.task_matching import match_keys

RULE = RuleRef("surrey", "4.1", "personal_supervision.roles.qualified_social_worker")


def _task(key: str, raised: date, due: date, escalates: str | None = None) -> ReplayedTask:
    kind = "escalation" if escalates else "personal_supervision"
    return ReplayedTask(Task(key=key, type=kind, assignee="hos1" if escalates else "tm1",
                             assignee_role="supervisor", subject="supervisee:sw1",
                             raised_on=raised, due=due, rule=RULE,
                             basis=Basis(raised, "4 weeks", due), escalates=escalates,
                             level=1 if escalates else 0))


def _row(key: str, raised: date, due: date, escalated: bool = False) -> dict[str, Any]:
    return {"key": key, "type": "escalation" if escalated else "personal_supervision",
            "assignee": "hos1" if escalated else "tm1", "level": 1 if escalated else 0,
            "raised_on": raised, "due": due, "basis": {"result": due.isoformat()}}


def test_a_session_recorded_late_keeps_the_stored_ids_and_numbers_the_new_task_afresh() -> None:
    """Stored: supervision:1 (due Mon 2 Nov) escalated as supervision:1^, supervision:2 raised
    Fri 20 Nov (due Fri 18 Dec). The replay with the 2 Nov session numbers them 1, 2 (raised 2
    Nov, due Mon 30 Nov), 3 (raised 20 Nov): 3 is stored supervision:2, and the replay's 2,
    which the store never had, becomes supervision:4 (after the replay's 3)."""
    replayed = {
        "supervision:1": _task("supervision:1", date(2026, 10, 5), date(2026, 11, 2)),
        "supervision:2": _task("supervision:2", date(2026, 11, 2), date(2026, 11, 30)),
        "supervision:3": _task("supervision:3", date(2026, 11, 20), date(2026, 12, 18)),
    }
    stored = [_row("supervision:1", date(2026, 10, 5), date(2026, 11, 2)),
              _row("supervision:1^", date(2026, 11, 3), date(2026, 11, 10), escalated=True),
              _row("supervision:2", date(2026, 11, 20), date(2026, 12, 18))]
    names, matched, seq = match_keys(replayed, stored, 3)
    assert names == {"supervision:1": "supervision:1", "supervision:3": "supervision:2",
                     "supervision:2": "supervision:4"}
    assert matched == {"supervision:1", "supervision:2"}
    assert seq == 4


def test_an_escalation_raised_again_on_the_same_day_keeps_its_id() -> None:
    """The replay escalates supervision:1 on Tue 3 Nov as the store did: supervision:1^."""
    replayed = {
        "supervision:1": _task("supervision:1", date(2026, 10, 5), date(2026, 11, 2)),
        "supervision:1^": _task("supervision:1^", date(2026, 11, 3), date(2026, 11, 10),
                                escalates="supervision:1"),
    }
    stored = [_row("supervision:1", date(2026, 10, 5), date(2026, 11, 2)),
              _row("supervision:1^", date(2026, 11, 3), date(2026, 11, 10), escalated=True)]
    names, matched, _ = match_keys(replayed, stored, 1)
    assert names == {"supervision:1": "supervision:1", "supervision:1^": "supervision:1^"}
    assert matched == {"supervision:1", "supervision:1^"}
