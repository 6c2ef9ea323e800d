"""Firing due timers: the one path every entry point of the service takes.

:func:`fire_timers` fires timers of distinct entities inside one unit of work, all of them at
once: the entities read together, every step computed, then written through the one save path.
A sweep's batch does this in a savepoint and, if any step fails, fires again one timer at a
time, each in its savepoint, so that one bad entity does not stop the rest; one timer fired by
id (``strict``) needs no savepoint, since its failure ends the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from oversight.states.machines import KINDS
from oversight.states.policy.book import PolicyBook
from oversight.states.policy.model import Policy
from oversight.states.values import Step
from oversight.workflows.ports import Collision, DueTimer, StoredEntity, UnitOfWork
from oversight.workflows.stepping import Outcome, StaffDirectory, save

RETRIES = 5
"""Attempts at a step (or a whole call) that another writer got in the way of."""


@dataclass
class FiredBatch:
    """One claimed batch of due timers (:meth:`OversightService.fire_due`)."""

    outcome: Outcome
    claimed: int
    """Timers the batch locked; 0 when nothing (more) is due."""
    failed: list[int]
    """Timers whose step failed: rolled back and still due."""
    errors: list[str] = field(default_factory=list)
    """One line per failed timer: which, and why."""


@dataclass(frozen=True)
class Firing:
    """What firing needs besides the unit of work: the policy, where links point, and how to
    tell another writer's collision from a real failure."""

    book: PolicyBook
    """The versions of the policy: each timer fires under the one in force on its day."""
    link_base: str
    """Where the links in messages point."""
    collision: Callable[[BaseException], Collision | None]
    """The store's judgement of an error (:meth:`UnitOfWorkFactory.collision`)."""


def fire_timers(uow: UnitOfWork, timers: Sequence[DueTimer], firing: Firing, *,
                now: datetime, strict: bool = False,
                held: list[dict[str, Any]] | None = None) -> FiredBatch:
    """Fire ``timers`` (at most one per entity) inside ``uow``; the caller commits.

    ``strict``: the timers fire together and a step that fails raises (the caller's transaction
    is retried or refused), with no savepoint to pay for; otherwise a failed step's timer is
    rolled back, stays due, and is listed in ``failed``. A deadlock leaves the timer due without
    listing it: locks this batch holds are in the way, and a later batch claims it. ``held``
    (strict only): the messages go there instead of the outbox.
    """
    batch = FiredBatch(Outcome(), len(timers), [])
    if not timers:
        return batch
    directory = StaffDirectory(uow.staff)  # staff read once for the whole batch
    if strict:  # no savepoint to fall back to: a failure ends the caller's transaction
        _fire(uow, timers, directory, firing, now, batch.outcome, held)
        return batch
    together = Outcome()
    savepoint = uow.savepoint()
    try:
        _fire(uow, timers, directory, firing, now, together)
    except Exception:  # noqa: BLE001 - each failure is tried again one by one, reported there
        savepoint.rollback()
    else:
        savepoint.commit()
        batch.outcome.add(together)
        return batch
    for timer in timers:
        for attempt in range(RETRIES):
            savepoint = uow.savepoint()
            one = Outcome()
            try:
                _fire(uow, [timer], directory, firing, now, one)
            except Exception as error:  # noqa: BLE001 - one bad entity must not stop the batch
                savepoint.rollback()
                collided = firing.collision(error)
                if collided == "locked":
                    break
                if collided == "changed" and attempt < RETRIES - 1:
                    continue  # another writer changed the entity: reload and fire again
                batch.failed.append(timer.id)
                batch.errors.append(f"timer {timer.id} ({timer.entity_kind}:{timer.entity_id} "
                                    f"{timer.name}): {type(error).__name__}: {error}"[:300])
                break
            savepoint.commit()
            batch.outcome.add(one)
            break
    return batch


def _fire(uow: UnitOfWork, timers: Sequence[DueTimer], directory: StaffDirectory,
          firing: Firing, now: datetime, outcome: Outcome,
          held: list[dict[str, Any]] | None = None) -> None:
    """Delete the timers, step each one's entity (if it still exists), save every step."""
    uow.timers.delete([timer.id for timer in timers])
    stored = uow.entities.get_many([(timer.entity_kind, timer.entity_id) for timer in timers])
    directory.preload(asked_about(stored.values()))
    steps: list[tuple[Step, StoredEntity | None, Policy]] = []
    for timer in timers:
        entity = stored.get((timer.entity_kind, timer.entity_id))
        if entity is None:
            continue  # its entity is gone: the timer only goes
        policy = firing.book.in_force(timer.fires_on)
        machine = KINDS[timer.entity_kind](timer.entity_id, policy=policy, directory=directory,
                                           state=entity.state, data=entity.data)
        steps.append((machine.fire(timer.name, timer.fires_on), entity, policy))
    save(uow, steps, event_id=None, now=now, outcome=outcome, link_base=firing.link_base,
         held=held)
    outcome.fired = len(timers)


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
        due = [row for row in uow.timers.of_entity(kind, entity_id)
               if _day(row["fires_on"]) <= on]
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


def asked_about(entities: Iterable[StoredEntity]) -> list[str]:
    """The people the steps of ``entities`` may ask the directory about, to read together: each
    one's subject and other party (a supervisee's start, a supervisor's manager) and the
    assignee of each task it holds (a breach escalates to their line manager). Anyone else a
    step asks about is read when asked."""
    people: list[str] = []
    for entity in entities:
        people.append(entity.subject)
        if entity.party:
            people.append(entity.party)
        people.extend(task["assignee"] for task in entity.data.get("tasks", {}).values()
                      if task.get("assignee"))
    return people
