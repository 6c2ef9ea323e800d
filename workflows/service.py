"""The application service: load an entity, apply one event or one due timer, save everything.

State, timers, tasks, audit and outbox rows of a step commit in one transaction: a crash loses
nothing and a replay doubles nothing. An event with an ``event_id`` already applied is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from oversight.adapters.store.unit_of_work import (
    SqlUnitOfWork,
    StoreDirectory,
    StoredEntity,
    task_id,
)
from oversight.states.errors import ConcurrentUpdate, EventRejected, OversightError
from oversight.states.events.registry import DomainEvent
from oversight.states.machines import KINDS
from oversight.states.policy.model import Policy
from oversight.states.policy.book import PolicyBook
from oversight.states.values import Step
from oversight.workflows.messages import task_message
from oversight.workflows.routing import route, subject_and_party

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


@dataclass
class FiredBatch:
    """One claimed batch of due timers (:meth:`OversightService.fire_due`)."""

    outcome: Outcome
    claimed: int
    """Timers the batch locked; 0 when nothing (more) is due."""
    failed: list[int]
    """Timers whose step failed: rolled back and still due."""
    errors: list[str] = field(default_factory=list)


CONFLICTS = ("40001", "40P01")
"""PostgreSQL's serialization_failure and deadlock_detected: the transaction may be retried."""


def _is_conflict(error: BaseException) -> bool:
    """Whether ``error`` means another writer got there first (so trying again is right)."""
    if isinstance(error, (ConcurrentUpdate, IntegrityError)):
        return True
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    return isinstance(error, DBAPIError) and code in CONFLICTS


def _is_deadlock(error: BaseException) -> bool:
    return getattr(getattr(error, "orig", None), "sqlstate", None) in CONFLICTS


class BatchRejected(OversightError):
    """Events of a batch were refused, so none of the batch was applied.

    ``failures`` lists every refused event by its position in the batch (from 0) with the
    reason; later events that depended on a refused one are refused too.
    """

    def __init__(self, failures: list[tuple[int, OversightError]]):
        self.failures = failures
        lines = [f"event {index}: {error}" for index, error in failures[:20]]
        if len(failures) > 20:
            lines.append(f"... and {len(failures) - 20} more")
        super().__init__(f"{len(failures)} event(s) refused, none applied:\n" + "\n".join(lines))


class TaskNotClosed(OversightError):
    """The event recorded to close a task by hand left it open: nothing was recorded."""


HELD = ("open", "breached", "escalated")
"""Task states that still ask for something."""


