"""The dashboard's pages and its read endpoints: ASYE journeys, team compliance, tasks.

Two routers, both reading through ``oversight.workflows.progress`` and ``oversight.workflows.compliance`` (the
CLI's path too, so numbers agree):

- ``pages``: server-rendered HTML (Jinja2): ``/login`` (a form posting the token, kept in an
  HttpOnly cookie), ``/``, ``/asye``, ``/asye/{worker}``, ``/team``, ``/tasks``, ``/logout``;
- ``api``: JSON: ``GET /v1/asye``, ``/v1/asye/{worker}``, ``/v1/compliance`` (bearer token).

They need ``app.state.dashboard``, a :class:`Dashboard` (the store, the policy and the
``authenticate`` function turning a token into a role and a person): see
:func:`install`. Refusals say nothing about the record asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine

from oversight.adapters.web import charts
from oversight.adapters.web.viewer import Authenticate, Viewer, viewer_for
from oversight.states.errors import UnknownEntity
from oversight.states.policy.model import Policy
from oversight.workflows import progress, queries
from oversight.workflows.compliance import CATEGORIES, Period, compliance, monthly_trend, store_today

COOKIE = "oversight_token"
TEMPLATES = Environment(loader=PackageLoader("oversight.adapters.web", "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True,
                        lstrip_blocks=True)


@dataclass(frozen=True)
class Dashboard:
    engine: Engine
    policy: Policy
    authenticate: Authenticate


def install(app: FastAPI, dashboard: Dashboard) -> None:
    """Mount the pages and the read endpoints on ``app`` (the API's app, or a bare one)."""
    app.state.dashboard = dashboard
    app.add_exception_handler(LoginNeeded, login_redirect)  # type: ignore[arg-type]
    app.include_router(pages)
    app.include_router(api)


def _dashboard(request: Request) -> Dashboard:
    return request.app.state.dashboard


def _viewer(dashboard: Dashboard, secret: str | None) -> Viewer | None:
    if not secret:
        return None
    found = dashboard.authenticate(secret)
    return viewer_for(dashboard.engine, *found) if found else None


class LoginNeeded(Exception):
    """No valid token in the cookie: the page sends the browser to the login form."""


def page_viewer(request: Request) -> Viewer:
    """The viewer of a page, from the HttpOnly cookie; without one, the login form."""
    viewer = _viewer(_dashboard(request), request.cookies.get(COOKIE))
    if viewer is None:
        raise LoginNeeded()
    return viewer


def api_viewer(request: Request) -> Viewer:
    """The viewer of an API call, from ``Authorization: Bearer …`` (or the page cookie)."""
    header = request.headers.get("authorization", "")
    secret = header[7:].strip() if header.lower().startswith("bearer ") else \
        request.cookies.get(COOKIE)
    viewer = _viewer(_dashboard(request), secret)
    if viewer is None:
        raise HTTPException(401, "a valid bearer token is needed",
                            headers={"WWW-Authenticate": "Bearer"})
    return viewer


def login_redirect(request: Request, _: LoginNeeded) -> Response:
    return RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)


def _render(name: str, viewer: Viewer | None, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(viewer=viewer, **context),
                        status_code=status)


def _refused(viewer: Viewer) -> HTMLResponse:
    return _render("error.html", viewer, 403, title="Not available",
                   message="This page is not available to you.")


def _as_of(dashboard: Dashboard) -> date:
    return store_today(dashboard.engine)


def _period(start: str | None, end: str | None, as_of: date) -> Period:
    """The period asked for; by default the twelve months to the end of ``as_of``'s month."""
    last = date.fromisoformat(end) if end else \
        (as_of.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if start:
        return Period(date.fromisoformat(start), last)
    year, month = (last.year, last.month - 11) if last.month == 12 else \
        (last.year - 1, last.month + 1)
    return Period(date(year, month, 1), last)


# ----- pages -----------------------------------------------------------------------------------

pages = APIRouter(include_in_schema=False)


@pages.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _render("login.html", None, next=next if next.startswith("/") else "/", error=None)


@pages.post("/login")
async def login(request: Request) -> Response:
    """Check the token posted by the form; keep it in an HttpOnly cookie."""
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8")).items()}
    secret, target = form.get("token", "").strip(), form.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    if _viewer(_dashboard(request), secret) is None:
        return _render("login.html", None, 401, next=target,
                       error="That token is not valid, or it has been revoked.")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, secret, httponly=True, samesite="strict", path="/")
    return response


@pages.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@pages.get("/", response_class=HTMLResponse)
def home(request: Request, viewer: Viewer = Depends(page_viewer)) -> Response:
    if viewer.role == "supervisee":
        return RedirectResponse(f"/asye/{viewer.person}", status_code=303)
    return _render("home.html", viewer, as_of=_as_of(_dashboard(request)))


