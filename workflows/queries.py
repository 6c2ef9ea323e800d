"""Read models: tasks, the audit trail and the store's status, as plain JSON-ready dicts.

Queries only; every change goes through :class:`~oversight.workflows.service.OversightService`. Dates are
ISO ``YYYY-MM-DD`` strings, the shape ``oversight … --json`` prints.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from sqlalchemy import Engine, func, select

from oversight.adapters.store import tables as t
from oversight.states.values import EntityRef

BREACHED = ("breached", "escalated")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


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
        "rule": {"policy": row["authority"], "section": row["section"], "name": rule.get("rule")},
        "escalates": row["escalates"],
        "level": row["level"],
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
    }


def tasks(engine: Engine, *, states: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Tasks in the order they were raised, optionally only those in ``states``."""
    query = select(t.tasks)
    if states is not None:
        query = query.where(t.tasks.c.state.in_(list(states)))
    query = query.order_by(t.tasks.c.raised_on, t.tasks.c.due, t.tasks.c.id)
    with engine.connect() as connection:
        return [task_view(dict(row)) for row in connection.execute(query).mappings()]


def task(engine: Engine, task_id: str) -> dict[str, Any] | None:
    """One task with its stored rule (quote included) and the arithmetic of its due date."""
    with engine.connect() as connection:
        row = connection.execute(select(t.tasks).where(t.tasks.c.id == task_id)).mappings().first()
    if row is None:
        return None
    return {**task_view(dict(row)), "rule_detail": row["rule"], "basis": row["basis"]}


def transitions(engine: Engine, entity: EntityRef | None = None) -> list[dict[str, Any]]:
    """The audit trail, of one entity or of the whole store, in the order it was written."""
    query = select(t.audit)
    if entity is not None:
        query = query.where(t.audit.c.entity_kind == entity.kind, t.audit.c.entity_id == entity.id)
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(t.audit.c.id)).mappings()
        return [transition_view(dict(row)) for row in rows]


def entity_exists(engine: Engine, entity: EntityRef) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(t.entities.c.id).where(
            t.entities.c.kind == entity.kind, t.entities.c.id == entity.id)).first() is not None


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table, for checks that a refused command changed nothing."""
    with engine.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (t.entities, t.timers, t.audit, t.tasks, t.outbox,
                              t.processed_events)}


def summary_by_rule(task_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per rule: tasks raised, met on time, breached (met late or not at all), open, withdrawn.

    A task met after its due date counts as breached: it was, on the day after.
    """
    by_rule: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in task_rows:
        rule = row["rule"]
        key = (rule["policy"], rule["section"], rule["name"] or row["type"])
        line = by_rule.setdefault(key, {"policy": key[0], "section": key[1], "rule": key[2],
                                        "raised": 0, "met": 0, "breached": 0, "open": 0,
                                        "withdrawn": 0})
        line["raised"] += 1
        if row["breached_on"] is not None:
            line["breached"] += 1
        elif row["state"] == "closed":
            line["met"] += 1
        elif row["state"] in ("open", "withdrawn"):
            line[row["state"]] += 1
    return sorted(by_rule.values(),
                  key=lambda line: (line["policy"], line["section"], line["rule"]))
