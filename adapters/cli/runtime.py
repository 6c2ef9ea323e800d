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
    store: UnitOfWorkFactory
    """The store port, as :attr:`App.store <oversight.workflows.bootstrap.App.store>`."""

    def policy_header(self) -> PolicyHeader:
        """The authority, name and version of the policy the store runs, found as ``open_app``
        finds it, from a file that validates (remembered while file and code are unchanged)."""
        from oversight.adapters.cli.policy_header import policy_header
        from oversight.workflows.reads.queries import policy_run

        return policy_header(policy_run(self.store, self.settings.policy),
                             self.settings.policy_dir, self.settings.home)


def open_reader() -> Reader:
    """The store for reading, from the composition root's light entry
    (:func:`~oversight.workflows.bootstrap.open_reader`: no service, machines, policies, Alembic
    or pydantic-settings, :func:`store_settings`). A store that is missing, never initialised or
    behind the code's schema is refused as by :func:`open_store`."""
    from oversight.workflows.bootstrap import open_reader as reading_store

    config = store_settings()
    require_store(config)
    with init_hint_as_run_here():
        return Reader(config, reading_store(config))


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
