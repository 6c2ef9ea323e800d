"""Tasks and the audit trail in the store: :class:`SqlTasks` and :class:`SqlHistory`.

Rows leave as plain dicts (the port's ``TaskRow``): the read models and the messages take them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from oversight.adapters.store import tables as t
from oversight.adapters.store.steps import basis_json, rule_json
from oversight.states.values import Basis, RuleRef
from oversight.workflows.ports.store import TaskRow, task_id

_RAISED = (t.tasks.c.raised_on, t.tasks.c.due, t.tasks.c.id)
"""The order tasks are listed in: the order they were raised."""
PAGE = 1000
"""Rows fetched at a time by the readers that yield them one by one."""
_ENTITY = (t.entities.c.kind.label("e_kind"), t.entities.c.subject.label("e_subject"),
           t.entities.c.party.label("e_party"), t.entities.c.data.label("e_data"))
"""What an access scope judges of a task's entity, beside the task's columns."""
_WITH_ENTITY = t.tasks.join(t.entities, and_(t.entities.c.kind == t.tasks.c.entity_kind,
                                             t.entities.c.id == t.tasks.c.entity_id))


def _split(row: Any) -> tuple[TaskRow, dict[str, Any]]:
    values = dict(row)
    entity = {"kind": values.pop("e_kind"), "subject": values.pop("e_subject"),
              "party": values.pop("e_party"), "data": values.pop("e_data")}
    return values, entity


class SqlTasks:
    """The ``tasks`` table, in one unit of work's transaction."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def _rows(self, query: Any) -> list[TaskRow]:
        result = self.connection.execute(query)
        names = tuple(result.keys())  # once: a RowMapping builds its list of keys per row
        return [dict(zip(names, row, strict=True)) for row in result]

    def each(self) -> Iterator[TaskRow]:
        result = self.connection.execution_options(yield_per=PAGE).execute(
            select(t.tasks).order_by(*_RAISED))
        names = tuple(result.keys())
        for row in result:
            yield dict(zip(names, row, strict=True))

    def get_many(self, ids: Sequence[str]) -> list[TaskRow]:
        if not ids:
            return []
        return self._rows(select(t.tasks).where(t.tasks.c.id.in_(list(ids))))

    def listing(self, states: Iterable[str] | None = None) -> list[TaskRow]:
        query = select(t.tasks)
        if states is not None:
            query = query.where(t.tasks.c.state.in_(list(states)))
        return self._rows(query.order_by(*_RAISED))

    def of_entity(self, kind: str, entity_id: str) -> list[TaskRow]:
        return self._rows(select(t.tasks).where(
            t.tasks.c.entity_kind == kind, t.tasks.c.entity_id == entity_id).order_by(*_RAISED))

    def open_of(self, authority: str) -> list[TaskRow]:
        """Every open task raised under ``authority``'s policy (for ``oversight replan``)."""
        return self._rows(select(t.tasks).where(
            t.tasks.c.state == "open", t.tasks.c.authority == authority).order_by(t.tasks.c.id))

    def due_between(self, start: date, end: date, *,
                    assignees: Iterable[str] | None = None) -> list[TaskRow]:
        query = select(t.tasks).where(t.tasks.c.due >= start, t.tasks.c.due <= end)
        if assignees is not None:
            query = query.where(t.tasks.c.assignee.in_(list(assignees)))
        return self._rows(query.order_by(t.tasks.c.id))

    def last_changed(self) -> date | None:
        days = [self.connection.execute(select(func.max(column))).scalar_one_or_none()
                for column in (t.tasks.c.closed_on, t.tasks.c.breached_on)]
        return max((day for day in days if day is not None), default=None)

    def with_entity(self, task_id: str) -> tuple[TaskRow, dict[str, Any]] | None:
        row = self.connection.execute(select(t.tasks, *_ENTITY).select_from(_WITH_ENTITY).where(
            t.tasks.c.id == task_id)).mappings().first()
        return _split(row) if row is not None else None

    def search(self, *, assignee: str | None = None, subject: str | None = None,
               team: str | None = None, states: Iterable[str] | None = None,
               due_from: date | None = None, due_to: date | None = None
               ) -> list[tuple[TaskRow, dict[str, Any]]]:
        query = select(t.tasks, *_ENTITY).select_from(_WITH_ENTITY)
        if assignee is not None:
            query = query.where(t.tasks.c.assignee == assignee)
        if subject is not None:
            query = query.where(t.entities.c.subject == subject)
        if team is not None:
            query = query.where(t.tasks.c.assignee.in_(select(t.staff.c.id).where(
                t.staff.c.team == team)))
        if states:
            query = query.where(t.tasks.c.state.in_(list(states)))
        if due_from is not None:
            query = query.where(t.tasks.c.due >= due_from)
        if due_to is not None:
            query = query.where(t.tasks.c.due <= due_to)
        rows = self.connection.execute(query.order_by(t.tasks.c.due, t.tasks.c.id)).mappings()
        return [_split(row) for row in rows]

    def retime(self, kind: str, entity_id: str, key: str, *, due: date, rule: RuleRef,
               basis: Basis) -> None:
        """A task's new due date, rule and arithmetic, and its ``task:<key>`` timer if armed
        (a paused ASYE's is not: its resumption arms it)."""
        self.connection.execute(update(t.tasks).where(
            t.tasks.c.id == task_id(kind, entity_id, key)).values(
            due=due, section=rule.section, rule=rule_json(rule), basis=basis_json(basis)))
        self.connection.execute(update(t.timers).where(
            t.timers.c.entity_kind == kind, t.timers.c.entity_id == entity_id,
            t.timers.c.name == f"task:{key}").values(
            fires_on=date.fromordinal(due.toordinal() + 1), rule=rule_json(rule),
            basis=basis_json(basis)))


class SqlHistory:
    """The ``audit`` table, read in the order it was written."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def lines(self, kind: str | None = None, entity_id: str | None = None
              ) -> list[dict[str, Any]]:
        query = select(t.audit)
        if kind is not None:
            query = query.where(t.audit.c.entity_kind == kind, t.audit.c.entity_id == entity_id)
        return [dict(row) for row in
                self.connection.execute(query.order_by(t.audit.c.id)).mappings()]

    def each_line(self) -> Iterator[dict[str, Any]]:
        result = self.connection.execution_options(yield_per=PAGE).execute(
            select(t.audit).order_by(t.audit.c.id))
        for row in result.mappings():
            yield dict(row)
