"""Sending one claimed page, without a store: order per task, a failure holding back only its
own task, a dead letter holding back nothing, and the circuit that pauses a failing receiver."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from oversight.adapters.delivery.ports import DeliveryFailed
from oversight.adapters.store.circuits import Circuit, pause
from oversight.workflows.delivery.dispatch import Backoff, Page
from oversight.workflows.delivery.sending import Sender
from tests.unit.delivery_messages import message

NOW = datetime(2026, 4, 10, 9, tzinfo=UTC)
BACKOFF = Backoff(timedelta(seconds=30), timedelta(hours=1), timedelta(hours=48),
                  random.Random(3), trip_after=3)


class FakeReceiver:
    """Takes every message but those it is told to refuse; keeps what it took, in order."""

    name = "fake"

    def __init__(self, refuse: set[str] | None = None, refuse_all: bool = False):
        self.refuse, self.refuse_all = set(refuse or ()), refuse_all
        self.taken: list[dict[str, Any]] = []

    def deliver(self, sent: dict[str, Any]) -> None:
        if self.refuse_all or sent["id"] in self.refuse:
            raise DeliveryFailed("fake: HTTP 500 Internal Server Error")
        self.taken.append(sent)


def _row(seq: int, task: str, *, follows: int | None = None, due_since: datetime = NOW,
         attempts: int = 0) -> dict[str, Any]:
    made = message(task_id=task)
    made["id"] = f"m{seq}"
    return {"message_id": f"m{seq}", "receiver": "fake", "seq": seq, "task_id": task,
            "attempts": attempts, "due_since": due_since, "message": made, "follows": follows}


def _send(rows: list[dict[str, Any]], receiver: FakeReceiver, *, now: datetime = NOW,
          circuit: Circuit | None = None) -> tuple[Page, list[Any], Circuit]:
    chains: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        chains.setdefault(row["task_id"], []).append((row["seq"], row["message_id"]))
    page, recorded = Page("fake"), []
    after = Sender("fake", receiver, BACKOFF, now, chains, page, recorded.extend,
                   circuit or Circuit("fake"), lambda: now, timedelta(minutes=1)).send(rows)
    return page, recorded, after


def _outcomes(recorded: list[Any]) -> dict[str, str]:
    return {outcome.message_id: outcome.status for outcome in recorded}


def test_a_failed_send_holds_back_only_its_own_tasks_later_messages() -> None:
    """m1 of task A fails: A's m2 is given back (held), task B's m3 goes."""
    receiver = FakeReceiver(refuse={"m1"})
    page, recorded, _ = _send([_row(1, "A"), _row(2, "A", follows=1), _row(3, "B")], receiver)
    assert _outcomes(recorded) == {"m1": "pending", "m2": "released", "m3": "delivered"}
    assert (page.delivered, page.failed, page.held) == (1, 1, 1)
    assert [sent["id"] for sent in receiver.taken] == ["m3"]


def test_a_dead_letter_lets_its_tasks_next_message_go_saying_which_one_it_follows() -> None:
    """m1 fails once its 48 hours are up: it is dead, and A's m2 goes in the same page with
    sequence 2 and follows 1."""
    receiver = FakeReceiver(refuse={"m1"})
    old = NOW - timedelta(hours=49)
    page, recorded, _ = _send([_row(1, "A", due_since=old, attempts=7),
                               _row(2, "A", follows=1, due_since=old)], receiver)
    assert _outcomes(recorded) == {"m1": "dead", "m2": "delivered"}
    assert page.dead_letters == [("m1", "fake: HTTP 500 Internal Server Error")]
    [sent] = receiver.taken
    assert (sent["sequence"], sent["data"]["follows"]) == ("2", "1")


def test_three_failures_in_a_row_pause_the_receiver_and_the_rest_is_given_back() -> None:
    """trip_after = 3: three refusals open the circuit for 30 s; the fourth and fifth rows are
    not tried; a success earlier in the page would have reset the count."""
    receiver = FakeReceiver(refuse_all=True)
    rows = [_row(seq, f"T{seq}") for seq in range(1, 6)]
    page, recorded, circuit = _send(rows, receiver)
    assert _outcomes(recorded) == {"m1": "pending", "m2": "pending", "m3": "pending",
                                   "m4": "released", "m5": "released"}
    assert (page.failed, page.skipped) == (3, 2)
    assert (circuit.failures, circuit.opened, circuit.open_until) == (
        3, 1, NOW + timedelta(seconds=30))


def test_a_half_open_circuit_opens_again_at_its_first_failure_for_twice_as_long() -> None:
    """After its pause, the receiver is tried once: a failure pauses it 60 s (the second time
    in a row); a success closes it."""
    half_open = Circuit("fake", failures=3, opened=1, open_until=NOW - timedelta(seconds=1))
    _, recorded, again = _send([_row(1, "A"), _row(2, "B")], FakeReceiver(refuse_all=True),
                               circuit=half_open)
    assert _outcomes(recorded) == {"m1": "pending", "m2": "released"}
    assert (again.opened, again.open_until) == (2, NOW + timedelta(seconds=60))
    _, _, closed = _send([_row(1, "A")], FakeReceiver(), circuit=half_open)
    assert closed == Circuit("fake")
    # The 7th opening in a row: 30 s · 2^6 = 32 min; the 8th, 64 min, is held to the 1 h cap.
    assert pause(7, timedelta(seconds=30), timedelta(hours=1)) == timedelta(minutes=32)
    assert pause(8, timedelta(seconds=30), timedelta(hours=1)) == timedelta(hours=1)
