"""Re-deriving one entity after a late record or a retraction, and writing the difference.

The entity is replayed from its event log (:func:`oversight.states.replay.replay`), the replay's
tasks are matched to the stored ones (:mod:`oversight.workflows.recording.task_matching`), and the
difference is written as one step through the unit of work's save path, with a message for
every task whose standing changed:

- a task the replay shows was met is **met, recorded late**: closed on the day it was met, the
  moment the record arrived kept in ``recorded_at``, a breach it never had undone;
- a task (a breach's escalation, a session that was never due) the replay never raises, or
  withdraws, is **withdrawn** (``withdrawn_because`` says why) and its receivers told;
- an obligation the replay shows was missed becomes breached (or escalated);
- a task a retraction leaves unmet is open again (``reopened``).

The schedule follows the replay, so an older record never moves it backwards: the next session
counts from the last one held, whatever order they were recorded in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from oversight.states.directory import Directory
from oversight.states.errors import EventRejected
from oversight.states.event_time import london_today
from oversight.states.events.registry import parse_event
from oversight.states.machines.lifecycle import Lifecycle
from oversight.states.policy.book import PolicyBook
from oversight.states.replay import Replayed, never_was, renamed, replay, starts
from oversight.states.values import EntityRef, Step, Task, TaskChange, TransitionRecord
from oversight.workflows.ports.event_log import LoggedEvent
from oversight.workflows.ports.store import SavedStep, StoredEntity, UnitOfWork, task_id
from oversight.workflows.recording.messages import task_message
from oversight.workflows.recording.task_matching import match_keys

HELD = ("open", "breached", "escalated")


@dataclass
class Rederived:
    """What a re-derivation changed, by task id."""

    met_late: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    states: tuple[str, str] = ("", "")
    """The entity's state before and after."""


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _known(day: date | None) -> date:
    """A day the replay set together with the state that needs it."""
    assert day is not None
    return day


def _change(key: str, change: str | None, on: date | None) -> TaskChange:
    """A task change as the save path takes it (``change``: one of TaskChange's)."""
    return TaskChange(key, cast(Any, change), _known(on))


def rederive(uow: UnitOfWork, kind: type[Lifecycle], stored: StoredEntity, *, book: PolicyBook,
             directory: Directory, now: datetime, on: date, cause: str, actor: str | None,
             event_id: str | None, focus: str | None, link_base: str,
             may_end: bool = False) -> Rederived:
    """Replay ``stored`` from its event log up to its last step and write what changed.

    ``on``, ``cause``, ``actor``: the audit line of the re-derivation (the day of the late or
    retracted event, why); ``focus``: the record id whose own audit lines are written too.
    ``may_end``: a retraction may leave no event that creates it, and then it never was
    (retracted, its tasks withdrawn); a new event that does not start it is refused instead.
    """
    everything = uow.event_log.of_entity(kind.kind, stored.id, retracted=True)
    _refuse_older_than_the_log(everything, kind, stored, cause)
    logged = [row for row in everything if row.retracted_at is None]
    events = [parse_event(row.body) for row in logged]
    # Up to the entity's last step: timers the sweep has not reached yet are left armed for it.
    until = max([stored.updated_on, *(event.on for event in events)])
    if starts(kind, events):
        result = replay(kind, stored.id, events, book=book, directory=directory, until=until)
    elif may_end:
        result = never_was(stored.data, started_on=stored.started_on, updated_on=until,
                           policy_version=stored.policy_version)
    else:
        raise EventRejected(f"{kind.kind}:{stored.id}", stored.state, cause,
                            f"the record that started it was retracted: record "
                            f"{kind.creates_on} first")
    rows = uow.tasks.of_entity(kind.kind, stored.id)
    names, matched, seq = match_keys(result.tasks, rows, int(result.data.get("seq", 0)))
    result = renamed(result, names)
    if "seq" in result.data:
        result.data["seq"] = max(seq, int(stored.data.get("seq", 0)))
    done = Rederived(states=(stored.state, result.state))
    opened, changed, amend, messages = _differences(
        kind.kind, stored.id, result, rows, matched, now=now, cause=cause, done=done)
    timers = {(row["name"], _day(row["fires_on"])) for row in
              uow.timers.of_entity(kind.kind, stored.id)}
    lines = [line for index, row in enumerate(logged) if row.record_id == focus
             for line in result.transitions.get(index, ())]
    lines.append(TransitionRecord(stored.state, result.state, "rederive", cause, on, None, actor))
    step = Step(entity=EntityRef(kind.kind, stored.id), state=result.state, data=result.data,
                transitions=tuple(lines),
                arm=tuple(t for t in result.timers.values() if (t.name, t.fires_on) not in timers),
                disarm=tuple(sorted({name for name, _ in timers} - set(result.timers))),
                opened=tuple(opened), changed=tuple(changed))
    subject, party = kind.people(result.data)
    policy = book.in_force(result.updated_on)
    entity = StoredEntity(
        kind=kind.kind, id=stored.id, authority=policy.authority,
        policy_version=result.policy_version, state=result.state, version=stored.version + 1,
        subject=subject, party=party, started_on=result.started_on,
        updated_on=result.updated_on, data=result.data)
    uow.save_steps([SavedStep(step, entity, created=False, event_id=event_id)], recorded_at=now)
    uow.event_log.amend_tasks(amend)
    if messages:
        ids = sorted({ident for ident, _, _ in messages})
        found = {row["id"]: row for row in uow.tasks.get_many(ids)}
        uow.outbox.add(task_message(found[ident], change, day, now=now,
                                    authority=policy.authority, link_base=link_base)
                       for ident, change, day in messages)
    return done


