"""Writing machine steps: the one save path of the store.

A step changes an entity's row, disarms and arms its timers, opens and changes tasks, and adds
audit lines. :func:`write_steps` writes any number of steps (of distinct entities) with one
statement per kind of row (``executemany``), so a sweep's batch costs a handful of statements
and a single event's step the same code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from oversight.adapters.store import chain
from oversight.adapters.store import tables as t
from oversight.states.errors import ConcurrentUpdate
from oversight.states.values import Basis, RuleRef
from oversight.workflows.ports.store import SavedStep, StoredEntity, TaskRow, task_id

RULE_FIELDS = tuple(field.name for field in dataclasses.fields(RuleRef))


def rule_json(rule: RuleRef | None) -> dict[str, str] | None:
    """Every field of the rule, in field order: what ``dataclasses.asdict`` gave, without its
    recursive deep copy (a rule is flat strings; this runs for every timer, task, audit row)."""
    return {name: getattr(rule, name) for name in RULE_FIELDS} if rule else None


def basis_json(basis: Basis | None) -> dict[str, Any] | None:
    if basis is None:
        return None
    return {"start": basis.start.isoformat(), "interval": basis.interval,
            "result": basis.result.isoformat(), "shifted_days": basis.shifted_days,
            "skipped": [[d.isoformat(), name] for d, name in basis.skipped],
            "unmoved": basis.unmoved.isoformat() if basis.unmoved else None,
            "moved_because": list(basis.moved_because),
            "explain": basis.explain()}


def write_steps(connection: Connection, saved: Sequence[SavedStep], *,
                recorded_at: datetime) -> dict[str, TaskRow]:
    """Entity rows, timers, tasks and audit lines of every step; the caller commits. Returns
    the row of each task the steps opened or changed, as a read after the writes gives it."""
    if not saved:
        return {}
    _entities(connection, saved)
    _timers(connection, saved)
    written = _tasks(connection, saved)
    audit = audit_rows(saved, recorded_at)
    if audit:  # the ids named so that the commit seals these lines and no other (issue 20)
        chain.written(connection, "audit", connection.execute(
            insert(t.audit).returning(t.audit.c.id), audit).scalars())
    return written


def audit_rows(saved: Sequence[SavedStep], recorded_at: datetime) -> list[dict[str, Any]]:
    """The audit lines of ``saved``, a transition each, in step order."""
    return [{"entity_kind": s.step.entity.kind, "entity_id": s.step.entity.id,
             "source": r.source, "dest": r.dest, "trigger": r.trigger, "cause": r.cause,
             "on": r.on, "rule": rule_json(r.rule), "actor": r.actor, "event_id": s.event_id,
             "recorded_at": recorded_at} for s in saved for r in s.step.transitions]


ENTITY_FIELDS = tuple(f.name for f in dataclasses.fields(StoredEntity))
UPDATE_ENTITY = update(t.entities).where(
    t.entities.c.kind == bindparam("k"), t.entities.c.id == bindparam("i"),
    t.entities.c.version == bindparam("v"))
"""An entity's new row, where its version is still the one loaded (``v``)."""


def entity_update(entity: StoredEntity, loaded: int) -> dict[str, Any]:
    """The parameters of :data:`UPDATE_ENTITY` moving ``entity`` on from version ``loaded``."""
    return {"k": entity.kind, "i": entity.id, "v": loaded, "state": entity.state,
            "version": entity.version, "data": entity.data, "updated_on": entity.updated_on,
            "policy_version": entity.policy_version,
            # A reallocation moves the party (a child's worker, a supervisee's supervisor):
            # the routes find entities by it, so it is written with the data it comes from.
            "subject": entity.subject, "party": entity.party}


