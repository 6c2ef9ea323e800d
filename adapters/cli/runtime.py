"""What the commands reach beyond the terminal: the settings, the store and a quiet Prefect.

Each is imported when a command runs, not when ``oversight`` starts, so ``oversight --help``
stays quick: Prefect alone takes seconds to import.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from oversight.adapters.cli.policy_header import PolicyHeader
    from oversight.workflows.bootstrap import App
    from oversight.workflows.ports.store import UnitOfWorkFactory
    from oversight.workflows.settings import Settings
    from oversight.workflows.store_settings import StoreSettings

TEMPORARY_SERVER_LOGGING = """\
version: 1
disable_existing_loggers: false
handlers:
  console: {class: logging.StreamHandler, stream: "ext://sys.stderr"}
root: {level: CRITICAL, handlers: [console]}
loggers:
  sqlalchemy: {level: CRITICAL}
"""


def quiet_prefect() -> None:
    """Keep Prefect's console to errors before a command runs flows (the environment wins).

    Flow and task errors still show. Without PREFECT_API_URL, Prefect starts a temporary
    server in a subprocess that stops with the command, and as it stops it logs cancellation
    errors (its own and its database driver's) that mean nothing to a person: that subprocess
    gets a logging configuration showing only critical errors. It is set after Prefect is
    imported here, so this process keeps Prefect's own configuration.
    """
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    import prefect  # noqa: F401  (configures this process's logging from the environment)

    # Its events worker warns while it drains at exit; the drain itself completes.
    logging.getLogger("EventsWorker").setLevel(logging.ERROR)
    if "PREFECT_LOGGING_SETTINGS_PATH" not in os.environ:
        path = Path(tempfile.gettempdir()) / "oversight-temporary-prefect-server-logging.yml"
        path.write_text(TEMPORARY_SERVER_LOGGING, encoding="utf-8")
        os.environ["PREFECT_LOGGING_SETTINGS_PATH"] = str(path)


def settings() -> Settings:
    from oversight.workflows.settings import Settings

    return Settings()


def store_settings() -> StoreSettings | Settings:
    """Where the store is, for a command that only reads it: read without pydantic when the
    environment holds nothing else the full settings read (a settings file, a receiver), else
    the full settings, which refuse a fault in those as every other command does."""
    from oversight.workflows.store_settings import StoreSettings

    return StoreSettings.from_environment() or settings()


def open_store() -> App:
    from oversight.workflows.bootstrap import open_app

    config = settings()
    require_store(config)
    with init_hint_as_run_here():
        return open_app(config)


@contextmanager
def init_hint_as_run_here() -> Iterator[None]:
    """A store not ready says to run ``oversight init``: named as this program can be run
    (``.venv/bin/oversight`` when PATH does not find it), like every other hint."""
    from oversight.states.errors import StoreNotReady

    try:
        yield
    except StoreNotReady as error:
        from oversight.adapters.cli.first_use import program

        raise StoreNotReady(str(error).replace("`oversight init`", f"`{program()} init`")
                            ) from None


@dataclass(frozen=True)
class Reader:
    """What a command that only reads the store needs (``status``, ``tasks``)."""

    settings: StoreSettings | Settings
    engine: Engine
    store: UnitOfWorkFactory
    """The store port, as :attr:`App.store <oversight.workflows.bootstrap.App.store>`."""

    def policy_header(self) -> PolicyHeader:
        """The authority, name and version of the policy the store runs, found as ``open_app``
        finds it, from a file that validates (remembered while file and code are unchanged)."""
        from oversight.adapters.cli.policy_header import policy_header

        with self.store() as uow:
            name = uow.meta.get("policy") or self.settings.policy
        return policy_header(name, self.settings.policy_dir, self.settings.home)


def open_reader() -> Reader:
    """The store for reading, without the service, the machines, the policies, Alembic or
    pydantic-settings, which a read does not use and which take most of a second to import
    (:func:`store_settings`). A store that is missing, never initialised or behind the code's
    schema is refused as by :func:`open_store` (the schema's revision is read without Alembic)."""
    from oversight.adapters.store.database import make_engine, require_ready
    from oversight.adapters.store.unit_of_work import SqlStore

    config = store_settings()
    require_store(config)
    engine = make_engine(config.url)
    with init_hint_as_run_here():
        require_ready(engine, config.redacted_url())
    from oversight.adapters.store.chain_keys import attach

    attach(engine, config.audit_key_path)  # a read's access-log lines are sealed with it
    return Reader(config, engine, SqlStore(engine))


def require_store(config: StoreSettings | Settings) -> None:
    """A store that is a SQLite file not there yet: one line saying so, and nothing created
    (opening it would make the file and its folder)."""
    url = config.url
    if url.startswith("sqlite") and "///" in url and not url.endswith(":memory:"):
        path = Path(url.split("///", 1)[1])
        if not path.exists():
            from oversight.adapters.cli.console import fail
            from oversight.adapters.cli.first_use import program

            fail(f"no store here ({path}): run `{program()} init` first, or point "
                 f"OVERSIGHT_HOME or OVERSIGHT_DATABASE_URL at the store")
