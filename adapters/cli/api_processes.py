"""``oversight api --workers N``: the API served by N processes over one PostgreSQL store.

uvicorn starts N processes, each of which builds its own application with :func:`served`: its
own engine, its own service and its own events' writer (adapters/api/group_commit.py), so each
process commits the events its requests queue in groups of its own. Two processes never write
an event twice: the store's ``processed_events`` key is the judge, and the service retries a
group that collided with another process's writes on the new state (an event applied by the
other process is then a duplicate, answered 200). SQLite has one write lock for the whole file:
a second writer process would only queue on it, so more than one process is refused there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from oversight.workflows.settings import Settings

ONE_WRITER = ("--workers {workers}: a SQLite store has one writer process; serve it with "
              "--workers 1, or move the store to PostgreSQL (docs/scale.md)")


def refusal(config: Settings, workers: int) -> str | None:
    """The one line refusing ``workers`` processes over ``config``'s store, or None."""
    if workers < 1:
        return f"--workers {workers}: at least one process serves the API"
    if workers > 1 and config.url.startswith("sqlite"):
        return ONE_WRITER.format(workers=workers)
    return None


def served() -> FastAPI:
    """The application one of uvicorn's worker processes serves: the store named by the
    environment the ``oversight api`` process was started in (uvicorn's factory)."""
    from oversight.adapters.api import create_app
    from oversight.adapters.cli.runtime import open_store

    return create_app(open_store())


__all__ = ["ONE_WRITER", "refusal", "served"]
