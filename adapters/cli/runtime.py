"""What the commands reach beyond the terminal: the settings, the store and a quiet Prefect.

Each is imported when a command runs, not when ``oversight`` starts, so ``oversight --help``
stays quick: Prefect alone takes seconds to import.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oversight.workflows.bootstrap import App
    from oversight.workflows.settings import Settings

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


def open_store() -> App:
    from oversight.workflows.bootstrap import open_app

    return open_app(settings())
