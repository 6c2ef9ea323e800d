"""Calendar feeds: each person's read-only, revocable feed URL (issue 13).

A calendar client ("subscribe from URL" in Outlook or Google Calendar) cannot send a bearer
header, so a feed is reached by a secret in its URL instead: ``/v1/feeds/<secret>.ics``. The
secret is made here, shown once, and only its SHA-256 is kept; it opens one person's calendar
and nothing else (not an API token: no role, no other read). Issuing a new feed for a person
revokes the old one; a revoked or unknown secret answers 404.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from oversight.adapters.store import tables as t
from oversight.workflows.ports.issued_secrets import Feed

FEED_PREFIX = "cal_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue(connection: Connection, person: str, *, now: datetime) -> tuple[Feed, str]:
    """A new feed for ``person`` (their earlier ones revoked) and its secret, shown once."""
    revoke(connection, person, now=now)
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    feed = Feed("feed_" + secrets.token_hex(6), person, now, None)
    connection.execute(insert(t.calendar_feeds).values(
        id=feed.id, person=person, hash=_hash(secret), created_at=now))
    return feed, secret


def revoke(connection: Connection, person: str, *, now: datetime) -> int:
    """Revoke every live feed of ``person``; how many."""
    c = t.calendar_feeds
    done = connection.execute(update(c).where(c.c.person == person, c.c.revoked_at.is_(None))
                              .values(revoked_at=now))
    return done.rowcount


def person_of(connection: Connection, secret: str) -> str | None:
    """The person a live feed secret opens, or None (unknown, revoked, or not a feed secret)."""
    if not secret.startswith(FEED_PREFIX) or len(secret) > 100:
        return None
    c = t.calendar_feeds
    return connection.execute(select(c.c.person).where(
        c.c.hash == _hash(secret), c.c.revoked_at.is_(None))).scalar_one_or_none()


def listing(connection: Connection) -> list[Feed]:
    """Every feed, newest first."""
    c = t.calendar_feeds
    rows = connection.execute(select(c.c.id, c.c.person, c.c.created_at, c.c.revoked_at)
                              .order_by(c.c.created_at.desc(), c.c.id)).all()
    return [Feed(*row) for row in rows]
