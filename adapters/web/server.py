"""The dashboard as an app of its own, and serving it with uvicorn.

Until the API's app factory (issue 6, ``adapters/api``) mounts the dashboard itself with
:func:`oversight.adapters.web.pages.install`, :func:`dashboard_app` builds a FastAPI app holding only the
dashboard's pages and read endpoints.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from fastapi import FastAPI

from oversight.adapters.web.pages import Dashboard, install
from oversight.adapters.web.viewer import Authenticate, StaticTokens, store_tokens


def dashboard_app(dashboard: Dashboard) -> FastAPI:
    app = FastAPI(title="Oversight dashboard", docs_url=None, redoc_url=None)
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
    """Serve the dashboard on the demo store with a fresh token per demo role; the last line
    said is the dashboard's address."""
    from oversight.adapters.store.database import sqlite_url
    from oversight.workflows.bootstrap import open_app
    from oversight.workflows.settings import Settings

    ready = open_app(Settings(home=store.parent, database_url=sqlite_url(store.resolve())))
    tokens = {f"demo-{role}-{secrets.token_urlsafe(12)}": (role, person)
              for role, person, _ in DEMO_ROLES}
    static = StaticTokens(tokens)
    try:
        from_store: Authenticate | None = store_tokens(ready.engine)
    except ImportError:  # the API's token table (issue 6) is not there
        from_store = None

    def authenticate(secret: str) -> tuple[str, str | None] | None:
        found = static(secret)
        if found is None and from_store is not None:
            try:
                found = from_store(secret)
            except Exception:  # noqa: BLE001 - a store without the token table knows no token
                found = None
        return found

    app = dashboard_app(Dashboard(ready.engine, ready.policy, authenticate))
    say("Sign in to the dashboard with one of these demo tokens (valid while it runs):")
    for (secret, (role, person)), (_, _, what) in zip(tokens.items(), DEMO_ROLES):
        say(f"  {secret}  {role}{' ' + person if person else ''}: {what}")
    say(f"Dashboard: http://{host}:{port}/ (Ctrl+C stops)")
    serve_forever(app, host=host, port=port)


__all__ = ["Authenticate", "Dashboard", "Running", "dashboard_app", "serve_demo",
           "start_in_thread"]
