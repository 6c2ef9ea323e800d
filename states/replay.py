"""One entity's life re-run from its events, in date order, as if each had come in time.

A late record (dated before the entity's last step) or a retraction changes the past: what the
entity should be now is found by running its lifecycle again from the event that created it,
every event in date order, each under the policy version in force on its day, and its due
timers fired between events exactly as the daily sweep would (a timer due on or before an
event's day fires before it: the sweep runs at the start of the day), up to ``until`` (today).

An entity whose earliest remaining event cannot create it (the record that did was retracted)
never was (:func:`never_was`): it ends, its tasks withdrawn and its timers disarmed.

Pure: no clock, no store. The application (``workflows/recording/rederive.py``) compares the result
with what is stored and writes the difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from oversight.states.directory import Directory
from oversight.states.events import DomainEvent
from oversight.states.leaving import leaving_step
from oversight.states.machines.lifecycle import RETRACTED, Lifecycle
from oversight.states.policy.book import PolicyBook
from oversight.states.values import Basis, Step, Task, Timer, TransitionRecord


@dataclass
class ReplayedTask:
    """A task as the replay leaves it: how it was opened, and what became of it."""

    task: Task
    state: str = "open"
    due: date | None = None
    closed_on: date | None = None
    """The day it was closed or withdrawn."""
    breached_on: date | None = None
    breach: str | None = None
    """``breached`` or ``escalated`` if its due date passed before it was met."""
    basis: Basis | None = None
    """The arithmetic of ``due``: the task's own, or a rescheduling's (a pause added before
    the roll), as the save writes it to the task's row."""

    def __post_init__(self) -> None:
        if self.due is None:
            self.due = self.task.due
        if self.basis is None:
            self.basis = self.task.basis


@dataclass
class Replayed:
    """The entity as its events, in date order, leave it on ``until``."""

    state: str
    data: dict[str, Any]
    started_on: date
    updated_on: date
    """The day of its last step that changed anything (as the store keeps ``updated_on``)."""
    policy_version: str
    tasks: dict[str, ReplayedTask] = field(default_factory=dict)
    """Every task the replay opened, by key, in the order opened."""
    timers: dict[str, Timer] = field(default_factory=dict)
    """The timers still armed, by name, in firing order among equal dates (insertion order)."""
    transitions: dict[int, tuple[TransitionRecord, ...]] = field(default_factory=dict)
    """The audit lines of each event's step, by the event's position in the input."""


def replay(kind: type[Lifecycle], entity_id: str, events: Sequence[DomainEvent], *,
           book: PolicyBook, directory: Directory, until: date) -> Replayed:
    """Run ``kind``'s lifecycle from ``events`` (the first creates it), in date order (ties: a
    creating event first, then in the order given), firing due timers between them and then
    up to ``until``."""
    ordered = _in_date_order(kind, events)
    first = events[ordered[0]]
    policy = book.in_force(first.on)
    step = kind.begin(entity_id, first, policy=policy, directory=directory)
    result = Replayed(state=step.state, data=step.data, started_on=first.on,
                      updated_on=first.on, policy_version=policy.version)
    _absorb(result, step, first.on)
    result.transitions[ordered[0]] = step.transitions
    for index in ordered[1:]:
        event = events[index]
        _fire_due(kind, entity_id, result, book, directory, event.on)
        if result.state in kind.final_states:
            continue  # in time it would have found the entity over, and not reached it
        policy = book.in_force(event.on)
        machine = kind(entity_id, policy=policy, directory=directory, state=result.state,
                       data=result.data)
        if event.type == "staff_left" and event.type not in kind.handlers:
            # The event whose type is staff_left is a StaffLeft, which the base type cannot say.
            step = leaving_step(machine, event, timers=list(result.timers))  # type: ignore[arg-type]
        else:
            step = machine.apply(event)
        if _absorb(result, step, event.on):
            result.policy_version = policy.version
        result.transitions[index] = step.transitions
    _fire_due(kind, entity_id, result, book, directory, until)
    return result


