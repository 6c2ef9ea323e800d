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
from datetime import datetime
from typing import Any

from oversight.states.machines import KINDS
from oversight.states.policy.book import PolicyBook
from oversight.states.policy.model import Policy
from oversight.states.values import Step
from oversight.workflows.ports.store import Collision, DueTimer, StoredEntity, UnitOfWork
from oversight.workflows.recording.stepping import Outcome, StaffDirectory, save

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
