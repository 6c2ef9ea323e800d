"""The store as the credentials port (:mod:`oversight.workflows.ports.credentials`): what the
API and the dashboard ask of it at the door, each call one transaction on the engine.

A token's lookup without ``touch`` runs on a connection marked ``oversight_reads``, which
begins without the write lock (:func:`oversight.adapters.store.database.make_engine`): a
request is not queued behind the events' writer just to be recognised.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from oversight.adapters.store import calendar_feeds, credentials, inbound
from oversight.adapters.store.subject_access import subject_access
from oversight.workflows.ports.credentials import Session, TokenRecord

READS = {"oversight_reads": True}
"""Execution options of a connection that only reads."""


class SqlCredentials:
    """Tokens, sessions, feeds and the access log on one engine."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def token_for(self, secret: str, *, now: datetime, touch: bool = True
                  ) -> TokenRecord | None:
        if not touch:
            with self.engine.connect().execution_options(**READS) as connection:
                return credentials.token_for(connection, secret, now=now, touch=False)
        with self.engine.begin() as connection:
            return credentials.token_for(connection, secret, now=now)

    def live_token_ids(self, token_ids: set[str], *, now: datetime) -> set[str]:
        with self.engine.connect().execution_options(**READS) as connection:
            return credentials.live_token_ids(connection, token_ids, now=now)

    def open_session(self, token: TokenRecord, *, now: datetime) -> tuple[str, str]:
        with self.engine.begin() as connection:
            return credentials.open_session(connection, token, now=now)

    def session_for(self, session_id: str, *, now: datetime, idle: timedelta
                    ) -> Session | None:
        with self.engine.begin() as connection:
            return credentials.session_for(connection, session_id, now=now, idle=idle)

    def end_session(self, session_id: str, *, now: datetime) -> bool:
        with self.engine.begin() as connection:
            return credentials.end_session(connection, session_id, now=now)

    def log_access(self, token: TokenRecord | None, *, role: str, resource: str,
                   targets: Iterable[str], now: datetime, outcome: str = "allowed",
                   purpose: str | None = None, reader: str | None = None) -> int:
        with self.engine.begin() as connection:
            return inbound.log_access(connection, token=token, role=role, resource=resource,
                                      targets=targets, outcome=outcome, now=now,
                                      purpose=purpose, reader=reader)

    def feed_person(self, secret: str, *, now: datetime) -> str | None:
        with self.engine.begin() as connection:
            person = calendar_feeds.person_of(connection, secret)
            inbound.log_access(connection, token=None, role="feed", resource="calendar-feed",
                               targets=[f"person:{person}" if person else "feed:unknown"],
                               outcome="allowed" if person else "refused", now=now,
                               reader=f"feed:{person}" if person else "feed")
        return person

    def subject_access(self, person: str, *, now: datetime, requested_by: str,
                       token: TokenRecord | None, role: str) -> dict[str, Any]:
        with self.engine.begin() as connection:
            return subject_access(connection, person, now=now, requested_by=requested_by,
                                  token=token, role=role)


__all__ = ["READS", "SqlCredentials"]
