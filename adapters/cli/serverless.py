"""``oversight sweep`` and ``dispatch`` with no Prefect server configured: the same engine,
without Prefect.

With ``PREFECT_API_URL`` unset, running a flow makes Prefect start a temporary server for the
command (seconds, and nothing keeps its record of the run afterwards). These run the flows'
steps as plain calls instead: the sweep is the flow's one loop
(:func:`oversight.workflows.recording.sweeping.sweep_due`, each batch what its
``fire_due_batch`` task fires), the dispatch is the one in-process run
(:func:`oversight.workflows.bootstrap.dispatch_here`: routing, then each receiver's pages), so
the store ends exactly as after the flow. Prefect is not imported at all. With a server configured,
the commands run the flows, recorded on it, as before.
"""

from __future__ import annotations

import os
import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oversight.adapters import clock

if TYPE_CHECKING:
    from oversight.workflows.bootstrap import App

NO_SERVER_NOTE = ("no Prefect server configured (PREFECT_API_URL): ran without Prefect; runs are "
                  "recorded only with a server (see docs/scale.md)")


def prefect_server() -> str | None:
    """The Prefect API flow runs would be recorded on, or None: ``PREFECT_API_URL`` from the
    environment or the active Prefect profile, or the settings of a Prefect already imported
    here (a test harness). Read without importing Prefect, which takes seconds."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    if "prefect.settings" in sys.modules:
        import prefect.settings

        return prefect.settings.PREFECT_API_URL.value() or None
    home = Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        found = tomllib.loads(profiles.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or found.get("active") or "ephemeral"
    url = found.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(url) if url else None


def say_no_server() -> None:
    """The one line that says where the run's record went: nowhere, without a server."""
    from oversight.adapters.cli.console import err

    err().print(f"note: {NO_SERVER_NOTE}", markup=False, soft_wrap=True)


def sweep_here(app: App, as_of: date | None, batch_size: int) -> dict[str, int]:
    """``oversight sweep`` without a server: as the flow, now, for ``as_of`` (default today in
    Europe/London); failed timers are error lines on stderr; then the note, once."""
    from oversight.adapters.cli.console import busy, err
    from oversight.states.event_time import london_today
    from oversight.workflows.recording.sweeping import sweep_due

    now = clock.now()
    day = as_of or london_today(now)
    with busy("Sweeping: firing the timers that are due"):
        totals = sweep_due(app.service, day, now=now, batch_size=batch_size,
                           say=lambda line: err().print(f"error: {line}", markup=False,
                                                        soft_wrap=True))
    say_no_server()
    return totals


def dispatch_here(app: App, batch_size: int) -> dict[str, Any]:
    """``oversight dispatch`` without a server: one run now, then the note, once."""
    from oversight.adapters.cli.console import busy
    from oversight.workflows.bootstrap import dispatch_here as dispatch_run

    with busy("Dispatching: delivering task messages"):
        totals = dispatch_run(app, clock.now(), batch_size)
    say_no_server()
    return totals


__all__ = ["NO_SERVER_NOTE", "dispatch_here", "prefect_server", "say_no_server", "sweep_here"]
