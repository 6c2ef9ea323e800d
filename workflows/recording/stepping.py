"""Saving what a machine step decided, and counting it: shared by events and timers.

:func:`save` turns each step into the entity's new row, writes them all through the unit of
work's one save path, then adds a message per task change to the outbox, in the same
transaction. :class:`Outcome` is what a call changed, for progress displays and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oversight.states.directory import StaffMember
from oversight.states.policy.model import Policy
from oversight.states.values import Step
from oversight.workflows.ports.store import SavedStep, Staff, StoredEntity, UnitOfWork, task_id
from oversight.workflows.recording.messages import task_message
from oversight.workflows.recording.routing import subject_and_party


@dataclass
class Outcome:
    """What one call changed, for progress displays and tests."""

    applied: int = 0
    """Events applied (0 for a duplicate)."""
    duplicates: int = 0
    """Events skipped because their ``event_id`` was applied before."""
    fired: int = 0
    """Timers fired."""
    stale: int = 0
    """Timers asked for that had already fired (gone)."""
    tasks_opened: int = 0
    tasks_breached: int = 0
    """Tasks breached or escalated."""
    transitions: list[dict[str, Any]] = field(default_factory=list)
    """Each transition, JSON-ready: entity, from, to, trigger, cause, on, rule."""
    recorded: list[str] = field(default_factory=list)
    """The id each applied event is logged under (what ``oversight event retract`` takes)."""

    def add(self, other: Outcome) -> None:
        self.applied += other.applied
        self.duplicates += other.duplicates
        self.fired += other.fired
        self.stale += other.stale
        self.tasks_opened += other.tasks_opened
        self.tasks_breached += other.tasks_breached
        self.transitions.extend(other.transitions)
        self.recorded.extend(other.recorded)


class StaffDirectory:
    """The store's staff as the domain's Directory, each person read once per unit of work.

    Safe to keep for a whole group of events or batch of timers: no event or timer writes the
    staff table (it changes only through ``upsert_staff`` and ``import staff``, each its own
    transaction); a ``staff_left`` or ``role_changed`` changes entities (a relationship keeps
    its supervisee's role in its data), never the staff row a later event would read.
    """

    def __init__(self, staff: Staff):
        self._staff = staff
        self._seen: dict[str, StaffMember | None] = {}

    def preload(self, people: Iterable[str]) -> None:
        """Read those of ``people`` not yet seen together (a query per 500, not one each); an
        unknown id is remembered as unknown. A person not preloaded is still read on demand."""
        wanted = [person for person in dict.fromkeys(people) if person not in self._seen]
        if not wanted:
            return
        found = self._staff.members(wanted)
        for person in wanted:
            self._seen[person] = found.get(person)

    def member(self, person: str) -> StaffMember | None:
        if person not in self._seen:
            self._seen[person] = self._staff.member(person)
        return self._seen[person]

    def line_manager_of(self, person: str) -> str | None:
        member = self.member(person)
        return member.line_manager if member else None


def changes_anything(step: Step) -> bool:
    """Whether an existing entity's step has anything to write (a timer whose work was
    already done has not)."""
    return bool(step.transitions or step.arm or step.disarm or step.opened or step.changed)


def entity_row(step: Step, stored: StoredEntity | None, policy: Policy,
               now: datetime) -> StoredEntity:
    """The entity's row after ``step``: the day of its first transition, else the day kept."""
    subject, party = subject_and_party(step.entity.kind, step.data)
    on = step.transitions[0].on if step.transitions else (
        stored.updated_on if stored else now.date())
    return StoredEntity(
        kind=step.entity.kind, id=step.entity.id, authority=policy.authority,
        policy_version=policy.version, state=step.state,
        version=1 if stored is None else stored.version + 1, subject=subject, party=party,
        started_on=stored.started_on if stored else on, updated_on=on, data=step.data)


def save(uow: UnitOfWork, steps: Sequence[tuple[Step, StoredEntity | None, Policy]], *,
         event_id: str | None, now: datetime, outcome: Outcome, link_base: str,
         held: list[dict[str, Any]] | None = None) -> None:
    """Write ``steps`` (of distinct entities; None: created by its step) and their messages.

    Steps of existing entities that change nothing are left out. Messages go to the outbox in
    step order, each step's in the order its tasks changed; given ``held``, they are put there
    instead, for the caller to send what still stands (:func:`firing.fire_before`).
    """
    kept = [(step, stored, policy) for step, stored, policy in steps
            if stored is None or changes_anything(step)]
    if not kept:
        return
    rows = uow.save_steps([SavedStep(step, entity_row(step, stored, policy, now),
                                     created=stored is None, event_id=event_id)
                           for step, stored, policy in kept], recorded_at=now)
    changes = [(step, policy, key, change, day) for step, _, policy in kept
               for key, change, day in
               [(task.key, "opened", task.raised_on) for task in step.opened]
               + [(c.key, c.change, c.on) for c in step.changed]]
    if changes:  # each task's row as the writes left it: the save hands them back, no read
        messages = (
            task_message(rows[task_id(step.entity.kind, step.entity.id, key)], change, day,
                         now=now, authority=policy.authority, link_base=link_base)
            for step, policy, key, change, day in changes)
        if held is None:
            uow.outbox.add(messages)
        else:
            held.extend(messages)
    for step, _, _ in kept:
        outcome.tasks_opened += len(step.opened)
        outcome.tasks_breached += sum(c.change in ("breached", "escalated")
                                      for c in step.changed)
        outcome.transitions.extend(
            {"entity": str(step.entity), "from": r.source, "to": r.dest, "trigger": r.trigger,
             "cause": r.cause, "on": r.on.isoformat(),
             "rule": {"policy": r.rule.authority, "section": r.rule.section} if r.rule else None}
            for r in step.transitions)
