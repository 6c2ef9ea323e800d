"""The event log in SQL (:class:`~oversight.workflows.ports.event_log.EventLog`): table
``event_log``, and the task columns a re-derivation sets (``recorded_at``,
``withdrawn_because``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from oversight.adapters.store import tables as t
from oversight.states.event_time import as_utc
from oversight.workflows.ports.event_log import LoggedEvent

_T = t.event_log


def _row(row: Any) -> LoggedEvent:
    on = row["on"]
    return LoggedEvent(
        id=row["id"], record_id=row["record_id"], entity_kind=row["entity_kind"],
        entity_id=row["entity_id"], type=row["type"],
        on=on if isinstance(on, date) else date.fromisoformat(on),
        # SQLite hands the instants back without their zone; PostgreSQL and the port give UTC.
        recorded_at=as_utc(row["recorded_at"]), actor=row["actor"], body=row["body"],
        retracted_at=as_utc(row["retracted_at"]), retracted_by=row["retracted_by"],
        retract_reason=row["retract_reason"])


def log_row(record_id: str, kind: str, entity_id: str, body: dict[str, Any], *,
            recorded_at: datetime) -> dict[str, Any]:
    """The ``event_log`` row of one event as one entity's log keeps it."""
    return {"record_id": record_id, "entity_kind": kind, "entity_id": entity_id,
            "type": body["type"], "on": date.fromisoformat(body["on"]),
            "recorded_at": recorded_at, "actor": body.get("actor"), "body": body}


class SqlEventLog:
    """The event log of one unit of work's connection (its transaction)."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def append(self, record_id: str, kind: str, entity_id: str, body: dict[str, Any], *,
               recorded_at: datetime) -> None:
        self.connection.execute(insert(_T), log_row(record_id, kind, entity_id, body,
                                                    recorded_at=recorded_at))

    def of_entity(self, kind: str, entity_id: str, *, retracted: bool = False
                  ) -> list[LoggedEvent]:
        query = select(_T).where(_T.c.entity_kind == kind, _T.c.entity_id == entity_id)
        if not retracted:
            query = query.where(_T.c.retracted_at.is_(None))
        rows = self.connection.execute(query.order_by(_T.c.on, _T.c.id)).mappings()
        return [_row(row) for row in rows]

    def of_record(self, record_id: str) -> list[LoggedEvent]:
        rows = self.connection.execute(
            select(_T).where(_T.c.record_id == record_id).order_by(_T.c.id)).mappings()
        return [_row(row) for row in rows]

    def retract(self, record_id: str, *, by: str | None, reason: str, at: datetime) -> None:
        self.connection.execute(update(_T).where(
            _T.c.record_id == record_id, _T.c.retracted_at.is_(None)).values(
            retracted_at=at, retracted_by=by, retract_reason=reason))

    def amend_tasks(self, values: dict[str, dict[str, Any]]) -> None:
        for task_id, columns in values.items():
            self.connection.execute(update(t.tasks).where(t.tasks.c.id == task_id)
                                    .values(**columns))


__all__ = ["SqlEventLog", "log_row"]