class OversightService:
    """Applies events and timers for one authority's store.

    Given a :class:`PolicyBook`, each step runs under the version in force on its day (the
    event's date, or the day the timer falls due) and the entity records that version; given
    one :class:`Policy`, every step runs under it.
    """

    def __init__(self, engine: Engine, policy: Policy | PolicyBook, *,
                 link_base: str = "http://localhost:8000"):
        self.engine = engine
        self.book = policy if isinstance(policy, PolicyBook) else PolicyBook.of(policy)
        self.policy = self.book.current
        self.link_base = link_base

    def record(self, event: DomainEvent, *, now: datetime) -> Outcome:
        """Apply one event to every entity it concerns, all in one transaction."""
        return self._retrying(lambda: self._record(event, now))

    def record_all(self, events: Sequence[DomainEvent], *, now: datetime,
                   dry_run: bool = False) -> Outcome:
        """Apply events in order in ONE transaction: all of them, or none.

        Each event is tried in a savepoint so that one call finds every refusal; if any event
        is refused the whole transaction rolls back and :class:`BatchRejected` lists them.
        ``dry_run``: apply and report, then roll back.
        """
        batch = list(events)
        return self._retrying(lambda: self._record_all(batch, now, dry_run))

    def close_task(self, task_id: str, event: DomainEvent, *, now: datetime) -> Outcome:
        """Record ``event``, which fulfils task ``task_id``, and check in the same transaction
        that it closed the task; otherwise roll back and raise :class:`TaskNotClosed`."""
        return self._retrying(lambda: self._close_task(task_id, event, now))

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

    def fire_due(self, as_of: date, *, now: datetime, limit: int, skip: Sequence[int] = ()
                 ) -> FiredBatch:
        """Claim up to ``limit`` due timers and fire them in ONE transaction.

        The batch is what :meth:`SqlUnitOfWork.claim_due_timers` locks: concurrent sweepers
        (processes, hosts) take disjoint batches and never fire a timer twice; each entity's
        timers fire in (fires_on, id) order. The batch is written with a few statements; if a
        step fails it is fired again one timer at a time, each in a savepoint, and a timer whose
        step fails stays due (listed in ``failed``; pass those as ``skip`` for the rest of the
        sweep). A crash before the commit leaves the whole batch due for the next sweeper.
        """
        return self._retrying(lambda: self._fire_due(as_of, now, limit, skip))

    def _fire_due(self, as_of: date, now: datetime, limit: int, skip: Sequence[int]
                  ) -> FiredBatch:
        batch = FiredBatch(Outcome(), 0, [])
        with SqlUnitOfWork(self.engine) as uow:
            timers = uow.claim_due_timers(as_of, limit, skip)
            batch.claimed = len(timers)
            directory = StoreDirectory(uow)  # staff read once for the whole batch
            if timers and self._fire_together(uow, timers, directory, now, batch.outcome):
                uow.commit()
                return batch
            for timer in timers:  # one by one, each in its savepoint: a failure stays apart
                for attempt in range(RETRIES):
                    savepoint = uow.savepoint()
                    one = Outcome()
                    try:
                        self._fire_claimed(uow, timer, directory, now, one)
                    except Exception as error:  # noqa: BLE001 - one bad entity must not stop the batch
                        savepoint.rollback()
                        if _is_deadlock(error):
                            break  # locks this batch holds are in the way: a later batch claims it
                        if _is_conflict(error) and attempt < RETRIES - 1:
                            continue  # another writer changed the entity: reload and fire again
                        batch.failed.append(timer.id)
                        batch.errors.append(f"timer {timer.id} ({timer.entity_kind}:"
                                            f"{timer.entity_id} {timer.name}): "
                                            f"{type(error).__name__}: {error}"[:300])
                        break
                    savepoint.commit()
                    batch.outcome.add(one)
                    break
            uow.commit()
        return batch

    def _fire_together(self, uow: SqlUnitOfWork, timers: list, directory: StoreDirectory,  # type: ignore[type-arg]
                       now: datetime, outcome: Outcome) -> bool:
        """Fire a claimed batch with a handful of statements: the entities read in one query,
        every step computed, then each kind of row written by one executemany (each batch
        touches an entity once, so no step reads another's writes). Writes what :meth:`_save`
        writes. False, with nothing written, if any step fails: then they go one by one."""
        savepoint = uow.savepoint()
        try:
            stored = uow.get_many([(t.entity_kind, t.entity_id) for t in timers])
            fired: list[tuple[Step, StoredEntity, Policy]] = []
            for timer in timers:
                entity = stored.get((timer.entity_kind, timer.entity_id))
                if entity is None:
                    continue
                policy = self.book.in_force(timer.fires_on)
                machine = KINDS[timer.entity_kind](
                    timer.entity_id, policy=policy, directory=directory, state=entity.state,
                    data=entity.data)
                step = machine.fire(timer.name, timer.fires_on)
                if step.transitions or step.arm or step.disarm or step.opened or step.changed:
                    fired.append((step, entity, policy))
            uow.delete_timers([t.id for t in timers])
            saved = []
            for step, entity, policy in fired:  # the new row of each entity, as _save builds it
                subject, party = subject_and_party(step.entity.kind, step.data)
                saved.append((step, StoredEntity(
                    kind=step.entity.kind, id=step.entity.id, authority=policy.authority,
                    policy_version=policy.version, state=step.state, version=entity.version + 1,
                    subject=subject, party=party, started_on=entity.started_on,
                    updated_on=step.transitions[0].on if step.transitions else entity.updated_on,
                    data=step.data)))
            uow.save_steps(saved, recorded_at=now)
            changes = [(step, policy, key, change, day) for step, _, policy in fired
                       for key, change, day in
                       [(task.key, "opened", task.raised_on) for task in step.opened]
                       + [(c.key, c.change, c.on) for c in step.changed]]
            ids = {task_id(step.entity.kind, step.entity.id, key) for step, _, key, _, _ in changes}
            rows = {row["id"]: row for row in uow.tasks(sorted(ids))}
            uow.add_outbox(
                task_message(rows[task_id(step.entity.kind, step.entity.id, key)], change, day,
                             now=now, authority=policy.authority, link_base=self.link_base)
                for step, policy, key, change, day in changes)
        except Exception:  # noqa: BLE001 - every failure is retried one by one, and reported there
            savepoint.rollback()
            return False
        savepoint.commit()
        outcome.fired = len(timers)
        for step, _, _ in fired:
            outcome.tasks_opened += len(step.opened)
            outcome.tasks_breached += sum(c.change in ("breached", "escalated")
                                          for c in step.changed)
            outcome.transitions.extend(
                {"entity": str(step.entity), "from": r.source, "to": r.dest,
                 "trigger": r.trigger, "cause": r.cause, "on": r.on.isoformat(),
                 "rule": {"policy": r.rule.authority, "section": r.rule.section}
                 if r.rule else None} for r in step.transitions)
        return True

    def _fire_claimed(self, uow: SqlUnitOfWork, timer, directory: StoreDirectory,  # type: ignore[no-untyped-def]
                      now: datetime, outcome: Outcome) -> None:
        """Fire one claimed timer inside the batch's transaction (as :meth:`_fire` does)."""
        uow.delete_timer(timer.id)
        stored = uow.get(timer.entity_kind, timer.entity_id)
        if stored is not None:
            policy = self.book.in_force(timer.fires_on)
            machine = KINDS[timer.entity_kind](
                timer.entity_id, policy=policy, directory=directory,
                state=stored.state, data=stored.data)
            step = machine.fire(timer.name, timer.fires_on)
            self._save(uow, step, stored, None, now, outcome, policy)
        outcome.fired = 1

    # ----- internals ---------------------------------------------------------------------------

    def _retrying(self, action):  # type: ignore[no-untyped-def]
        for attempt in range(RETRIES):
            try:
                return action()
            except (ConcurrentUpdate, IntegrityError):
                # Another writer got there first: reload and apply again on the new state.
                if attempt == RETRIES - 1:
                    raise
            except DBAPIError as error:
                # PostgreSQL: a deadlock or serialisation failure between writers; try again.
                if not _is_conflict(error) or attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _record(self, event: DomainEvent, now: datetime) -> Outcome:
        with SqlUnitOfWork(self.engine) as uow:
            outcome = self._apply(uow, event, now)
            if outcome.applied:
                uow.commit()
        return outcome

    def _record_all(self, events: list[DomainEvent], now: datetime, dry_run: bool) -> Outcome:
        total = Outcome()
        failures: list[tuple[int, OversightError]] = []
        with SqlUnitOfWork(self.engine) as uow:
            for index, event in enumerate(events):
                savepoint = uow.savepoint()
                try:
                    outcome = self._apply(uow, event, now)
                except ConcurrentUpdate:
                    raise  # the whole batch is tried again on the new state
                except OversightError as error:
                    savepoint.rollback()
                    failures.append((index, error))
                    continue
                savepoint.commit()
                total.add(outcome)
            if failures:
                raise BatchRejected(failures)
            if not dry_run:
                uow.commit()
        return total

    def _close_task(self, task_id: str, event: DomainEvent, now: datetime) -> Outcome:
        with SqlUnitOfWork(self.engine) as uow:
            outcome = self._apply(uow, event, now)
            if not outcome.applied:
                return outcome  # the same close, repeated: it was checked the first time
            found = uow.tasks([task_id])
            if found and found[0]["state"] in HELD:
                raise TaskNotClosed(f"{event.type} on {event.on.isoformat()} did not close task "
                                    f"{task_id}: nothing was recorded")
            uow.commit()
        return outcome

    def _apply(self, uow: SqlUnitOfWork, event: DomainEvent, now: datetime) -> Outcome:
        """Apply one event inside ``uow``'s transaction; the caller commits."""
        outcome = Outcome()
        if event.event_id and not uow.claim_event(event.event_id, event.type, now):
            outcome.duplicates = 1
            return outcome
        directory = StoreDirectory(uow)
        policy = self.book.in_force(event.on)
        for target in route(event, uow, directory):
            if target.stored is None:
                if not target.kind.starts_under(policy, event):
                    continue  # offered by an extra route; this policy times nothing for it
                step = target.kind.begin(target.entity_id, event, policy=policy,
                                         directory=directory)
            else:
                if event.on < target.stored.started_on:
                    raise EventRejected(
                        f"{target.kind.kind}:{target.entity_id}", target.stored.state,
                        event.type, f"dated {event.on.isoformat()}, before the entity started "
                                    f"on {target.stored.started_on.isoformat()}")
                machine = target.kind(target.entity_id, policy=policy,
                                      directory=directory, state=target.stored.state,
                                      data=target.stored.data)
                step = machine.apply(event)
            self._save(uow, step, target.stored, event.event_id, now, outcome, policy)
        outcome.applied = 1
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
                policy = self.book.in_force(timer.fires_on)
                machine = KINDS[timer.entity_kind](
                    timer.entity_id, policy=policy, directory=StoreDirectory(uow),
                    state=stored.state, data=stored.data)
                step = machine.fire(timer.name, timer.fires_on)
                self._save(uow, step, stored, None, now, outcome, policy)
            outcome.fired = 1
            uow.commit()
        return outcome

    def _save(self, uow: SqlUnitOfWork, step: Step, stored: StoredEntity | None,
              event_id: str | None, now: datetime, outcome: Outcome, policy: Policy) -> None:
        created = stored is None
        if not (created or step.transitions or step.arm or step.disarm or step.opened
                or step.changed):
            return  # a timer whose work was already done: nothing to write
        subject, party = subject_and_party(step.entity.kind, step.data)
        on = step.transitions[0].on if step.transitions else (stored.updated_on if stored else now.date())
        entity = StoredEntity(
            kind=step.entity.kind, id=step.entity.id, authority=policy.authority,
            policy_version=policy.version, state=step.state,
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
                             now=now, authority=policy.authority, link_base=self.link_base)
                for key, change, day in changes)
        outcome.tasks_opened += len(step.opened)
        outcome.tasks_breached += sum(c.change in ("breached", "escalated") for c in step.changed)
        outcome.transitions.extend(
            {"entity": str(step.entity), "from": r.source, "to": r.dest, "trigger": r.trigger,
             "cause": r.cause, "on": r.on.isoformat(),
             "rule": {"policy": r.rule.authority, "section": r.rule.section} if r.rule else None}
            for r in step.transitions)
