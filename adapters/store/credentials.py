"""Credentials: API tokens (only their SHA-256 is kept) and the dashboard's server-side sessions.

A token has a lifetime (90 days unless told otherwise), records when it was last used (to the
minute: a busy client does not write on every request), and can be rotated: the new token takes
the old one's role, person and scope, and the old one is revoked and points at its successor.
A service token may act for a named member of staff only if ``acts_for`` says so.

A dashboard session is a random id in a cookie; the store keeps its hash, the token it was
opened with, its CSRF secret and when it was last seen. It ends on logout, after the idle
limit, or when its token stops being live.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from oversight.adapters import clock
from oversight.adapters.store import tables as t
from oversight.states.event_time import as_utc
from oversight.workflows.ports.credentials import (  # the port's values
    SESSION_IDLE,
    Session,
    TokenRecord,
)

TOKEN_PREFIX = "ovt_"
TOKEN_LIFETIME = timedelta(days=90)
"""How long a new token lives unless told otherwise (``OVERSIGHT_TOKEN_DAYS``)."""
_LAST_USE_STEP = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_COLUMNS = (t.api_tokens.c.id, t.api_tokens.c.role, t.api_tokens.c.person,
            t.api_tokens.c.created_at, t.api_tokens.c.revoked_at, t.api_tokens.c.expires_at,
            t.api_tokens.c.last_used_at, t.api_tokens.c.replaced_by, t.api_tokens.c.acts_for)


def _token(row: Any) -> TokenRecord:
    created = as_utc(row.created_at)
    assert created is not None  # NOT NULL
    return TokenRecord(row.id, row.role, row.person, created, as_utc(row.revoked_at),
                       as_utc(row.expires_at), as_utc(row.last_used_at), row.replaced_by,
                       bool(row.acts_for))


def create_token(connection: Connection, *, role: str, person: str | None, now: datetime,
                 lifetime: timedelta | None = TOKEN_LIFETIME,
                 acts_for: bool = False) -> tuple[TokenRecord, str]:
    """A new token: its record and the secret, which the caller shows once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = TokenRecord(id="tok_" + secrets.token_hex(6), role=role, person=person,
                         created_at=now, revoked_at=None,
                         expires_at=now + lifetime if lifetime is not None else None,
                         acts_for=acts_for)
    connection.execute(insert(t.api_tokens).values(
        id=record.id, hash=token_hash(secret), role=role, person=person, created_at=now,
        expires_at=record.expires_at, acts_for=acts_for))
    return record, secret


def revoke_token(connection: Connection, token_id: str, *, now: datetime) -> bool:
    """Revoke a token from now on; False if there is no such live token."""
    done = connection.execute(update(t.api_tokens).where(
        t.api_tokens.c.id == token_id, t.api_tokens.c.revoked_at.is_(None)).values(revoked_at=now))
    if done.rowcount == 1:
        connection.execute(update(t.dashboard_sessions).where(
            t.dashboard_sessions.c.token_id == token_id,
            t.dashboard_sessions.c.ended_at.is_(None)).values(ended_at=now))
    return done.rowcount == 1


def rotate_token(connection: Connection, token_id: str, *, now: datetime,
                 lifetime: timedelta | None = TOKEN_LIFETIME) -> tuple[TokenRecord, str] | None:
    """A new token with the old one's role, person and scope; the old one is revoked."""
    old = token_by_id(connection, token_id)
    if old is None or not old.live(now):
        return None
    record, secret = create_token(connection, role=old.role, person=old.person, now=now,
                                  lifetime=lifetime, acts_for=old.acts_for)
    revoke_token(connection, token_id, now=now)
    connection.execute(update(t.api_tokens).where(t.api_tokens.c.id == token_id).values(
        replaced_by=record.id))
    return record, secret


def token_by_id(connection: Connection, token_id: str) -> TokenRecord | None:
    row = connection.execute(select(*_COLUMNS).where(t.api_tokens.c.id == token_id)).first()
    return _token(row) if row else None


def token_for(connection: Connection, secret: str, *, now: datetime | None = None,
              touch: bool = True) -> TokenRecord | None:
    """The live token whose hash matches ``secret`` (None: unknown, revoked or expired); its
    last use is recorded (``touch``) to the minute, in the caller's transaction."""
    now = now or clock.now()
    row = connection.execute(select(*_COLUMNS).where(
        t.api_tokens.c.hash == token_hash(secret))).first()
    if row is None:
        return None
    record = _token(row)
    if not record.live(now):
        return None
    if touch and (record.last_used_at is None or now - record.last_used_at >= _LAST_USE_STEP):
        connection.execute(update(t.api_tokens).where(t.api_tokens.c.id == record.id).values(
            last_used_at=now))
    return record


def live_token_ids(connection: Connection, token_ids: set[str], *, now: datetime) -> set[str]:
    """Which of ``token_ids`` are live at ``now`` (not revoked, not expired): one query, for
    the API's events' writer to check the tokens of a whole group at once."""
    rows = connection.execute(select(t.api_tokens.c.id, t.api_tokens.c.expires_at).where(
        t.api_tokens.c.id.in_(sorted(token_ids)), t.api_tokens.c.revoked_at.is_(None)))
    return {row.id for row in rows
            if row.expires_at is None or now < as_utc(row.expires_at)}


def tokens(connection: Connection) -> list[TokenRecord]:
    rows = connection.execute(select(*_COLUMNS).order_by(t.api_tokens.c.created_at,
                                                         t.api_tokens.c.id))
    return [_token(row) for row in rows]


# ----- dashboard sessions ------------------------------------------------------------------------

def open_session(connection: Connection, token: TokenRecord, *, now: datetime
                 ) -> tuple[str, str]:
    """A new session for ``token``: (the id for the cookie, its CSRF secret)."""
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    connection.execute(insert(t.dashboard_sessions).values(
        hash=token_hash(session_id), token_id=token.id, csrf=csrf, created_at=now,
        last_seen_at=now))
    return session_id, csrf


def session_for(connection: Connection, session_id: str, *, now: datetime,
                idle: timedelta = SESSION_IDLE) -> Session | None:
    """The live session behind a cookie, seen now; None if ended, idle too long, or its token
    is no longer live (an idle one is ended as it is found). The caller commits."""
    row = connection.execute(select(t.dashboard_sessions).where(
        t.dashboard_sessions.c.hash == token_hash(session_id))).mappings().first()
    if row is None or row["ended_at"] is not None:
        return None
    key = t.dashboard_sessions.c.hash == row["hash"]
    token = token_by_id(connection, row["token_id"])
    seen = as_utc(row["last_seen_at"])
    if token is None or not token.live(now) or seen is None or now - seen > idle:
        connection.execute(update(t.dashboard_sessions).where(key).values(ended_at=now))
        return None
    connection.execute(update(t.dashboard_sessions).where(key).values(last_seen_at=now))
    return Session(token, row["csrf"])


def end_session(connection: Connection, session_id: str, *, now: datetime) -> bool:
    done = connection.execute(update(t.dashboard_sessions).where(
        t.dashboard_sessions.c.hash == token_hash(session_id),
        t.dashboard_sessions.c.ended_at.is_(None)).values(ended_at=now))
    return done.rowcount == 1


__all__ = ["SESSION_IDLE", "TOKEN_LIFETIME", "TOKEN_PREFIX", "Session", "TokenRecord",
           "create_token", "end_session", "live_token_ids", "open_session", "revoke_token",
           "rotate_token", "session_for", "token_by_id", "token_for", "token_hash", "tokens"]
