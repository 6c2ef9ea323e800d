"""The application service: load an entity, apply one event or one due timer, save everything.

State, timers, tasks, audit and outbox rows of a step commit in one transaction: a crash loses
nothing and a replay doubles nothing. An event with an ``event_id`` already applied is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from adapters.store.unit_of_work import (
    SqlUnitOfWork,
    StoreDirectory,
    StoredEntity,
    task_id,
)
from states.errors import ConcurrentUpdate, EventRejected
from states.events import DomainEvent
from states.machines import KINDS
from states.policy import Policy
from states.values import Step
from workflows.messages import task_message
from workflows.routing import route, subject_and_party

RETRIES = 5


@dataclass
class Outcome:
    """What one call changed, for progress displays and tests."""

    applied: int = 0
    duplicates: int = 0
    fired: int = 0
    stale: int = 0
    tasks_opened: int = 0
    tasks_breached: int = 0
    transitions: list[dict] = field(default_factory=list)

    def add(self, other: "Outcome") -> None:
        self.applied += other.applied
        self.duplicates += other.duplicates
        self.fired += other.fired
        self.stale += other.stale
        self.tasks_opened += other.tasks_opened
        self.tasks_breached += other.tasks_breached
        self.transitions.extend(other.transitions)


class OversightService:
    """Applies events and timers for one authority's store."""

    def __init__(self, engine: Engine, policy: Policy, *, link_base: str = "http://localhost:8000"):
        self.engine = engine
        self.policy = policy
        self.link_base = link_base

    def record(self, event: DomainEvent, *, now: datetime) -> Outcome:
        """Apply one event to every entity it concerns, all in one transaction."""
        return self._retrying(lambda: self._record(event, now))

    def fire(self, timer_id: int, *, now: datetime) -> Outcome:
        """Fire one due timer; a timer already fired (gone) changes nothing."""
        return self._retrying(lambda: self._fire(timer_id, now))

    def fire_many(self, timer_ids: Iterable[int], *, now: datetime) -> Outcome:
        total = Outcome()
        for timer_id in timer_ids:
            total.add(self.fire(timer_id, now=now))
        return total

    def due_timer_ids(self, as_of: date, *, limit: int, after: tuple[date, int] | None = None
                      ) -> list[tuple[date, int]]:
        """The next page of due timers, in firing order, all due on the same day.

        One day per page: a timer armed while this page fires (an escalation, say) may fall due
        before a later day in the page, and must fire before it, as in a day-by-day run; the
        next page, after this one's last timer, includes it. Otherwise the batch size and the
        point where a crash split the run would decide the order of an entity's timers.
        """
        with SqlUnitOfWork(self.engine) as uow:
            page = uow.due_timers(as_of, limit, after)
        return [(t.fires_on, t.id) for t in page if t.fires_on == page[0].fires_on]

    # ----- internals ---------------------------------------------------------------------------

    def _retrying(self, action):  # type: ignore[no-untyped-def]
        for attempt in range(RETRIES):
            try:
                return action()
            except (ConcurrentUpdate, IntegrityError):
                # Another writer got there first: reload and apply again on the new state.
                if attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _record(self, event: DomainEvent, now: datetime) -> Outcome:
        outcome = Outcome()
        with SqlUnitOfWork(self.engine) as uow:
            if event.event_id and not uow.claim_event(event.event_id, event.type, now):
                outcome.duplicates = 1
                return outcome
            directory = StoreDirectory(uow)
            for target in route(event, uow, directory):
                if target.stored is None:
                    if not target.kind.starts_under(self.policy, event):
                        continue  # offered by an extra route; this policy times nothing for it
                    step = target.kind.begin(target.entity_id, event, policy=self.policy,
                                             directory=directory)
                else:
                    if event.on < target.stored.started_on:
                        raise EventRejected(
                            f"{target.kind.kind}:{target.entity_id}", target.stored.state,
                            event.type, f"dated {event.on.isoformat()}, before the entity started "
                                        f"on {target.stored.started_on.isoformat()}")
                    machine = target.kind(target.entity_id, policy=self.policy,
                                          directory=directory, state=target.stored.state,
                                          data=target.stored.data)
                    step = machine.apply(event)
                self._save(uow, step, target.stored, event.event_id, now, outcome)
            outcome.applied = 1
            uow.commit()
        return outcome

    def _fire(self, timer_id: int, now: datetime) -> Outcome:
        outcome = Outcome()
        with SqlUnitOfWork(self.engine) as uow:
            timer = uow.timer(timer_id)
            if timer is None:
                outcome.stale = 1
                return outcome
            uow.delete_timer(timer.id)
            stored = uow.get(timer.entity_kind, timer.entity_id)
            if stored is not None:
                machine = KINDS[timer.entity_kind](
                    timer.entity_id, policy=self.policy, directory=StoreDirectory(uow),
                    state=stored.state, data=stored.data)
                step = machine.fire(timer.name, timer.fires_on)
                self._save(uow, step, stored, None, now, outcome)
            outcome.fired = 1
            uow.commit()
        return outcome

    def _save(self, uow: SqlUnitOfWork, step: Step, stored: StoredEntity | None,
              event_id: str | None, now: datetime, outcome: Outcome) -> None:
        created = stored is None
        if not (created or step.transitions or step.arm or step.disarm or step.opened
                or step.changed):
            return  # a timer whose work was already done: nothing to write
        subject, party = subject_and_party(step.entity.kind, step.data)
        on = step.transitions[0].on if step.transitions else (stored.updated_on if stored else now.date())
        entity = StoredEntity(
            kind=step.entity.kind, id=step.entity.id, authority=self.policy.authority,
            policy_version=self.policy.version, state=step.state,
            version=1 if stored is None else stored.version + 1, subject=subject, party=party,
            started_on=stored.started_on if stored else on, updated_on=on, data=step.data)
        uow.save_step(step, entity, created=created, event_id=event_id, recorded_at=now)
        changes = [(task.key, "opened", task.raised_on) for task in step.opened]
        changes += [(c.key, c.change, c.on) for c in step.changed]
        if changes:
            ids = {task_id(step.entity.kind, step.entity.id, key) for key, _, _ in changes}
            rows = {row["id"]: row for row in uow.tasks(sorted(ids))}
            uow.add_outbox(
                task_message(rows[task_id(step.entity.kind, step.entity.id, key)], change, day,
                             now=now, authority=self.policy.authority, link_base=self.link_base)
                for key, change, day in changes)
        outcome.tasks_opened += len(step.opened)
        outcome.tasks_breached += sum(c.change in ("breached", "escalated") for c in step.changed)
        outcome.transitions.extend(
            {"entity": str(step.entity), "from": r.source, "to": r.dest, "trigger": r.trigger,
             "cause": r.cause, "on": r.on.isoformat(),
             "rule": {"policy": r.rule.authority, "section": r.rule.section} if r.rule else None}
            for r in step.transitions)
