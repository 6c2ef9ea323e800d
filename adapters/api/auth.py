"""Bearer tokens: who is asking, with which role, and the access log of what they read.

The token in ``Authorization: Bearer …`` is hashed (SHA-256) and looked up; only the hash is
stored (``oversight token create`` prints the token once). A missing, unknown or revoked token
is a 401; a role that may not make the request is a 403 that names nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection

from oversight.adapters.api.problems import Problem, forbidden
from oversight.adapters.store import inbound
from oversight.workflows.access import READERS, WRITERS, Scope, scope_for
from oversight.workflows.bootstrap import App

Clock = Callable[[], datetime]
"""The instant a request is handled at: UTC, injected so tests can fix it."""

bearer = HTTPBearer(auto_error=False, description="A token from `oversight token create`.")


@dataclass(frozen=True)
class Caller:
    """The token behind a request."""

    token: inbound.TokenRecord

    @property
    def role(self) -> str:
        return self.token.role

    @property
    def person(self) -> str | None:
        return self.token.person

    def scope(self, connection: Connection) -> Scope:
        return scope_for(connection, self.role, self.person)

    def log(self, connection: Connection, resource: str, targets: Iterable[str], *,
            now: datetime, outcome: str = "allowed") -> None:
        """Write to the access log in the caller's transaction: who, role, what, when."""
        inbound.log_access(connection, token=self.token, role=self.role, resource=resource,
                           targets=targets, outcome=outcome, now=now)


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
    with app.engine.connect() as connection:
        record = inbound.token_for(connection, credentials.credentials)
    if record is None:
        raise Problem(401, "unauthenticated", "The token is unknown or revoked.",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return Caller(record)


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
    """Roles that read the access log: auditor and admin."""
    if who.role not in ("auditor", "admin"):
        raise forbidden()
    return who


__all__ = ["Caller", "Clock", "bearer", "caller", "overseer", "reader", "the_app", "the_clock",
           "writer"]
