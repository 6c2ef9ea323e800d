"""The dashboard as an app of its own, and serving it with uvicorn.

The API's app factory (``adapters/api``) mounts the dashboard itself with
:func:`oversight.adapters.web.pages.install`; :func:`dashboard_app` builds a FastAPI app holding
only the dashboard's pages and read endpoints (tests, the demo).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from oversight.adapters import clock
from oversight.adapters.api import problems
from oversight.adapters.web.pages import install
from oversight.adapters.web.sessions import Dashboard


def dashboard_app(dashboard: Dashboard) -> FastAPI:
    app = FastAPI(title="Oversight dashboard", docs_url=None, redoc_url=None)
    problems.install(app)
    install(app, dashboard)
    return app


@dataclass
class Running:
    """A server started in a thread (tests, the demo): its address, and how to stop it."""

    url: str
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_in_thread(app: FastAPI, *, host: str = "127.0.0.1", port: int = 0) -> Running:
    """Serve ``app`` on loopback in a background thread; port 0 picks a free one."""
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dashboard did not start")
        time.sleep(0.05)
    bound_host, bound_port = sock.getsockname()[:2]
    return Running(f"http://{bound_host}:{bound_port}", server, thread)


def serve_forever(app: FastAPI, *, host: str, port: int) -> None:
    """Serve until Ctrl+C (uvicorn)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning")


DEMO_ROLES = [("manager", "tm1", "team manager: the team page, both ASYEs, the team's tasks"),
              ("supervisee", "nq1", "a newly qualified worker: their own ASYE only"),
              ("workforce", None, "workforce development: every ASYE journey"),
              ("admin", None, "everything")]


def serve_demo(store: Path, *, host: str = "127.0.0.1", port: int = 8000,
               say: Callable[[str], None] = print) -> None:
    """Serve the dashboard on the demo store with a fresh token per demo role, each living one
    day; the last line said is the dashboard's address."""
    from datetime import timedelta

    from oversight.workflows.bootstrap import open_app, sqlite_url
    from oversight.workflows.settings import Settings

    ready = open_app(Settings(home=store.parent, database_url=sqlite_url(store.resolve())))
    now = clock.now()
    tokens = []
    for role, person, what in DEMO_ROLES:
        made = ready.secrets.create_token(role=role, person=person, now=now,
                                          lifetime=timedelta(days=1), acts_for=False,
                                          on_staff=False)
        assert made is not None  # refused only for someone not on staff, not asked here
        tokens.append((made[1], role, person, what))
    app = dashboard_app(Dashboard.of(ready))
    say("Sign in to the dashboard with one of these demo tokens (valid for a day):")
    for secret, role, person, what in tokens:
        say(f"  {secret}  {role}{' ' + person if person else ''}: {what}")
    say(f"Dashboard: http://{host}:{port}/ (Ctrl+C stops)")
    serve_forever(app, host=host, port=port)


__all__ = ["Dashboard", "Running", "dashboard_app", "serve_demo",
           "start_in_thread"]
