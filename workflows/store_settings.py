"""Where the store is and which policy it runs, read from the environment without pydantic.

A command that only reads the store (``oversight status``, ``tasks``) needs four settings:
``home``, ``database_url``, ``policy`` and ``policy_dir``. :meth:`StoreSettings.from_environment`
reads them as :class:`~oversight.workflows.settings.Settings` does (the ``OVERSIGHT_`` variables,
names in any case) when nothing else could change or refuse the settings: no settings file, and
no other variable the full settings read. Otherwise it returns None and the command builds the
full settings, so a broken receiver or settings file is still refused the same way. Importing
pydantic-settings and validating the delivery settings takes longer than the read itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PREFIX = "oversight_"
DEFAULT_HOME = Path(".oversight")
DEFAULT_POLICY = "surrey"
FIELDS = ("home", "database_url", "policy", "policy_dir", "audit_key_file")
"""The settings a read takes, by the name of their field in ``Settings``."""
NOT_SETTINGS = frozenset({"purpose", "test_postgres_url", "bench_postgres_url", "token_days",
                          "session_idle_minutes", "cookie_secure", "shared_dir"})
"""``OVERSIGHT_`` variables that other parts read and ``Settings`` ignores: they may be set
without leaving the quick path (``tests/unit/test_store_settings.py`` checks that none is a
field). Any other ``OVERSIGHT_`` variable, ``OVERSIGHT_SETTINGS_FILE`` among them, may mean
something to the full settings."""


def store_url(home: Path, database_url: str | None) -> str:
    """The store's URL: ``database_url``, or the SQLite file ``oversight.db`` under ``home``."""
    return database_url or f"sqlite:///{(home / 'oversight.db').resolve()}"


def audit_key_path(home: Path, audit_key_file: Path | None, url: str) -> Path:
    """The audit chain's key file (outside the database, never in it: ``docs/audit-chain.md``):
    ``audit_key_file``; else ``audit/chain.key`` in a SQLite store's folder (which a process
    finds from the store's URL alone, as a flow's task does); else under ``home``."""
    if audit_key_file is not None:
        return audit_key_file.expanduser()
    if url.startswith("sqlite") and "///" in url and not url.endswith(":memory:"):
        return Path(url.split("///", 1)[1]).parent / "audit" / "chain.key"
    return (home / "audit" / "chain.key").expanduser()


def redacted(url: str) -> str:
    """A database URL with any password hidden, for messages to people."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@dataclass(frozen=True)
class StoreSettings:
    """The settings of a command that reads the store, as ``Settings`` would have them."""

    home: Path = DEFAULT_HOME
    """Where the embedded store lives."""
    database_url: str | None = None
    policy: str = DEFAULT_POLICY
    """The authority a store that records none runs under."""
    policy_dir: Path | None = None
    audit_key_file: Path | None = None

    @classmethod
    def from_environment(cls) -> StoreSettings | None:
        """These settings from ``OVERSIGHT_*``, or None when the full settings must decide."""
        found: dict[str, str] = {}
        for name, value in os.environ.items():
            lower = name.lower()
            if not lower.startswith(PREFIX):
                continue
            field = lower.removeprefix(PREFIX)
            if field in NOT_SETTINGS:
                continue
            if field not in FIELDS or field in found:  # another setting, or one named twice
                return None
            found[field] = value
        return cls(home=Path(found["home"]) if "home" in found else DEFAULT_HOME,
                   database_url=found.get("database_url"),
                   policy=found.get("policy", DEFAULT_POLICY),
                   policy_dir=Path(found["policy_dir"]) if "policy_dir" in found else None,
                   audit_key_file=Path(found["audit_key_file"]) if "audit_key_file" in found
                   else None)

    @property
    def url(self) -> str:
        return store_url(self.home, self.database_url)

    @property
    def audit_key_path(self) -> Path:
        return audit_key_path(self.home, self.audit_key_file, self.url)

    def redacted_url(self) -> str:
        """The database URL with any password hidden, for messages to people."""
        return redacted(self.url)


__all__ = ["DEFAULT_HOME", "DEFAULT_POLICY", "FIELDS", "NOT_SETTINGS", "StoreSettings", "redacted",
           "store_url"]
