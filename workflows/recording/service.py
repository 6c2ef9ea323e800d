"""The application service: load an entity, apply one event or fire due timers, save everything.

State, timers, tasks, audit and outbox rows of a step commit in one transaction: a crash loses
nothing and a replay doubles nothing. An event with an ``event_id`` already applied is skipped.
The service holds a :class:`~oversight.workflows.ports.store.UnitOfWorkFactory` (the store port) and
never names the store's implementation; :mod:`oversight.workflows.bootstrap` picks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TypeVar

from oversight.states.directory import StaffMember
from oversight.states.errors import BatchRejected, EventRejected, OversightError, TaskNotClosed
from oversight.states.event_time import refuse_dates
from oversight.states.events import StaffLeft
from oversight.states.events.registry import DomainEvent
from oversight.states.machines.lifecycle import RETRACTED
from oversight.states.policy.book import PolicyBook
from oversight.states.policy.model import Policy
from oversight.workflows.ports.store import UnitOfWork, UnitOfWorkFactory
from oversight.workflows.recording.catching_up import apply_in_order
from oversight.workflows.recording.corrections import apply_late, is_late, log, record_id
from oversight.workflows.recording.firing import RETRIES, FiredBatch, Firing, fire_timers
from oversight.workflows.recording.leaving import leave
from oversight.workflows.recording.routing import Router, people_named, route
from oversight.workflows.recording.stepping import Outcome, StaffDirectory, save

HELD = ("open", "breached", "escalated")
"""Task states that still ask for something."""

T = TypeVar("T")


class OversightService:
    """Applies events and timers for one authority's store.

    Given a :class:`PolicyBook`, each step runs under the version in force on its day (the
    event's date, or the day the timer falls due) and the entity records that version; given
    one :class:`Policy`, every step runs under it.
    """

    def __init__(self, *, uow_factory: UnitOfWorkFactory, policy: Policy | PolicyBook,
                 link_base: str = "http://localhost:8000", router: Router | None = None):
        self.uow_factory = uow_factory
        # The product's route table unless a caller brings declarations of its own (a test
        # adding an event type routes through a Router of the extended declarations).
        self.route = router.route if router is not None else route
        self.book = policy if isinstance(policy, PolicyBook) else PolicyBook.of(policy)
        self.policy = self.book.current
        self.link_base = link_base
        self.firing = Firing(self.book, link_base, uow_factory.collision)

    # ----- events ------------------------------------------------------------------------------

    def record(self, event: DomainEvent, *, now: datetime) -> Outcome:
        """Apply one event to every entity it concerns, all in one transaction."""
        def attempt() -> Outcome:
            with self.uow_factory() as uow:
                outcome = self.apply_in(uow, event, now)
                if outcome.applied:
                    uow.commit()
            return outcome
        return self.retrying(attempt)

    def record_all(self, events: Sequence[DomainEvent], *, now: datetime,
                   dry_run: bool = False) -> Outcome:
        """Apply events in order in ONE transaction: all of them, or none.

        Applied as a group is (:meth:`record_each`: no savepoint per event, written in sets);
        if one is refused, again with each event in a savepoint, so that one call finds every
        refusal, then rolled back whole, :class:`BatchRejected` listing them. ``dry_run``:
        apply and report, then roll back.
        """
        batch = [(event, now) for event in events]
        def attempt(careful: bool) -> Outcome:
            total = Outcome()
            failures: list[tuple[int, OversightError]] = []
            with self.uow_factory() as uow:
                answers = self._applied(uow, batch, careful=careful, stop_at_refusal=False)
                for index, answer in enumerate(answers):
                    if isinstance(answer, OversightError):
                        failures.append((index, answer))
                    else:
                        total.add(answer)
                if failures:
                    raise BatchRejected(failures)
                if not dry_run:
                    uow.commit()
            return total
        return self.retrying(lambda: self._hopefully(attempt))

    def record_each(self, items: Sequence[tuple[DomainEvent, datetime]], *,
                    stop_at_refusal: bool = False) -> list[Outcome | OversightError]:
        """Apply events in order in ONE transaction, each judged on its own (group commit).

        Each ``(event, now)`` pair is applied with its own recording moment; a refused event
        is rolled back alone (:meth:`_hopefully`), its error in its place, the others commit
        together: each caller's answer is the one it had alone, for one commit for all.
        ``stop_at_refusal``: nothing after the first refusal (a scenario's run stops there).
        Another writer's collision retries the whole group on the new state.
        """
        group = list(items)

        def attempt(careful: bool) -> list[Outcome | OversightError]:
            with self.uow_factory() as uow:
                results = self._applied(uow, group, careful=careful,
                                        stop_at_refusal=stop_at_refusal)
                uow.commit()
            return results
        return self.retrying(lambda: self._hopefully(attempt))

    def _applied(self, uow: UnitOfWork, group: Sequence[tuple[DomainEvent, datetime]], *,
                 careful: bool, stop_at_refusal: bool) -> list[Outcome | OversightError]:
        """``group`` applied in ``uow``: ``careful``, each in a savepoint, refusals in place;
        otherwise all at once, the first refusal raised."""
        if careful:
            return self._each_in_savepoints(uow, group, stop_at_refusal=stop_at_refusal)
        directory = self._group_directory(uow, [event for event, _ in group])
        uow.events.expect([event.event_id for event, _ in group if event.event_id])
        return [self.apply_in(uow, event, now, directory) for event, now in group]

    def _hopefully(self, attempt: Callable[[bool], T]) -> T:
        """Most groups hold no refusal: applied without a savepoint per event (the writes held
        for the commit, in sets), and, when one is refused, rolled back and applied again with
        them: the answers and the rows of the careful way alone."""
        try:
            return attempt(False)
        except OversightError as error:
            if self.uow_factory.collision(error):
                raise
        return attempt(True)

    def close_task(self, task_id: str, event: DomainEvent, *, now: datetime) -> Outcome:
        """Record ``event``, which fulfils task ``task_id``, and check in the same transaction
        that it closed the task; otherwise roll back and raise :class:`TaskNotClosed`."""
        def attempt() -> Outcome:
            with self.uow_factory() as uow:
                outcome = self.apply_in(uow, event, now)
                if not outcome.applied:
                    return outcome  # the same close, repeated: it was checked the first time
                found = uow.tasks.get_many([task_id])
                if found and found[0]["state"] in HELD:
                    raise TaskNotClosed(f"{event.type} on {event.on.isoformat()} did not close "
                                        f"task {task_id}: nothing was recorded")
                uow.commit()
            return outcome
        return self.retrying(attempt)

    # ----- staff -------------------------------------------------------------------------------

    def upsert_staff(self, members: Iterable[StaffMember]) -> int:
        """Add or replace members of staff (the directory events are checked against), in one
        transaction; how many were written."""
        with self.uow_factory() as uow:
            count = uow.staff.upsert(members)
            uow.commit()
        return count

    # ----- timers ------------------------------------------------------------------------------

    def fire(self, timer_id: int, *, now: datetime) -> Outcome:
        """Fire one due timer; a timer already fired (gone) changes nothing."""
        def attempt() -> Outcome:
            with self.uow_factory() as uow:
                timer = uow.timers.get(timer_id)
                if timer is None:
                    return Outcome(stale=1)
                batch = fire_timers(uow, [timer], self.firing, now=now, strict=True)
                uow.commit()
            return batch.outcome
        return self.retrying(attempt)

    def fire_many(self, timer_ids: Iterable[int], *, now: datetime) -> Outcome:
        """Fire each timer in turn, each in its own transaction (as :meth:`fire`)."""
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
        with self.uow_factory() as uow:
            page = uow.timers.due(as_of, limit, after)
        return [(t.fires_on, t.id) for t in page if t.fires_on == page[0].fires_on]

    def fire_due(self, as_of: date, *, now: datetime, limit: int, skip: Sequence[int] = ()
                 ) -> FiredBatch:
        """Claim up to ``limit`` due timers and fire them in ONE transaction.

        The batch is what :meth:`Timers.claim_due` locks: concurrent sweepers (processes,
        hosts) take disjoint batches and never fire a timer twice; each entity's timers fire in
        (fires_on, id) order. If a step fails the batch is fired again one timer at a time,
        each in a savepoint, and a timer whose step fails stays due (listed in ``failed``; pass
        those as ``skip`` for the rest of the sweep). A crash before the commit leaves the whole
        batch due for the next sweeper.
        """
        def attempt() -> FiredBatch:
            with self.uow_factory() as uow:
                batch = fire_timers(uow, uow.timers.claim_due(as_of, limit, skip),
                                    self.firing, now=now)
                uow.commit()
            return batch
        return self.retrying(attempt)

    # ----- internals ---------------------------------------------------------------------------

    def _each_in_savepoints(self, uow: UnitOfWork, group: Sequence[tuple[DomainEvent, datetime]],
                            *, stop_at_refusal: bool) -> list[Outcome | OversightError]:
        """Apply each event of ``group`` in its own savepoint inside ``uow``: a refused one is
        rolled back alone and its error takes its place (after it, nothing more when
        ``stop_at_refusal``); another writer's collision raises, for the caller to retry."""
        results: list[Outcome | OversightError] = []
        directory = self._group_directory(uow, [event for event, _ in group])
        for event, now in group:
            savepoint = uow.savepoint()
            try:
                outcome = self.apply_in(uow, event, now, directory)
            except OversightError as error:
                savepoint.rollback()
                if self.uow_factory.collision(error):
                    raise  # the whole group is tried again on the new state
                results.append(error)
                if stop_at_refusal:
                    break
                continue
            savepoint.commit()
            results.append(outcome)
        return results

    def retrying(self, action: Callable[[], T]) -> T:
        """Run ``action``; when another writer got in the way, run it again on the new state."""
        for attempt in range(RETRIES):
            try:
                return action()
            except Exception as error:
                if not self.uow_factory.collision(error) or attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _group_directory(uow: UnitOfWork, events: Sequence[DomainEvent]) -> StaffDirectory:
        """One directory for a group's events, the staff they name read at once: no event
        writes the staff table, so what the first event read holds for the last."""
        directory = StaffDirectory(uow.staff)
        directory.preload(person for event in events for person in people_named(event))
        return directory

    def apply_in(self, uow: UnitOfWork, event: DomainEvent, now: datetime,
               directory: StaffDirectory | None = None) -> Outcome:
        """Apply one event inside ``uow``'s transaction; the caller commits. ``directory``: the
        staff already read in this unit of work (a group's events share one)."""
        outcome = Outcome()
        refuse_dates(event, now)  # every entry comes through here
        if event.event_id and not uow.events.claim(event.event_id, event.type, now):
            outcome.duplicates = 1
            return outcome
        record = record_id(event, now)  # what the event log keeps it under (and retract takes)
        if directory is None:
            directory = StaffDirectory(uow.staff)
        policy = self.book.in_force(event.on)
        for target in self.route(event, uow.entities, directory):
            if target.stored is None:
                if not target.kind.starts_under(policy, event):
                    continue  # offered by an extra route; this policy times nothing for it
                step = target.kind.begin(target.entity_id, event, policy=policy,
                                         directory=directory)
                save(uow, [(step, None, policy)], event_id=record, now=now, outcome=outcome,
                     link_base=self.link_base)
            else:
                if event.on < target.stored.started_on \
                        and target.stored.state != RETRACTED:  # (one that never was may)
                    raise EventRejected(
                        f"{target.kind.kind}:{target.entity_id}", target.stored.state,
                        event.type, f"dated {event.on.isoformat()}, before the entity started "
                                    f"on {target.stored.started_on.isoformat()}")
                if is_late(event, target.stored):  # before its last step: re-derived in order
                    apply_late(uow, target, event, record=record, book=self.book,
                               directory=directory, now=now, link_base=self.link_base,
                               outcome=outcome)
                    continue
                apply_in_order(uow, target, event, policy=policy, directory=directory,
                               firing=self.firing, record=record, now=now, outcome=outcome)
            log(uow, record, target.kind.kind, target.entity_id, event, now)
        if isinstance(event, StaffLeft):  # the leaver's obligations end everywhere
            leave(uow, event, record=record, firing=self.firing, directory=directory, now=now,
                  outcome=outcome)
        outcome.applied = 1
        outcome.recorded.append(record)
        return outcome


__all__ = ["HELD", "BatchRejected", "FiredBatch", "OversightService", "Outcome",
           "TaskNotClosed"]
