"""Read models: tasks, the audit trail and the store's status, as plain JSON-ready dicts.

Queries only; every change goes through
:class:`~oversight.workflows.recording.service.OversightService`. Dates are ISO ``YYYY-MM-DD``
strings, the shape ``oversight … --json`` prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from oversight.states.event_time import as_utc
from oversight.states.values import EntityRef
from oversight.workflows.ports.store import UnitOfWorkFactory

BREACHED = ("breached", "escalated")
"""States of a task whose deadline passed unmet and that is still not met."""
UNMET = ("open", "breached", "escalated")


def _date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def breached(task: dict[str, Any], as_of: date) -> bool:
    """The one meaning of *breached*: its deadline passed before it was met, whether or not
    it was met later, as the task stood on ``as_of``. A task met on its due date or before is
    not breached; one still unmet is once its due date is past. Escalations (raised because
    another task was missed) and withdrawn tasks (no longer owed) never are. The compliance
    report's ``breached`` (``workflows/reads/compliance.py``) is the same test; ``oversight tasks
    --breached``, the dashboard's filter and the demo's summary use this one."""
    if task["type"] == "escalation" or task["state"] == "withdrawn":
        return False
    due = _date(task["due"])
    assert due is not None
    closed = _date(task["closed_on"]) if task["state"] == "closed" else None
    if closed is not None and closed <= as_of:
        return closed > due or task["breached_on"] is not None
    return due < as_of


def overdue(task: dict[str, Any], as_of: date) -> bool:
    """Still not met and past its due date on ``as_of`` (escalations included)."""
    due = _date(task["due"])
    return task["state"] in UNMET and due is not None and due < as_of


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return as_utc(value).isoformat().replace("+00:00", "Z")


def task_view(row: dict[str, Any]) -> dict[str, Any]:
    """One task as people and programs read it: who, what, when, and the rule that raised it."""
    rule = row["rule"] or {}
    return {
        "id": row["id"],
        "type": row["type"],
        "for": row["assignee"],
        "role": row["assignee_role"],
        "subject": row["subject"],
        "entity": f"{row['entity_kind']}:{row['entity_id']}",
        "raised_on": _iso(row["raised_on"]),
        "due": _iso(row["due"]),
        "state": row["state"],
        "closed_on": _iso(row["closed_on"]),
        "breached_on": _iso(row["breached_on"]),
        "rule": {"policy": row["authority"], "section": row["section"], "name": rule.get("rule"),
                 # A national text's rule (Working Together 2023) names it and the local
                 # section adopting it, if any; a local one does not.
                 **{key: rule[key] for key in ("source", "adopted_by") if rule.get(key)}},
        "escalates": row["escalates"],
        "level": row["level"],
        # Met, recorded late: when the record arrived (closed_on is the day it was met).
        "recorded_at": _instant(row.get("recorded_at")),
        "withdrawn_because": row.get("withdrawn_because"),
    }


def transition_view(row: dict[str, Any]) -> dict[str, Any]:
    """One line of the audit trail."""
    rule = row["rule"]
    return {
        "entity": f"{row['entity_kind']}:{row['entity_id']}",
        "from": row["source"],
        "to": row["dest"],
        "trigger": row["trigger"],
        "cause": row["cause"],
        "on": _iso(row["on"]),
        "rule": {"policy": rule["authority"], "section": rule["section"], "name": rule["rule"]}
        if rule else None,
        # The day it happened is ``on``; the moment it was recorded, and the event's id.
        "recorded_at": _instant(row.get("recorded_at")),
        "event_id": row.get("event_id"),
    }


def tasks(store: UnitOfWorkFactory, *, states: Iterable[str] | None = None
          ) -> list[dict[str, Any]]:
    """Tasks in the order they were raised, optionally only those in ``states``."""
    with store() as uow:
        return [task_view(row) for row in uow.tasks.listing(states)]


def task(store: UnitOfWorkFactory, task_id: str) -> dict[str, Any] | None:
    """One task with its stored rule (quote included) and the arithmetic of its due date."""
    with store() as uow:
        found = uow.tasks.get_many([task_id])
    if not found:
        return None
    row = found[0]
    return {**task_view(row), "rule_detail": row["rule"], "basis": row["basis"]}


def task_with_entity(store: UnitOfWorkFactory, task_id: str
                     ) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """A task's row and its entity's (kind, id, subject, party, data), or None; not logged:
    for writes that check a task before closing it, never for showing it."""
    with store() as uow:
        return uow.tasks.with_entity(task_id)


def event_applied(store: UnitOfWorkFactory, event_id: str) -> bool:
    """Whether the event ``event_id`` was applied to the store."""
    with store() as uow:
        return uow.events.applied(event_id)


def transitions(store: UnitOfWorkFactory, entity: EntityRef | None = None
                ) -> list[dict[str, Any]]:
    """The audit trail, of one entity or of the whole store, in the order it was written."""
    with store() as uow:
        lines = uow.history.lines(entity.kind, entity.id) if entity else uow.history.lines()
    return [transition_view(row) for row in lines]


def entity_exists(store: UnitOfWorkFactory, entity: EntityRef) -> bool:
    with store() as uow:
        return uow.entities.get(entity.kind, entity.id) is not None


def policy_run(store: UnitOfWorkFactory, default: str) -> str:
    """The name of the policy the store runs (recorded by ``oversight init``), else
    ``default``."""
    with store() as uow:
        return uow.meta.get("policy") or default


def counts(store: UnitOfWorkFactory) -> dict[str, int]:
    """Rows per table, for checks that a refused command changed nothing."""
    with store() as uow:
        return uow.row_counts()


@dataclass(frozen=True)
class StoreStatus:
    """The store at a glance (``oversight status``)."""

    entities: list[tuple[str, str, int]]
    """(kind, state, how many), by kind then state."""
    upcoming: list[dict[str, Any]]
    """The next timers to fire, every column."""
    tasks: dict[str, int]
    """Tasks by state."""
    messages: dict[str, int]
    """Outbox messages by status."""


def store_status(store: UnitOfWorkFactory, *, timers: int) -> StoreStatus:
    """Entities by kind and state, the next ``timers`` timers, tasks and messages by state."""
    with store() as uow:
        by_state: dict[str, int] = {}
        for row in uow.tasks.listing():
            by_state[row["state"]] = by_state.get(row["state"], 0) + 1
        return StoreStatus(uow.entities.counts(), uow.timers.upcoming(timers), by_state,
                           uow.outbox.counts())


def _column(row: dict[str, Any], as_of: date | None) -> str:
    """Where one task counts in :func:`summary_by_rule`. An escalation is never a breach (it
    is raised because another task was missed): one not met by its due date, met late or still
    unmet past it, is ``late``, where before it fell in no column (the sums fell short)."""
    if breached(row, as_of) if as_of is not None else row["breached_on"] is not None:
        return "breached"
    if row["state"] == "withdrawn":
        return "withdrawn"
    closed = _date(row["closed_on"]) if row["state"] == "closed" else None
    met = closed if closed is not None and (as_of is None or closed <= as_of) else None
    due = _date(row["due"])
    if row["type"] == "escalation" and due is not None and (
            (met is not None and met > due)
            or (met is None and (row["state"] == "breached" if as_of is None else due < as_of))):
        return "late"
    return "met" if met is not None else "open"


def summary_by_rule(task_rows: list[dict[str, Any]], as_of: date | None = None
                    ) -> list[dict[str, Any]]:
    """Per rule: tasks raised, met on time, breached (:func:`breached` on ``as_of``: met late
    or past due and not met), escalations late, open (not yet met), withdrawn. Each task is in
    exactly one of the five, so they add up to the raised.

    Without ``as_of``, a task counts as breached once the sweep has marked it so.
    """
    by_rule: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
    for row in task_rows:
        rule = row["rule"]
        key = (rule["policy"], rule["section"], rule["name"] or row["type"],
               rule.get("source", ""), rule.get("adopted_by", ""))
        line = by_rule.setdefault(key, {"policy": key[0], "section": key[1], "rule": key[2],
                                        "source": key[3], "adopted_by": key[4],
                                        "raised": 0, "met": 0, "breached": 0, "late": 0,
                                        "open": 0, "withdrawn": 0})
        line["raised"] += 1
        line[_column(row, as_of)] += 1
    return sorted(by_rule.values(),
                  key=lambda line: (line["policy"], line["section"], line["rule"]))
