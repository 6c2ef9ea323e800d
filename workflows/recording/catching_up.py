"""An event applied in order meets its entity as the sweep of its morning would have left it.

A breach is a fact about dates: a task due 20 Oct and met 10 Nov was breached on 21 Oct whether
or not a sweep ran between, so before an event dated ``on`` is applied to an entity, the
entity's timers due on or before ``on`` fire (:func:`fire_before`), as the replay of a late
record does (``states/replay.py``). Their messages are held until the event's step is known:
what the event ends is not told of a breach after the fact, and an escalation raised and ended
in the same recording is recorded, not sent (:func:`standing`). See docs/breach-by-event-time.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.events import DomainEvent
from oversight.states.policy.model import Policy
from oversight.workflows.ports.store import DueTimer, UnitOfWork, task_id
from oversight.workflows.recording.firing import Firing, fire_timers
from oversight.workflows.recording.stepping import Outcome, save

if TYPE_CHECKING:
    from oversight.workflows.recording.routing import Target


def apply_in_order(uow: UnitOfWork, target: Target, event: DomainEvent, *, policy: Policy,
                   directory: Directory, firing: Firing, record: str, now: datetime,
                   outcome: Outcome) -> None:
    """Fire ``target``'s timers due by the event's day, then apply ``event`` and save it, with
    the messages of both that still stand."""
    caught_up: list[dict[str, Any]] = []
    if fire_before(uow, target.kind.kind, target.entity_id, event.on, firing, now=now,
                   outcome=outcome, held=caught_up):
        stored = uow.entities.get(target.kind.kind, target.entity_id)
        assert stored is not None  # an entity's own timers never remove it
        target = replace(target, stored=stored)
    assert target.stored is not None
    machine = target.kind(target.entity_id, policy=policy, directory=directory,
                          state=target.stored.state, data=target.stored.data)
    step = machine.apply(event)
    own: list[dict[str, Any]] | None = [] if caught_up else None
    save(uow, [(step, target.stored, policy)], event_id=record, now=now, outcome=outcome,
         link_base=firing.link_base, held=own)
    if caught_up:
        ended = {task_id(step.entity.kind, step.entity.id, change.key)
                 for change in step.changed if change.change in ("closed", "withdrawn")}
        if sending := standing(caught_up, own or [], ended):
            uow.outbox.add(sending)


def fire_before(uow: UnitOfWork, kind: str, entity_id: str, on: date, firing: Firing, *,
                now: datetime, outcome: Outcome, held: list[dict[str, Any]]) -> bool:
    """Fire the entity's timers due on or before ``on``, one at a time in firing order, each as
    of its own day, before an event dated ``on`` is applied to it; whether any fired.

    A breach is a fact about dates: a task due 20 Oct and met 10 Nov was breached on 21 Oct
    whether or not a sweep ran between, so an event meets the entity as the sweep of its
    morning would have left it (the replay of a late record does the same, ``states/replay``).
    One at a time, since a firing may arm a timer that is due too (an escalation's own). The
    messages go to ``held``: the caller sends those the event leaves standing (:func:`standing`).
    """
    fired = False
    while True:
        due = uow.timers.due_of(kind, entity_id, on)
        if not due:
            return fired
        row = due[0]  # of_entity is in firing order: (fires_on, id)
        timer = DueTimer(row["id"], kind, entity_id, row["name"], _day(row["fires_on"]))
        outcome.add(fire_timers(uow, [timer], firing, now=now, strict=True,
                                held=held).outcome)
        fired = True


def standing(caught_up: Sequence[dict[str, Any]], own: Sequence[dict[str, Any]],
             ended: set[str]) -> list[dict[str, Any]]:
    """The messages to send of a catch-up (``caught_up``) and the event after it (``own``):
    a task the event ended (``ended``: task ids closed or withdrawn) is not told of its breach
    after the fact, only of its ending, and a task the catch-up raised and the event ended (an
    escalation already over) is recorded, not sent: who would get it has nothing to do."""
    raised = {m["task_id"] for m in caught_up if m["type"].endswith(".opened")}
    return [m for m in caught_up if m["task_id"] not in ended] + [
        m for m in own if not (m["task_id"] in ended and m["task_id"] in raised)]


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


__all__ = ["apply_in_order", "fire_before", "standing"]