def _refuse_older_than_the_log(everything: Sequence[LoggedEvent], kind: type[Lifecycle],
                              stored: StoredEntity, cause: str) -> None:
    """Refuse to re-derive an entity whose first events predate the event log: its log
    (``everything``, the retracted records included) must begin on or before its first day."""
    if not everything or min(row.on for row in everything) > stored.started_on:
        raise EventRejected(f"{kind.kind}:{stored.id}", stored.state, cause,
                            "its events before the event log began (revision 0007) are not "
                            "kept, so it cannot be re-derived")


def _differences(kind: str, entity_id: str, result: Replayed, rows: list[dict[str, Any]],
                 matched: set[str], *, now: datetime, cause: str, done: Rederived
                 ) -> tuple[list[Task], list[TaskChange], dict[str, dict[str, Any]],
                            list[tuple[str, str, date]]]:
    """The tasks to open, the changes, the extra columns and the messages that take the stored
    tasks to the replay's."""
    today = london_today(now)
    by_key = {row["key"]: row for row in rows}
    opened: list[Task] = []
    changed: list[TaskChange] = []
    amend: dict[str, dict[str, Any]] = {}
    messages: list[tuple[str, str, date]] = []
    for key, held in result.tasks.items():
        ident = task_id(kind, entity_id, key)
        row = by_key.get(key) if key in matched else None
        if row is None:
            if held.state == "withdrawn":
                continue  # raised and withdrawn within the replay: it never stood
            opened.append(held.task)
            if held.breach:
                changed.append(_change(key, held.breach, held.breached_on))
            if held.state in ("closed",):
                changed.append(_change(key, "closed", held.closed_on))
            if held.due != held.task.due:  # moved since it was raised, with the arithmetic
                changed.append(TaskChange(key, "rescheduled", today, held.due, held.basis))
            if held.state in HELD:
                messages.append((ident, "opened", held.task.raised_on))
                if held.breach:
                    messages.append((ident, held.breach, _known(held.breached_on)))
                done.opened.append(ident)
            continue
        state = row["state"]
        if held.state == state:
            columns: dict[str, Any] = {}
            if held.closed_on != _day(row["closed_on"]):
                columns["closed_on"] = held.closed_on
            if held.breached_on != _day(row["breached_on"]):
                columns["breached_on"] = held.breached_on
            if columns and state == "closed":  # met on another day than it seemed: late
                columns["recorded_at"] = now
                done.met_late.append(ident)
            if columns:
                amend[ident] = columns
        elif held.state == "closed":
            changed.append(_change(key, "closed", held.closed_on))
            amend[ident] = {"recorded_at": now, "breached_on": held.breached_on}
            messages.append((ident, "closed", _known(held.closed_on)))
            done.met_late.append(ident)
        elif held.state in ("breached", "escalated"):
            changed.append(_change(key, held.state, held.breached_on))
            amend[ident] = {"closed_on": None, "recorded_at": None}
            messages.append((ident, held.state, _known(held.breached_on)))
            done.breached.append(ident)
        elif held.state == "withdrawn":
            changed.append(_change(key, "withdrawn", held.closed_on))
            amend[ident] = {"withdrawn_because": cause[:200]}
            messages.append((ident, "withdrawn", _known(held.closed_on)))
            done.withdrawn.append(ident)
        else:  # open again: the record that met or withdrew it is retracted
            amend[ident] = {"state": "open", "closed_on": None, "breached_on": None,
                            "recorded_at": None, "withdrawn_because": None}
            messages.append((ident, "reopened", today))
            done.reopened.append(ident)
        if held.due != _day(row["due"]):  # the row takes the new date's arithmetic too
            changed.append(TaskChange(key, "rescheduled", today, held.due, held.basis))
            if held.state == "open":
                messages.append((ident, "rescheduled", today))
    for row in rows:
        if row["key"] in matched or row["state"] == "withdrawn":
            continue
        ident = task_id(kind, entity_id, row["key"])
        changed.append(TaskChange(row["key"], "withdrawn", today))
        amend[ident] = {"withdrawn_because": cause[:200]}
        messages.append((ident, "withdrawn", today))
        done.withdrawn.append(ident)
    return opened, changed, amend, messages


__all__ = ["Rederived", "rederive"]
