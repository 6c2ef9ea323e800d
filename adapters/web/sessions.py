"""Signing in and out of the dashboard: server-side sessions, CSRF, Origin, security headers.

- Sign-in posts a token with the form's CSRF value, which must match the one set in a short-lived
  cookie when the form was served (double submit), from a page of this site (``Origin``, or
  ``Referer`` when a browser sends no Origin). A live token opens a session: the cookie holds a
  random session id (the store keeps its hash), ``HttpOnly``, ``SameSite=Strict``, and ``Secure``
  when the site is served over HTTPS, when configured, or by default whenever it is not served
  on loopback. The token itself never goes into a cookie.
- A session ends on sign-out (a form with the session's CSRF value), after it has been idle for
  :data:`~oversight.workflows.ports.credentials.SESSION_IDLE`, or when its token stops being live.
- Every answer carries a Content-Security-Policy (``frame-ancestors 'none'``), ``Referrer-Policy:
  no-referrer``, ``Cache-Control: no-store`` and ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from ipaddress import ip_address
from urllib.parse import parse_qs, urlsplit

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oversight.adapters import clock as wall_clock
from oversight.adapters.web.viewer import Viewer, viewer_for
from oversight.states.policy.model import Policy
from oversight.workflows.bootstrap import App
from oversight.workflows.ports.credentials import SESSION_IDLE, Credentials, TokenRecord
from oversight.workflows.ports.deliveries import DeliveryStore
from oversight.workflows.ports.store import UnitOfWorkFactory

SESSION_COOKIE = "oversight_session"
LOGIN_COOKIE = "oversight_login_csrf"
CSP = ("default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' "
       "data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
"""Pages load only this site's stylesheet; no script at all; never framed."""
DOCS_CSP = "frame-ancestors 'none'"
"""The OpenAPI viewer (``/docs``) loads its own scripts: only framing is refused there."""
HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
           "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


def _secure_setting() -> bool | None:
    value = os.environ.get("OVERSIGHT_COOKIE_SECURE", "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return None


def _idle_setting() -> timedelta:
    minutes = os.environ.get("OVERSIGHT_SESSION_IDLE_MINUTES", "").strip()
    return timedelta(minutes=int(minutes)) if minutes.isdigit() and int(minutes) > 0 else \
        SESSION_IDLE


@dataclass(frozen=True)
class Dashboard:
    """What the pages need: the store's ports, its policy, the clock and the session
    settings."""

    store: UnitOfWorkFactory
    """The store port: what the read models take."""
    credentials: Credentials
    """Tokens, sessions and the access log."""
    deliveries: DeliveryStore
    """The messages' deliveries (the task page lists them)."""
    policy: Policy
    clock: Callable[[], datetime] = wall_clock.now
    secure_cookies: bool | None = field(default_factory=_secure_setting)
    """Always (True), never (False), or None: over HTTPS or outside loopback."""
    idle: timedelta = field(default_factory=_idle_setting)

    @classmethod
    def of(cls, app: App, *, clock: Callable[[], datetime] = wall_clock.now) -> Dashboard:
        """The dashboard over the application's ports."""
        return cls(app.store, app.credentials, app.deliveries, app.policy, clock=clock)


def dashboard_of(request: Request) -> Dashboard:
    return request.app.state.dashboard


def _loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secure(request: Request) -> bool:
    """Whether cookies set in answer to ``request`` are ``Secure``."""
    setting = dashboard_of(request).secure_cookies
    if setting is not None:
        return setting
    return request.url.scheme == "https" or not _loopback(request.url.hostname or "")


def same_origin(request: Request) -> bool:
    """The request comes from a page of this site: its Origin (or Referer) is ours; a client
    that sends neither is not a browser and is held to the CSRF value alone."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed or claimed == "null":  # no-referrer makes a browser's form post say "null"
        return True
    parts = urlsplit(claimed)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.url.scheme}://{request.url.netloc}"


def matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


async def form_of(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body).items()}


def login_csrf(response: Response, request: Request) -> str:
    """A fresh CSRF value for the sign-in form, set in a cookie for the post to match; the
    caller puts the value in the form."""
    value = secrets.token_urlsafe(32)
    response.set_cookie(LOGIN_COOKIE, value, max_age=1800, httponly=True, samesite="strict",
                        secure=secure(request), path="/login")
    return value


def open_session(request: Request, response: Response, token: TokenRecord) -> None:
    board = dashboard_of(request)
    session_id, _ = board.credentials.open_session(token, now=board.clock())
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict",
                        secure=secure(request), path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/login")


def session_viewer(request: Request) -> Viewer | None:
    """The viewer of the session in the cookie, or None (no cookie, ended, idle, dead token)."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    board = dashboard_of(request)
    found = board.credentials.session_for(session_id, now=board.clock(), idle=board.idle)
    return viewer_for(board.store, found.token, found.csrf) if found else None


def end_session(request: Request, response: Response) -> None:
    session_id = request.cookies.get(SESSION_COOKIE)
    board = dashboard_of(request)
    if session_id:
        board.credentials.end_session(session_id, now=board.clock())
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure(request), httponly=True,
                           samesite="strict")


class SecurityHeaders:
    """Middleware: the headers every answer carries. Plain ASGI, adding them to the answer's
    start: a ``BaseHTTPMiddleware`` (``app.middleware("http")``) costs every request a task
    and a streamed copy of its body, a good part of the API's time per event."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in ("/docs", "/redoc", "/docs/oauth2-redirect")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


__all__ = ["CSP", "Dashboard", "LOGIN_COOKIE", "SESSION_COOKIE", "dashboard_of", "end_session",
           "form_of", "login_csrf", "matches", "open_session", "same_origin", "secure",
           "SecurityHeaders", "session_viewer"]
