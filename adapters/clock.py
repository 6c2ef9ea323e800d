"""The wall clock: the one module of the product that reads it (docs/clock.md).

Everything else is given the instant: the domain and the use cases take ``now`` (and "today",
the Europe/London date of ``now``, :func:`oversight.states.event_time.london_today`) as an
input; the edges (the CLI, the API, the dashboard, the flows through ``workflows.bootstrap``)
take it from here.

A process started by a test can be given a test clock: ``OVERSIGHT_CLOCK`` set to an instant
(``2026-12-07T10:00:00+00:00``) starts the process's clock at that instant, and it runs on from
there (leases and backoffs still see time pass). It is accepted on a scratch store only, a
store nobody keeps: a SQLite file (or a folder of one) in the system's temporary folder, or a
PostgreSQL database whose name starts ``oversight_test_`` (those the test suite makes). On any
other store the variable is refused, one line and exit 1, before anything is read or written:
set by accident beside a live store, it stops the command instead of moving the live store's
"today".
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

from oversight.states.errors import OversightError

VARIABLE = "OVERSIGHT_CLOCK"
"""The environment variable that sets a test clock (tests only: docs/clock.md)."""

SCRATCH_DATABASE_PREFIX = "oversight_test_"
"""A PostgreSQL database whose name starts so is a scratch store (tests/integration/databases.py
names every database it makes so)."""


class ClockRefused(OversightError):
    """``OVERSIGHT_CLOCK`` is set where it is not allowed, or is not an instant."""


@dataclass(frozen=True)
class Clock:
    """The system clock, or (``started`` set) a test clock started at that instant."""

    started: datetime | None = None
    # Looked up at each call (not bound once): a frozen test clock (freezegun) replaces it.
    _began: float = field(default_factory=lambda: time.monotonic(), compare=False)

    def now(self) -> datetime:
        """The current instant, in UTC."""
        if self.started is None:
            return datetime.now(UTC)
        return self.started + timedelta(seconds=time.monotonic() - self._began)

    def today(self) -> date:
        """Today's date in Europe/London."""
        # Imported here: the event models behind it cost `oversight --help` its quickness.
        from oversight.states.event_time import london_today

        return london_today(self.now())


SYSTEM = Clock()


def now() -> datetime:
    """The current instant, in UTC, on this process's clock."""
    return clock().now()


def today() -> date:
    """Today's date in Europe/London, on this process's clock."""
    return clock().today()


def clock() -> Clock:
    """The system clock, or the test clock ``OVERSIGHT_CLOCK`` sets (refused but on a scratch
    store): :class:`ClockRefused` says why."""
    setting = os.environ.get(VARIABLE)
    if not setting:
        return SYSTEM
    return _test_clock(setting, _store_url())


def _store_url() -> str:
    """The store the settings name (a settings file may name it): read only when a test clock
    is asked for, so the system clock costs nothing."""
    from oversight.workflows.store_settings import StoreSettings

    found = StoreSettings.from_environment()
    if found is not None:
        return found.url
    from oversight.workflows.settings import Settings

    return Settings().url


@cache
def _test_clock(setting: str, store: str) -> Clock:
    """One test clock per setting and store, so the process's clock runs on from its start."""
    from oversight.states.event_time import as_utc

    try:
        started = as_utc(datetime.fromisoformat(setting))
    except ValueError:
        raise ClockRefused(f"{VARIABLE}={setting!r} is not an instant (write "
                           f"2026-12-07T10:00:00+00:00)") from None
    if not is_scratch(store):
        raise ClockRefused(f"{VARIABLE} is set, but the store is not a scratch store (a test "
                           f"clock is for tests only: docs/clock.md); unset {VARIABLE}")
    return Clock(started)


def is_scratch(url: str) -> bool:
    """Whether the store at ``url`` is one nobody keeps: SQLite in memory or in the system's
    temporary folder, or a PostgreSQL database the test suite made."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # an unreadable URL is no scratch store; opening it will say why
        return False
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return True
        temporary = Path(os.path.realpath(tempfile.gettempdir()))
        return temporary in Path(os.path.realpath(parsed.database)).parents
    return (parsed.get_backend_name() == "postgresql"
            and (parsed.database or "").startswith(SCRATCH_DATABASE_PREFIX))


__all__ = ["SCRATCH_DATABASE_PREFIX", "SYSTEM", "VARIABLE", "Clock", "ClockRefused", "clock",
           "is_scratch", "now", "today"]
