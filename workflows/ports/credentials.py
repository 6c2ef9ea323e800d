"""The credentials port: what the HTTP edges (API and dashboard) need of the store besides
units of work: tokens, dashboard sessions, calendar feed secrets, the access log written in a
transaction of its own, and the subject access export.

The store adapter implements it (:class:`oversight.adapters.store.gate.SqlCredentials`); the
composition root hands it out as ``App.credentials``. Only hashes of secrets are stored: the
values crossing here are a token's record (never the token) and a session's CSRF secret.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

SESSION_IDLE = timedelta(minutes=30)
"""A dashboard session left this long unused ends (``OVERSIGHT_SESSION_IDLE_MINUTES``)."""


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A token as the store knows it: never the token itself."""

    id: str
    role: str
    person: str | None
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    replaced_by: str | None = None
    acts_for: bool = False
    """A service token that may act for a named member of staff."""

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "person": self.person,
                "created_at": self.created_at.isoformat(),
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
                "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
                "replaced_by": self.replaced_by, "acts_for": self.acts_for}


@dataclass(frozen=True, slots=True)
class Session:
    """A live dashboard session: the token it was opened with and its CSRF secret."""

    token: TokenRecord
    csrf: str


class StoreUnavailable(Exception):
    """The store is busy or cannot be reached (a lock not granted in time, a server away):
    the same request may succeed shortly. The API answers 503 with Retry-After.

    Not an :class:`~oversight.states.errors.OversightError`: the use cases take those for an
    event's refusal (one event of a batch refused, the rest applied), and this is no refusal:
    it ends the whole request, as the database's own error did."""


class Credentials(Protocol):
    """Tokens, sessions, feeds and the access log, each call its own transaction."""

    def token_for(self, secret: str, *, now: datetime, touch: bool = True
                  ) -> TokenRecord | None:
        """The live token whose hash matches ``secret`` (None: unknown, revoked or expired).
        ``touch`` records its last use (to the minute) and takes the store's write lock;
        without it the lookup only reads, beside a writer."""
        ...

    def live_token_ids(self, token_ids: set[str], *, now: datetime) -> set[str]:
        """Which of these token ids are live (not expired, not revoked) at ``now``, in one
        read: the events' writer checks a group's tokens before committing it."""
        ...

    def open_session(self, token: TokenRecord, *, now: datetime) -> tuple[str, str]:
        """A new dashboard session for ``token``: (the id for the cookie, its CSRF secret)."""
        ...

    def session_for(self, session_id: str, *, now: datetime, idle: timedelta
                    ) -> Session | None:
        """The live session behind a cookie, seen now; None if ended, idle longer than
        ``idle`` (it is ended as it is found) or its token is no longer live."""
        ...

    def end_session(self, session_id: str, *, now: datetime) -> bool: ...

    def log_access(self, token: TokenRecord | None, *, role: str, resource: str,
                   targets: Iterable[str], now: datetime, outcome: str = "allowed",
                   purpose: str | None = None, reader: str | None = None) -> int:
        """One line per target read (or refused), committed at once; how many."""
        ...

    def feed_person(self, secret: str, *, now: datetime) -> str | None:
        """The person a live calendar feed secret opens (None: unknown or revoked), the
        read logged in the same transaction, refused ones too."""
        ...

    def subject_access(self, person: str, *, now: datetime, requested_by: str,
                       token: TokenRecord | None, role: str) -> dict[str, Any]:
        """Every row naming ``person``, by table, with its manifest; the export logged."""
        ...


__all__ = ["SESSION_IDLE", "Credentials", "Session", "StoreUnavailable", "TokenRecord"]