def _fire_due(kind: type[Lifecycle], entity_id: str, result: Replayed, book: PolicyBook,
              directory: Directory, as_of: date) -> None:
    """Fire the timers due on or before ``as_of`` one at a time in firing order, as the sweep
    does: a timer armed by one firing (an escalation) fires in turn if it is due too."""
    while True:
        due = [(timer.fires_on, order, name) for order, (name, timer)
               in enumerate(result.timers.items()) if timer.fires_on <= as_of]
        if not due:
            return
        fires_on, _, name = min(due)
        del result.timers[name]
        policy = book.in_force(fires_on)
        machine = kind(entity_id, policy=policy, directory=directory, state=result.state,
                       data=result.data)
        if _absorb(result, machine.fire(name, fires_on), fires_on):
            result.policy_version = policy.version


def _absorb(result: Replayed, step: Step, on: date) -> bool:
    """Take one step's output as the service would save it; whether it changed anything."""
    changed = bool(step.created or step.transitions or step.arm or step.disarm or step.opened
                   or step.changed)
    if not changed:
        return False
    result.state, result.data = step.state, step.data
    if step.transitions:
        result.updated_on = step.transitions[0].on
    for name in set(step.disarm) | {timer.name for timer in step.arm}:
        result.timers.pop(name, None)  # re-armed timers go to the back, as a new row would
    for timer in step.arm:
        result.timers[timer.name] = timer
    for task in step.opened:
        result.tasks[task.key] = ReplayedTask(task)
    for change in step.changed:
        held = result.tasks.get(change.key)
        if held is None:
            continue  # a task opened before the replay's events (cannot happen from creation)
        if change.change == "rescheduled":
            held.due = change.due
            held.basis = change.basis or held.basis
        elif change.change in ("breached", "escalated"):
            held.state, held.breached_on, held.breach = change.change, change.on, change.change
        else:
            held.state, held.closed_on = change.change, change.on
    return True


def starts(kind: type[Lifecycle], events: Sequence[DomainEvent]) -> bool:
    """Whether the earliest of ``events`` (ties in the order given) creates an entity of
    ``kind``: if not (its creating record retracted), the entity never was."""
    if not events:
        return False
    first = events[_in_date_order(kind, events)[0]]
    return first.type == kind.creates_on or first.type in kind.also_starts_on


def _in_date_order(kind: type[Lifecycle], events: Sequence[DomainEvent]) -> list[int]:
    """The positions of ``events`` in date order; on one day, an event that creates the entity
    first (recorded again after its retraction, it is logged after that day's others), then
    the order given."""
    def rank(event: DomainEvent) -> int:
        return 0 if event.type == kind.creates_on else 1 if event.type in kind.also_starts_on \
            else 2
    return sorted(range(len(events)), key=lambda i: (events[i].on, rank(events[i]), i))


def never_was(data: dict[str, Any], *, started_on: date, updated_on: date,
              policy_version: str) -> Replayed:
    """What an entity whose creating record was retracted re-derives to: :data:`RETRACTED`, no
    task, no timer; its other data (who it was about) kept for the row and the audit."""
    return Replayed(state=RETRACTED, data={**data, "tasks": {}}, started_on=started_on,
                    updated_on=updated_on, policy_version=policy_version)


def renamed(result: Replayed, names: dict[str, str]) -> Replayed:
    """The same result with task keys renamed (``names``: replay key → key to keep), in the
    machine's data, its tasks and its ``task:<key>`` timers."""
    def key(old: str) -> str:
        return names.get(old, old)

    data = dict(result.data)
    data["tasks"] = {key(k): {**v, "escalates": key(v["escalates"]) if v.get("escalates")
                              else v.get("escalates")}
                     for k, v in result.data.get("tasks", {}).items()}
    tasks = {key(k): replace(t, task=replace(t.task, key=key(k), escalates=key(t.task.escalates)
                                             if t.task.escalates else None))
             for k, t in result.tasks.items()}
    timers = {}
    for name, timer in result.timers.items():
        if name.startswith("task:"):
            name = "task:" + key(name[len("task:"):])
        timers[name] = replace(timer, name=name)
    return replace(result, data=data, tasks=tasks, timers=timers)


__all__ = ["Replayed", "ReplayedTask", "never_was", "renamed", "replay", "starts"]