def update_entities(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """:data:`UPDATE_ENTITY` for each of ``rows``; :class:`ConcurrentUpdate` if one moved."""
    if len(rows) == 1:  # one row: its rowcount is exact on every driver
        if connection.execute(UPDATE_ENTITY, rows[0]).rowcount != 1:
            raise ConcurrentUpdate(f"{rows[0]['k']}:{rows[0]['i']} changed since it was loaded")
        return
    done = connection.execute(UPDATE_ENTITY, rows)
    if 0 <= done.rowcount != len(rows):  # -1: the driver does not count an executemany
        raise ConcurrentUpdate("an entity of the batch changed since it was loaded")


def timer_row(kind: str, entity_id: str, timer: Any) -> dict[str, Any]:
    """The ``timers`` row of an armed timer (a :class:`~oversight.states.values.Timer`)."""
    return {"entity_kind": kind, "entity_id": entity_id, "name": timer.name,
            "fires_on": timer.fires_on, "rule": rule_json(timer.rule),
            "basis": basis_json(timer.basis)}


def opened_rows(saved: Sequence[SavedStep]) -> list[TaskRow]:
    """The ``tasks`` row of each task the steps open, as inserted."""
    return [{"id": task_id(k, i, task.key), "entity_kind": k, "entity_id": i,
             "key": task.key, "type": task.type, "assignee": task.assignee,
             "assignee_role": task.assignee_role, "subject": task.subject,
             "raised_on": task.raised_on, "due": task.due, "state": "open",
             "closed_on": None, "breached_on": None,
             "authority": task.rule.authority, "section": task.rule.section,
             "rule": rule_json(task.rule), "basis": basis_json(task.basis),
             "escalates": task_id(k, i, task.escalates) if task.escalates else None,
             "level": task.level}
            for s in saved for k, i in [(s.step.entity.kind, s.step.entity.id)]
            for task in s.step.opened]


def _entities(connection: Connection, saved: Sequence[SavedStep]) -> None:
    """Insert the new entities; update the others where their version is still the loaded one."""
    created = [{name: getattr(s.entity, name) for name in ENTITY_FIELDS}
               for s in saved if s.created]
    if created:  # shallow: ``asdict`` would deep-copy the machine's data, only serialised here
        connection.execute(insert(t.entities), created)
    moved = [entity_update(s.entity, s.entity.version - 1) for s in saved if not s.created]
    if moved:
        update_entities(connection, moved)


def _timers(connection: Connection, saved: Sequence[SavedStep]) -> None:
    """Disarm what each step disarms and re-arms, then arm: a timer name is armed once."""
    disarm = [{"k": s.step.entity.kind, "i": s.step.entity.id, "n": name} for s in saved
              for name in sorted(set(s.step.disarm) | {timer.name for timer in s.step.arm})]
    if disarm:
        connection.execute(delete(t.timers).where(
            t.timers.c.entity_kind == bindparam("k"), t.timers.c.entity_id == bindparam("i"),
            t.timers.c.name == bindparam("n")), disarm)
    arm = [timer_row(s.step.entity.kind, s.step.entity.id, timer)
           for s in saved for timer in s.step.arm]
    if arm:
        connection.execute(insert(t.timers), arm)


def _tasks(connection: Connection, saved: Sequence[SavedStep]) -> dict[str, TaskRow]:
    """Open the new tasks, then apply each change in the order the step made it; the rows as
    they are left (for the messages), known without reading them back where possible: an
    opened task is the row inserted, a task updated alone is what its UPDATE returns (each
    later statement on it replaces what an earlier one gave), and only a task changed in an
    ``executemany`` (a sweep's batch, no RETURNING) is read back at the end."""
    opened = opened_rows(saved)
    if opened:
        # A task withdrawn by a re-derivation or a retraction may be raised again under its
        # identifier (an escalation is always ``<task>^``): the new obligation takes the row.
        connection.execute(delete(t.tasks).where(
            t.tasks.c.id.in_([row["id"] for row in opened]), t.tasks.c.state == "withdrawn"))
        connection.execute(insert(t.tasks), opened)
    written: dict[str, TaskRow] = {
        row["id"]: {**row, "recorded_at": None, "withdrawn_because": None} for row in opened}
    unread: set[str] = set()
    # Round n holds each task's n-th change: a task changed twice in a step (breached, then
    # closed) keeps its order, and each round is one statement per column changed.
    rounds: list[dict[str, list[dict[str, Any]]]] = []
    seen: dict[str, int] = {}
    for s in saved:
        for change in s.step.changed:
            ident = task_id(s.step.entity.kind, s.step.entity.id, change.key)
            number = seen[ident] = seen.get(ident, -1) + 1
            if number == len(rounds):
                rounds.append({"due": [], "basis": [], "breached_on": [], "closed_on": []})
            if change.change == "rescheduled":
                rounds[number]["due"].append({"tid": ident, "value": change.due})
                if change.basis is not None:  # the new date's arithmetic, for `why`
                    rounds[number]["basis"].append(
                        {"tid": ident, "value": basis_json(change.basis)})
            elif change.change in ("breached", "escalated"):
                rounds[number]["breached_on"].append(
                    {"tid": ident, "st": change.change, "value": change.on})
            else:
                rounds[number]["closed_on"].append(
                    {"tid": ident, "st": change.change, "value": change.on})
    for changes in rounds:
        for column, rows in changes.items():
            if rows:
                values: dict[str, Any] = {column: bindparam("value")}
                if column not in ("due", "basis"):
                    values["state"] = bindparam("st")
                statement = update(t.tasks).where(
                    t.tasks.c.id == bindparam("tid")).values(**values)
                if len(rows) == 1 and connection.dialect.update_returning:
                    returned = connection.execute(statement.returning(*t.tasks.c), rows[0])
                    names = tuple(returned.keys())
                    for row in returned:  # none: no such task, as a read would find none
                        found = dict(zip(names, row, strict=True))
                        written[found["id"]] = found
                else:
                    connection.execute(statement, rows)
                    unread.update(row["tid"] for row in rows)
    if unread:
        ids = sorted(unread)
        for start in range(0, len(ids), 500):
            result = connection.execute(select(t.tasks).where(
                t.tasks.c.id.in_(ids[start:start + 500])))
            names = tuple(result.keys())
            for row in result:
                found = dict(zip(names, row, strict=True))
                written[found["id"]] = found
    return written
