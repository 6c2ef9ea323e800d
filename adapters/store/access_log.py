"""The access log as the store port's repository (``uow.access_log``): its lines are written by
:func:`oversight.adapters.store.inbound.log_access`, on the unit of work's connection, so a read
and its line commit together and join the access log's hash chain."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from oversight.adapters.store import inbound


class SqlAccessLog:
    """Writes ``access_log`` in the caller's transaction."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def record(self, *, role: str, resource: str, targets: Iterable[str], outcome: str,
               now: datetime, token_id: str | None = None, person: str | None = None,
               purpose: str | None = None, reader: str | None = None) -> int:
        return inbound.log_access(self.connection, token=None, role=role, resource=resource,
                                  targets=targets, outcome=outcome, now=now, purpose=purpose,
                                  reader=reader, token_id=token_id, person=person)

    def lines(self, *, target: str | None = None, person: str | None = None,
              limit: int = 1000) -> list[dict[str, Any]]:
        return inbound.access_log(self.connection, target=target, person=person, limit=limit)


__all__ = ["SqlAccessLog"]
