"""The issued secrets port: API bearer tokens and calendar feed URLs, the secrets handed to
people (``oversight token``, ``oversight feed``). Only a secret's SHA-256 is stored; the secret
itself crosses once, on issue.

The store adapter implements :class:`IssuedSecrets` (``adapters/store/issued_secrets.py``);
the composition root hands it out as ``App.secrets``. A token crosses as the credentials
port's :class:`~oversight.workflows.ports.credentials.TokenRecord` (never the token itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from oversight.workflows.ports.credentials import TokenRecord


@dataclass(frozen=True, slots=True)
class Feed:
    """One person's feed as stored (never its secret)."""

    id: str
    person: str
    created_at: datetime
    revoked_at: datetime | None


class IssuedSecrets(Protocol):
    """What the token and feed commands need of the store; each call is one transaction."""

    def create_token(self, *, role: str, person: str | None, now: datetime,
                     lifetime: timedelta, acts_for: bool, on_staff: bool
                     ) -> tuple[TokenRecord, str] | None:
        """A new token and its secret; None (nothing written) when ``on_staff`` asks that
        ``person`` be a member of staff and they are not."""
        ...

    def rotate_token(self, token_id: str, *, now: datetime, lifetime: timedelta
                     ) -> tuple[TokenRecord, str] | None:
        """A new token with the old one's role, person and scope, the old one revoked; None
        when ``token_id`` is not a live token."""
        ...

    def revoke_token(self, token_id: str, *, now: datetime) -> bool:
        """Whether a live token was revoked."""
        ...

    def tokens(self) -> list[TokenRecord]:
        """Every token issued."""
        ...

    def issue_feed(self, person: str, *, now: datetime) -> tuple[Feed, str] | None:
        """``person``'s new feed and its secret, their old one revoked; None (nothing
        written) when they are not a member of staff."""
        ...

    def revoke_feed(self, person: str, *, now: datetime) -> int:
        """How many live feeds of ``person`` were revoked."""
        ...

    def feeds(self) -> list[Feed]:
        """Every feed issued."""
        ...


__all__ = ["Feed", "IssuedSecrets"]