@pages.get("/asye", response_class=HTMLResponse)
def asye_list(request: Request, viewer: Viewer = Depends(page_viewer)) -> HTMLResponse:
    board = _dashboard(request)
    day = _as_of(board)
    found = progress.journeys(board.engine, board.policy, as_of=day, workers=viewer.people)
    return _render("asye_list.html", viewer, journeys=found, as_of=day)


@pages.get("/asye/{worker}", response_class=HTMLResponse)
def asye_page(request: Request, worker: str, viewer: Viewer = Depends(page_viewer)
              ) -> HTMLResponse:
    board = _dashboard(request)
    found = progress.journey(board.engine, board.policy, worker, as_of=_as_of(board)) \
        if viewer.sees(worker) else None
    if found is None:
        return _render("error.html", viewer, 404, title="No such journey",
                       message="There is no ASYE journey here that you can see.")
    return _render("asye.html", viewer, p=found, timeline=charts.asye_timeline(found))


@pages.get("/team", response_class=HTMLResponse)
def team_page(request: Request, viewer: Viewer = Depends(page_viewer),
              team: str | None = None, start: str | None = Query(None, alias="from"),
              end: str | None = Query(None, alias="to")) -> HTMLResponse:
    board = _dashboard(request)
    team = team or (viewer.person if viewer.role == "manager" else None)
    if not viewer.may_report_on(team):
        return _refused(viewer)
    try:
        period = _period(start, end, _as_of(board))
        report = compliance(board.engine, period, team=team)
    except (ValueError, UnknownEntity) as error:
        return _render("error.html", viewer, 400, title="Cannot show these figures",
                       message=str(error))
    trend = monthly_trend(report)
    return _render("team.html", viewer, report=report, team=team, labels=CATEGORIES,
                   trend=trend, chart=charts.compliance_trend(
                       trend, title=f"Share of tasks on time by month, {period.start:%b %Y} to "
                                    f"{period.end:%b %Y}"))


TASK_STATES = ("open", "closed", "breached", "escalated", "withdrawn")


@pages.get("/tasks", response_class=HTMLResponse)
def task_list(request: Request, viewer: Viewer = Depends(page_viewer),
              state: str | None = None, type: str | None = None, person: str | None = None,
              due_from: str | None = None, due_to: str | None = None) -> HTMLResponse:
    board = _dashboard(request)
    rows = [row for row in queries.tasks(board.engine, states=[state] if state else None)
            if viewer.sees_task(row)]
    types = sorted({row["type"] for row in rows})
    if type:
        rows = [row for row in rows if row["type"] == type]
    if person:
        rows = [row for row in rows if person in (row["for"], row["subject"].partition(":")[2])]
    if due_from:
        rows = [row for row in rows if row["due"] >= due_from]
    if due_to:
        rows = [row for row in rows if row["due"] <= due_to]
    filters = {"state": state or "", "type": type or "", "person": person or "",
               "due_from": due_from or "", "due_to": due_to or ""}
    return _render("tasks.html", viewer, tasks=rows[:500], total=len(rows), types=types,
                   states=TASK_STATES, filters=filters)


# ----- the read API ----------------------------------------------------------------------------

api = APIRouter(prefix="/v1", tags=["progress"], responses={
    400: {"description": "A period or date that does not parse."},
    401: {"description": "No live bearer token."},
    403: {"description": "Not this token's to read."},
    404: {"description": "No such ASYE journey, or not this token's to see."},
})


@api.get("/asye")
def api_asye_list(request: Request, viewer: Viewer = Depends(api_viewer)) -> list[dict]:
    """Every ASYE journey the token may see, with its progress on the store's today."""
    board = _dashboard(request)
    return [p.to_json() for p in progress.journeys(board.engine, board.policy,
                                                   as_of=_as_of(board), workers=viewer.people)]


@api.get("/asye/{worker}")
def api_asye(request: Request, worker: str, viewer: Viewer = Depends(api_viewer)) -> dict:
    """One worker's ASYE progress; 404 for a journey the token may not see or that is not there."""
    board = _dashboard(request)
    found = progress.journey(board.engine, board.policy, worker, as_of=_as_of(board)) \
        if viewer.sees(worker) else None
    if found is None:
        raise HTTPException(404, "no such ASYE journey")
    return found.to_json()


@api.get("/compliance")
def api_compliance(request: Request, viewer: Viewer = Depends(api_viewer),
                   start: str | None = Query(None, alias="from"),
                   end: str | None = Query(None, alias="to"), team: str | None = None,
                   as_of: str | None = None) -> JSONResponse:
    """The compliance figures of ``oversight.workflows.compliance`` for a period and a team."""
    board = _dashboard(request)
    team = team or (viewer.person if viewer.role == "manager" else None)
    if not viewer.may_report_on(team):
        raise HTTPException(403, "these figures are not available to this token")
    try:
        period = _period(start, end, _as_of(board))
        report = compliance(board.engine, period, team=team,
                            as_of=date.fromisoformat(as_of) if as_of else None)
    except (ValueError, UnknownEntity) as error:
        raise HTTPException(400, str(error)) from None
    return JSONResponse(report)
