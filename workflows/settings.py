"""Settings from the environment (``OVERSIGHT_*``); secrets never printed."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from oversight.workflows.delivery.settings import DeliverySettings
from oversight.workflows.store_settings import (
    DEFAULT_HOME,
    DEFAULT_POLICY,
    audit_key_path,
    redacted,
    store_url,
)


class Settings(DeliverySettings):
    """Arguments win over ``OVERSIGHT_*`` variables, which win over the settings file named by
    ``OVERSIGHT_SETTINGS_FILE`` (YAML; see ``config/settings.example.yaml``); a fault is one
    line (:class:`~oversight.workflows.delivery.settings.SettingsInvalid`). The store's own
    four settings are also read without pydantic, by a read command
    (:class:`~oversight.workflows.store_settings.StoreSettings`)."""

    model_config = SettingsConfigDict(env_prefix="OVERSIGHT_", extra="ignore",
                                      env_nested_delimiter="__")

    home: Path = DEFAULT_HOME
    """Where the embedded store and the outbox files live."""
    database_url: str | None = None
    """Any SQLAlchemy URL; the default is a SQLite file under ``home``."""
    policy: str = DEFAULT_POLICY
    """The authority whose policy a new store runs under (``oversight init --policy``)."""
    policy_dir: Path | None = None
    link_base: str = "http://localhost:8000"
    """Where a task's link points: the API or dashboard a person opens."""
    batch_size: int = 500
    api_host: str = "127.0.0.1"
    """Where ``oversight api`` listens (loopback unless told otherwise)."""
    api_port: int = 8000
    audit_key_file: Path | None = None
    """The audit chain's HMAC key (made by ``oversight init``, 0600); default
    ``audit/chain.key`` in a SQLite store's folder, else under ``home``. Keep it, and its
    backup, away from the database's own backups."""
    audit_anchor_file: Path | None = None
    """Where ``oversight audit anchor`` appends the chain's heads; default ``anchors.jsonl``
    beside the key. Best on another machine or an append-only mount."""
    import_columns: dict[str, dict[str, str]] = {}
    """A source system's CSV column names per import kind, mapped to ours, e.g.
    ``OVERSIGHT_IMPORT_COLUMNS='{"staff": {"Employee No": "id", "Job Role": "role"}}'``."""
    import_columns_file: Path | None = None
    """The same mapping in a YAML file (``config/imports/itrent.yaml``); the variable wins."""

    @property
    def url(self) -> str:
        return store_url(self.home, self.database_url)

    @property
    def audit_key_path(self) -> Path:
        return audit_key_path(self.home, self.audit_key_file, self.url)

    @property
    def audit_anchor_path(self) -> Path:
        return (self.audit_anchor_file or self.audit_key_path.parent / "anchors.jsonl"
                ).expanduser()

    @property
    def outbox_file(self) -> Path:
        return self.home / "outbox" / "tasks.jsonl"

    def redacted_url(self) -> str:
        """The database URL with any password hidden, for messages to people."""
        return redacted(self.url)
