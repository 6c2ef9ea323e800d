"""Bearer tokens: who is asking, with which role, and the access log of what they read.

The token in ``Authorization: Bearer …`` is hashed (SHA-256) and looked up; only the hash is
stored (``oversight token create`` prints the token once). A missing, unknown, expired or revoked
token is a 401; a role that may not make the request is a 403 that names nothing. The caller is
the actor of whatever it writes (:meth:`Caller.actor`); ``X-Purpose`` says why it reads, and goes
to the access log with each read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection

from oversight.adapters.api.problems import Problem, forbidden
from oversight.adapters.store import inbound
from oversight.adapters.store.unit_of_work import SqlRepositories
from oversight.workflows.access import (
    DATA_PROTECTION,
    OVERSEERS,
    READERS,
    WRITERS,
    Scope,
    principal,
    scope_for,
)
from oversight.workflows.bootstrap import App
from oversight.workflows.ports import UnitOfWorkFactory

PURPOSE_PATTERN = r"[A-Za-z0-9 .,;:()'/_-]{1,200}"
"""What ``X-Purpose`` may say: plain words, never control characters (it goes to the log)."""

Clock = Callable[[], datetime]
"""The instant a request is handled at: UTC, injected so tests can fix it."""

bearer = HTTPBearer(auto_error=False, description="A token from `oversight token create`.")


@dataclass(frozen=True)
class Caller:
    """The token behind a request."""

    token: inbound.TokenRecord
    purpose: str | None = None
    """Why the caller reads, if it said (``X-Purpose``)."""

    @property
    def role(self) -> str:
        return self.token.role

    @property
    def person(self) -> str | None:
        return self.token.person

    def scope(self, connection: Connection) -> Scope:
        return scope_for(SqlRepositories(connection), self.role, self.person)

    def log(self, connection: Connection, resource: str, targets: Iterable[str], *,
            now: datetime, outcome: str = "allowed") -> None:
        """Write to the access log in the caller's transaction: who, role, what, when, why."""
        inbound.log_access(connection, token=self.token, role=self.role, resource=resource,
                           targets=targets, outcome=outcome, now=now, purpose=self.purpose)

    def actor(self, store: UnitOfWorkFactory, asked: str | None = None) -> str:
        """The actor a write records: this credential. ``asked`` (an ``actor`` in the request)
        is honoured only for a service token whose scope allows acting for staff, and only for
        a member of staff: "system:tok_… for sw1"."""
        me = principal(self.role, self.token.id, self.person)
        if asked is None or asked == self.person:
            return me
        if not self.token.acts_for:
            raise Problem(403, "actor-not-allowed", "The actor is the token's own; this token "
                                                    "may not act for anyone else: leave "
                                                    "`actor` out.")
        with store() as uow:
            known = uow.staff.member(asked)
        if known is None:
            raise Problem(422, "actor-unknown", "`actor` must be a member of staff this "
                                                "store holds.")
        return principal(self.role, self.token.id, self.person, acting_for=asked)


def the_app(request: Request) -> App:
    return request.app.state.oversight


def the_clock(request: Request) -> Clock:
    return request.app.state.clock


def caller(request: Request,
           credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Caller:
    """The caller, from a live token; 401 otherwise."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "unauthenticated", "Send a bearer token: Authorization: Bearer "
                                              "<token>.", headers=challenge)
    app = the_app(request)
    with app.engine.begin() as connection:
        record = inbound.token_for(connection, credentials.credentials, now=the_clock(request)())
    if record is None:
        raise Problem(401, "unauthenticated", "The token is unknown, expired or revoked.",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    purpose = request.headers.get("x-purpose")
    if purpose is not None and not re.fullmatch(PURPOSE_PATTERN, purpose):
        raise Problem(422, "request-invalid", "X-Purpose: plain words (letters, digits, spaces, "
                                              "common punctuation), up to 200 characters.")
    return Caller(record, purpose)


def writer(who: Caller = Depends(caller)) -> Caller:
    """Roles that post events: system and admin."""
    if who.role not in WRITERS:
        raise forbidden()
    return who


def reader(who: Caller = Depends(caller)) -> Caller:
    """Roles that read records: all but system (whose reach is still limited by its scope)."""
    if who.role not in READERS:
        raise forbidden()
    return who


def overseer(who: Caller = Depends(caller)) -> Caller:
    """Roles that read the access log: auditor, admin and the data protection officer."""
    if who.role not in OVERSEERS:
        raise forbidden()
    return who


def data_protection(who: Caller = Depends(caller)) -> Caller:
    """The data protection officer's role: subject access."""
    if who.role not in DATA_PROTECTION:
        raise forbidden()
    return who


__all__ = ["Caller", "Clock", "bearer", "caller", "data_protection", "overseer", "reader",
           "the_app", "the_clock", "writer"]
