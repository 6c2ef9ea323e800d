"""The issued secrets port (:class:`~oversight.workflows.ports.issued_secrets.IssuedSecrets`)
over the SQL store: API tokens (``credentials``) and calendar feeds (``calendar_feeds``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from oversight.adapters.store import calendar_feeds, credentials, inbound
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.workflows.ports.credentials import TokenRecord
from oversight.workflows.ports.issued_secrets import Feed


class SqlIssuedSecrets:
    """Tokens and feeds of one store; each call is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_token(self, *, role: str, person: str | None, now: datetime,
                     lifetime: timedelta, acts_for: bool, on_staff: bool
                     ) -> tuple[TokenRecord, str] | None:
        with SqlUnitOfWork(self.engine) as uow:
            if on_staff and (person is None or uow.staff.member(person) is None):
                return None
            made = credentials.create_token(uow.connection, role=role, person=person, now=now,
                                            lifetime=lifetime, acts_for=acts_for)
            uow.commit()
        return made

    def rotate_token(self, token_id: str, *, now: datetime, lifetime: timedelta
                     ) -> tuple[TokenRecord, str] | None:
        with SqlUnitOfWork(self.engine) as uow:
            rotated = credentials.rotate_token(uow.connection, token_id, now=now,
                                               lifetime=lifetime)
            uow.commit()
        return rotated

    def revoke_token(self, token_id: str, *, now: datetime) -> bool:
        with SqlUnitOfWork(self.engine) as uow:
            done = credentials.revoke_token(uow.connection, token_id, now=now)
            uow.commit()
        return done

    def tokens(self) -> list[TokenRecord]:
        with self.engine.connect() as connection:
            return credentials.tokens(connection)

    def issue_feed(self, person: str, *, now: datetime) -> tuple[Feed, str] | None:
        with self.engine.begin() as connection:
            if inbound.staff_record(connection, person) is None:
                return None
            return calendar_feeds.issue(connection, person, now=now)

    def revoke_feed(self, person: str, *, now: datetime) -> int:
        with self.engine.begin() as connection:
            return calendar_feeds.revoke(connection, person, now=now)

    def feeds(self) -> list[Feed]:
        with self.engine.connect() as connection:
            return calendar_feeds.listing(connection)


__all__ = ["SqlIssuedSecrets"]
