"""Replaying an entity's events in date order (states/replay.py): the pure half of re-derivation.

Surrey's qualified social worker is supervised 4-weekly (surrey §4.1); tm1 supervises sw2 and
tm1's line manager is hos1, who gets the escalation of a missed session.
"""

from __future__ import annotations

from datetime import date

from oversight.states.directory import StaffDirectory
from oversight.states.events import AgreementSigned, RelationshipStarted, SupervisionHeld
from oversight.states.machines import SupervisoryRelationship
from oversight.states.policy.book import PolicyBook
from oversight.states.policy.model import Policy
from oversight.states.replay import replay

STARTED = date(2026, 10, 5)  # Mon 5 Oct 2026: the first session is due 4 weeks on, Mon 2 Nov


def _events(*sessions: date) -> list:  # type: ignore[type-arg]
    return [RelationshipStarted(on=STARTED, supervisor="tm1", supervisee="sw2"),
            AgreementSigned(on=STARTED, supervisor="tm1", supervisee="sw2"),
            *(SupervisionHeld(on=day, supervisor="tm1", supervisee="sw2") for day in sessions)]


def _open_supervision(result) -> list[tuple[date, date]]:  # type: ignore[no-untyped-def]
    return [(held.task.raised_on, held.due) for held in result.tasks.values()
            if held.task.type == "personal_supervision" and held.state == "open"]


def test_an_older_session_given_last_leaves_the_next_one_due_from_the_latest(
        surrey: Policy, team: StaffDirectory) -> None:
    """Held Mon 2 Nov and Fri 20 Nov, the 2 Nov one given last: next due Fri 18 Dec (20 Nov +
    4 weeks), raised on 20 Nov, exactly as when they come in date order."""
    book = PolicyBook.of(surrey)
    late = replay(SupervisoryRelationship, "tm1:sw2", _events(date(2026, 11, 20),
                                                              date(2026, 11, 2)),
                  book=book, directory=team, until=date(2026, 11, 23))
    in_order = replay(SupervisoryRelationship, "tm1:sw2", _events(date(2026, 11, 2),
                                                                  date(2026, 11, 20)),
                      book=book, directory=team, until=date(2026, 11, 23))
    assert _open_supervision(late) == [(date(2026, 11, 20), date(2026, 12, 18))]
    assert _open_supervision(in_order) == _open_supervision(late)
    assert late.state == in_order.state == "active"
    closed = sorted((held.task.due, held.closed_on) for held in late.tasks.values()
                    if held.task.type == "personal_supervision" and held.state == "closed")
    # Due Mon 2 Nov, met that day; due Mon 30 Nov (2 Nov + 4 weeks), met Fri 20 Nov.
    assert closed == [(date(2026, 11, 2), date(2026, 11, 2)),
                      (date(2026, 11, 30), date(2026, 11, 20))]


def test_a_timer_due_before_an_event_fires_first_as_the_morning_sweep_would(
        surrey: Policy, team: StaffDirectory) -> None:
    """Session due Mon 2 Nov, next held Wed 4 Nov: the timer of Tue 3 Nov escalates it to hos1
    first, then the session closes it (and its escalation) on 4 Nov."""
    result = replay(SupervisoryRelationship, "tm1:sw2", _events(date(2026, 11, 4)),
                    book=PolicyBook.of(surrey), directory=team, until=date(2026, 11, 4))
    first = next(held for held in result.tasks.values() if held.task.due == date(2026, 11, 2))
    assert (first.state, first.breach, first.breached_on, first.closed_on) == (
        "closed", "escalated", date(2026, 11, 3), date(2026, 11, 4))
    escalation = next(held for held in result.tasks.values() if held.task.type == "escalation")
    assert (escalation.task.assignee, escalation.task.raised_on, escalation.state) == (
        "hos1", date(2026, 11, 3), "closed")
