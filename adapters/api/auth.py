"""Bearer tokens: who is asking, with which role, and the access log of what they read.

The token in ``Authorization: Bearer …`` is hashed (SHA-256) and looked up; only the hash is
stored (``oversight token create`` prints the token once). A missing, unknown, expired or revoked
token is a 401; a role that may not make the request is a 403 that names nothing, and a read
refused is written to the access log before it is answered (:meth:`Caller.refuse`). The caller is
the actor of whatever it writes (:meth:`Caller.actor`); ``X-Purpose`` says why it reads, and goes
to the access log with each read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from oversight.adapters.api.problems import Problem, forbidden
from oversight.workflows.bootstrap import App
from oversight.workflows.ports.credentials import TokenRecord
from oversight.workflows.ports.store import UnitOfWorkFactory
from oversight.workflows.reads.access import (
    WRITERS,
    principal,
)

PURPOSE_PATTERN = r"[A-Za-z0-9 .,;:()'/_-]{1,200}"
"""What ``X-Purpose`` may say: plain words, never control characters (it goes to the log)."""

LAST_USE_STEP = timedelta(minutes=1)
"""A token's last use is recorded to the minute (as ``token_for`` records it)."""

Clock = Callable[[], datetime]
"""The instant a request is handled at: UTC, injected so tests can fix it."""

bearer = HTTPBearer(auto_error=False, description="A token from `oversight token create`.")


@dataclass(frozen=True)
class Caller:
    """The token behind a request."""

    token: TokenRecord
    purpose: str | None = None
    """Why the caller reads, if it said (``X-Purpose``)."""

    @property
    def role(self) -> str:
        return self.token.role

    @property
    def person(self) -> str | None:
        return self.token.person

    def refuse(self, app: App, resource: str, targets: Iterable[str], *,
               now: datetime) -> Problem:
        """The refusal of a read this token's role may not make, logged and committed first
        (every read is in the access log, refused ones too): raise what it returns."""
        app.credentials.log_access(self.token, role=self.role, resource=resource,
                                   targets=targets, now=now, outcome="refused",
                                   purpose=self.purpose)
        return forbidden()

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
        if known is None:  # the store's state refuses it, as an unknown child: a 409
            raise Problem(409, "actor-unknown", "`actor` must be a member of staff this "
                                                "store holds.")
        return principal(self.role, self.token.id, self.person, acting_for=asked)


# The dependencies that only look something up or check a role are ``async``: FastAPI runs
# them on the event loop, where a plain ``def`` would cost each request a hop to a worker thread
# (and a wait for the GIL while the events' writer computes). Only ``caller`` reads the store.

async def the_app(request: Request) -> App:
    return _app(request)


async def the_clock(request: Request) -> Clock:
    return _clock(request)


def _app(request: Request) -> App:
    return request.app.state.oversight


def _clock(request: Request) -> Clock:
    return request.app.state.clock


def _turn(request: Request) -> AbstractContextManager[object]:
    """The events' writer's turn on the store (``GroupCommit.turn``), if the app has one."""
    writer = getattr(request.app.state, "group_commit", None)
    return writer.turn() if writer is not None else nullcontext()


def caller(request: Request,
           credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Caller:
    """The caller, from a live token; 401 otherwise."""
    return _caller(request, credentials, known=None)


async def event_poster(request: Request,
                       credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
                       ) -> Caller:
    """The caller of ``POST /v1/events[/batch]``, whose token the events' writer checks again in
    each group it commits (``GroupCommit``: a token revoked since is refused there, at once): a
    token this process has seen live is taken from its memory, on the event loop, without a
    read of the store or a worker thread; its last use is still recorded once a minute, through
    the store."""
    writer = getattr(request.app.state, "group_commit", None)
    checked = writer is not None and writer.running  # no writer: nothing checks it again
    known = getattr(request.app.state, "known_tokens", None) if checked else None
    if known is not None and credentials is not None \
            and credentials.scheme.lower() == "bearer":
        record = known.get(_key(credentials.credentials))
        if record is not None and _fresh(record, _clock(request)()):
            return _with_purpose(request, record)
    return await run_in_threadpool(_caller, request, credentials, known)


def _fresh(record: TokenRecord, now: datetime) -> bool:
    """Live, and used less than a minute ago (a use to record reads the store)."""
    return record.live(now) and record.last_used_at is not None \
        and now - record.last_used_at < LAST_USE_STEP


def _caller(request: Request, credentials: HTTPAuthorizationCredentials | None,
            known: dict[str, TokenRecord] | None) -> Caller:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "unauthenticated", "Send a bearer token: Authorization: Bearer "
                                              "<token>.", headers=challenge)
    app, secret = _app(request), credentials.credentials
    now = _clock(request)()
    record = _stored_token(request, app, secret, now)
    if known is not None:  # remembered while live, forgotten when not
        hashed = _key(secret)
        if record is None:
            known.pop(hashed, None)
        else:
            known[hashed] = record
    if record is None:
        raise Problem(401, "unauthenticated", "The token is unknown, expired or revoked.",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return _with_purpose(request, record)


def _with_purpose(request: Request, record: TokenRecord) -> Caller:
    purpose = request.headers.get("x-purpose")
    if purpose is not None and not re.fullmatch(PURPOSE_PATTERN, purpose):
        raise Problem(422, "request-invalid", "X-Purpose: plain words (letters, digits, spaces, "
                                              "common punctuation), up to 200 characters.")
    return Caller(record, purpose)


def _stored_token(request: Request, app: App, secret: str, now: datetime
                  ) -> TokenRecord | None:
    gate = app.credentials
    # Read without the store's write lock, which the events' writer holds while it commits
    # (SQLite: a deferred transaction, which WAL runs beside a writer); only a last use to
    # record (once a minute) takes it.
    with _turn(request):
        record = gate.token_for(secret, now=now, touch=False)
    if record is not None and (record.last_used_at is None
                               or now - record.last_used_at >= LAST_USE_STEP):
        with _turn(request):
            record = gate.token_for(secret, now=now)
        if record is not None:  # its last use is now (as stored), the next due in a minute
            record = replace(record, last_used_at=now)
    return record


def live_tokens(app: App) -> Callable[[set[str], datetime], set[str]]:
    """For the events' writer (``GroupCommit``): which of these token ids are live at this
    instant, in one read of the store."""
    def live(token_ids: set[str], now: datetime) -> set[str]:
        return app.credentials.live_token_ids(token_ids, now=now)
    return live


def _key(secret: str) -> str:
    """What this process remembers a token by: its SHA-256, never the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


async def writer(who: Caller = Depends(caller)) -> Caller:
    """Roles that post events: system and admin."""
    return _may_write(who)


async def event_writer(who: Caller = Depends(event_poster)) -> Caller:
    """Roles that post events, for the routes whose events' writer checks the token again."""
    return _may_write(who)


def _may_write(who: Caller) -> Caller:
    if who.role not in WRITERS:
        raise forbidden()
    return who


__all__ = ["Caller", "Clock", "bearer", "caller", "event_poster", "event_writer", "live_tokens",
           "the_app", "the_clock", "writer"]
