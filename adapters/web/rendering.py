"""What every page of the dashboard shares: its templates, the viewer of a page, rendering, and
the small readings of a query (a period, an identifier).

The pages (:mod:`oversight.adapters.web.pages`), the JSON reads (:mod:`~.reads`) and the task
page (:mod:`~.task_page`) all import these from here, so none imports another.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from oversight.adapters.web import sessions
from oversight.adapters.web.viewer import Viewer
from oversight.workflows.reads.compliance import Period

TEMPLATES = Environment(loader=PackageLoader("oversight.adapters.web", "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True,
                        lstrip_blocks=True)
STYLESHEET = TEMPLATES.get_template("dashboard.css").render()


class LoginNeeded(Exception):
    """No live session in the cookie: the page sends the browser to the login form."""


def page_viewer(request: Request) -> Viewer:
    """The viewer of a page, from the session cookie; without one, the login form."""
    viewer = sessions.session_viewer(request)
    if viewer is None:
        raise LoginNeeded()
    return viewer


def render(name: str, viewer: Viewer | None, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(viewer=viewer, **context),
                        status_code=status)


def period_of(start: date | None, end: date | None, as_of: date) -> Period:
    """The period asked for; by default the twelve months to the end of ``as_of``'s month."""
    last = end or (as_of.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if start:
        return Period(start, last)
    year, month = (last.year, last.month - 11) if last.month == 12 else \
        (last.year - 1, last.month + 1)
    return Period(date(year, month, 1), last)


def is_identifier(text: str) -> bool:
    """A person's, child's or team's id: ``[A-Za-z0-9_.-]``, 1 to 64 characters."""
    return re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", text) is not None


__all__ = ["STYLESHEET", "TEMPLATES", "LoginNeeded", "is_identifier", "page_viewer", "period_of",
           "render"]
