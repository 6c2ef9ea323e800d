"""The dashboard's pages: ASYE journeys, team compliance, tasks.

Server-rendered HTML (Jinja2), reading through ``oversight.workflows.reads.progress`` and
``oversight.workflows.reads.compliance`` (the CLI's path too, so numbers agree): ``/login`` and
``/logout`` (sessions, :mod:`oversight.adapters.web.sessions`), ``/``, ``/asye``,
``/asye/{worker}``, ``/team``, ``/tasks``. The JSON reads under ``/v1`` are in
:mod:`oversight.adapters.web.reads`.

Every page that shows a person's or a child's records writes the read to the access log under
the session's token, refused reads too. Refusals say nothing about the record asked for.
"""

from __future__ import annotations

import inspect
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exception_handlers import (
    request_validation_exception_handler as request_validation_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from oversight.adapters.web import charts, sessions
from oversight.adapters.web.rendering import (
    STYLESHEET,
    TEMPLATES,
    LoginNeeded,
    is_identifier,
    page_viewer,
    period_of,
    render,
)
from oversight.adapters.web.sessions import Dashboard, dashboard_of
from oversight.adapters.web.viewer import READERS, Viewer
from oversight.states.errors import UnknownEntity
from oversight.workflows.reads import progress, queries
from oversight.workflows.reads.compliance import (
    CATEGORIES,
    compliance,
    monthly_trend,
    store_today,
)

COOKIE = sessions.SESSION_COOKIE



def install(app: FastAPI, dashboard: Dashboard) -> None:
    """Mount the pages and the read endpoints on ``app`` (the API's app, or a bare one)."""
    from oversight.adapters.web import reads, task_page

    app.state.dashboard = dashboard
    app.add_exception_handler(LoginNeeded, login_redirect)  # type: ignore[arg-type]
    app.add_middleware(sessions.SecurityHeaders)
    app.include_router(pages)
    app.include_router(task_page.pages)  # /tasks/{id}: where every task message links (issue 13)
    app.include_router(reads.api)
    _bad_queries_as_pages(app, {route.path for route in (*pages.routes, *task_page.pages.routes)
                                if isinstance(route, APIRoute)})


def _bad_queries_as_pages(app: FastAPI, paths: set[str]) -> None:
    """A page asked with a bad query string (``/tasks?page=abc``) answers a page saying which
    value is wrong, 400, not the API's JSON problem; the API's routes keep their problems."""
    previous = app.exception_handlers.get(RequestValidationError, request_validation_handler)

    async def invalid(request: Request, error: Exception) -> Response:
        route = request.scope.get("route")
        # Under /v1/ is the API's (its problems, 422), whichever route the scope names.
        if not isinstance(error, RequestValidationError) or request.url.path.startswith("/v1/") \
                or getattr(route, "path", None) not in paths:
            answered = previous(request, error)
            return await answered if inspect.isawaitable(answered) else answered
        problems = [f"{item['loc'][-1]}: {str(item['msg']).removeprefix('Value error, ')}"
                    for item in error.errors() if item.get("loc")]
        return render("error.html", sessions.session_viewer(request), 400,
                       title="Not an address this page takes",
                       message="The address asks for something this page cannot show ("
                               + "; ".join(problems or ["a value is not in its shape"])
                               + "). Go back and choose again.")

    app.add_exception_handler(RequestValidationError, invalid)


def login_redirect(request: Request, _: LoginNeeded) -> Response:
    return RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)


def _refused(viewer: Viewer) -> HTMLResponse:
    return render("error.html", viewer, 403, title="Not available",
                   message="This page is not available to you.")


def _as_of(dashboard: Dashboard) -> date:
    return store_today(dashboard.store, dashboard.clock())


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# ----- signing in and out ----------------------------------------------------------------------

pages = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


@pages.get("/dashboard.css")
def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css")


@pages.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _login_page(request, _safe_next(next), None, 200)


def _login_page(request: Request, target: str, error: str | None, status: int) -> HTMLResponse:
    """The sign-in form with a fresh CSRF value, the same value set in its cookie."""
    response = HTMLResponse("", status_code=status)
    csrf = sessions.login_csrf(response, request)
    body = TEMPLATES.get_template("login.html").render(viewer=None, next=target, error=error,
                                                       csrf=csrf).encode("utf-8")
    response.body = body
    response.headers["content-length"] = str(len(body))
    return response


@pages.post("/login")
async def login(request: Request) -> Response:
    """A live token, posted from this site with the form's CSRF value, opens a session."""
    form = await sessions.form_of(request)
    target = _safe_next(form.get("next", "/"))
    if not sessions.same_origin(request) or not sessions.matches(
            request.cookies.get(sessions.LOGIN_COOKIE), form.get("csrf")):
        return render("error.html", None, 403, title="Sign in again",
                       message="This sign-in did not come from this site's form: open the "
                               "sign-in page and try again.")
    board = dashboard_of(request)
    token = board.credentials.token_for(form.get("token", "").strip(), now=board.clock())
    if token is None:
        return _login_page(request, target, "That token is not valid, or it has expired or "
                                            "been revoked.", 401)
    if token.role not in READERS:  # a live token, of a role that reads no page
        return _login_page(request, target, f"That token is a {token.role} token, and the "
                                            f"{token.role} role has no dashboard: it reads "
                                            f"through the API.", 403)
    response = RedirectResponse(target, status_code=303)
    sessions.open_session(request, response, token)
    return response


@pages.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (the form carries its CSRF value): the cookie alone cannot sign out."""
    form = await sessions.form_of(request)
    viewer = sessions.session_viewer(request)
    if viewer is not None and (not sessions.same_origin(request) or
                               not sessions.matches(viewer.csrf, form.get("csrf"))):
        return render("error.html", viewer, 403, title="Not signed out",
                       message="This request did not come from this site's form.")
    response = RedirectResponse("/login", status_code=303)
    sessions.end_session(request, response)
    return response


# ----- pages -----------------------------------------------------------------------------------

@pages.get("/", response_class=HTMLResponse)
def home(request: Request, viewer: Viewer = Depends(page_viewer)) -> Response:
    if viewer.role == "supervisee":
        return RedirectResponse(f"/asye/{viewer.person}", status_code=303)
    return render("home.html", viewer, as_of=_as_of(dashboard_of(request)))


@pages.get("/asye", response_class=HTMLResponse)
def asye_list(request: Request, viewer: Viewer = Depends(page_viewer)) -> HTMLResponse:
    board = dashboard_of(request)
    day = _as_of(board)
    found = progress.journeys(board.store, board.policy, as_of=day, workers=viewer.people)
    viewer.log(board.credentials, "dashboard:asye", [f"asye:{p.worker}" for p in found],
               now=board.clock())
    return render("asye_list.html", viewer, journeys=found, as_of=day)


@pages.get("/asye/{worker}", response_class=HTMLResponse)
def asye_page(request: Request, worker: str, viewer: Viewer = Depends(page_viewer)
              ) -> HTMLResponse:
    board = dashboard_of(request)
    valid = is_identifier(worker)
    found = progress.journey(board.store, board.policy, worker, as_of=_as_of(board)) \
        if valid and viewer.sees(worker) else None
    # Only an identifier reaches the access log: anything else is no one's record.
    viewer.log(board.credentials, "dashboard:asye", [f"asye:{worker}" if valid else "asye:?"],
               now=board.clock(), outcome="allowed" if found else "refused")
    if found is None:
        return render("error.html", viewer, 404, title="No such journey",
                       message="There is no ASYE journey here that you can see.")
    return render("asye.html", viewer, p=found, timeline=charts.asye_timeline(found))


@pages.get("/team", response_class=HTMLResponse)
def team_page(request: Request, viewer: Viewer = Depends(page_viewer),
              team: str | None = None, start: str | None = Query(None, alias="from"),
              end: str | None = Query(None, alias="to")) -> HTMLResponse:
    board = dashboard_of(request)
    team = team or (viewer.person if viewer.role == "manager" else None)
    target = [f"team:{team}" if team and is_identifier(team) else
              "team:?" if team else "team:authority"]
    if not viewer.may_report_on(team):
        viewer.log(board.credentials, "dashboard:team", target, now=board.clock(),
                   outcome="refused")
        return _refused(viewer)
    try:
        as_of = _as_of(board)
        period = period_of(_day(start), _day(end), as_of)
        if period.start > as_of:  # it may run on past today, not start after it
            raise ValueError(f"the period starts after today ({as_of})")
        report = compliance(board.store, period, team=team, now=board.clock())
    except (ValueError, UnknownEntity):
        return render("error.html", viewer, 400, title="Cannot show these figures",
                       message="Give the period as two days, YYYY-MM-DD, the first not after "
                               "the last nor after today, and a team as its manager's staff "
                               "id.")
    viewer.log(board.credentials, "dashboard:team", target, now=board.clock())
    trend = monthly_trend(report)
    return render("team.html", viewer, report=report, team=team, labels=CATEGORIES,
                   trend=trend, chart=charts.compliance_trend(
                       trend, title=f"Share of tasks on time by month, {period.start:%b %Y} to "
                                    f"{period.end:%b %Y}"))


TASK_STATES = ("open", "closed", "breached", "overdue", "escalated", "withdrawn")
"""The state filter; ``breached`` is :func:`queries.breached` (deadline passed before it was
met, met later or not: the report's breached), ``overdue`` not met and past due today."""
TASKS_PER_PAGE = 100


@pages.get("/tasks", response_class=HTMLResponse)
def task_list(request: Request, viewer: Viewer = Depends(page_viewer),
              state: str | None = None, type: str | None = None, person: str | None = None,
              due_from: str | None = None, due_to: str | None = None,
              page: int = Query(1, ge=1)) -> HTMLResponse:
    board = dashboard_of(request)
    day = _as_of(board)
    judged = {"breached": queries.breached, "overdue": queries.overdue}.get(state or "")
    rows = [row for row in queries.tasks(board.store,
                                         states=[state] if state and not judged else None)
            if viewer.sees_task(row) and (judged is None or judged(row, day))]
    types = sorted({row["type"] for row in rows})
    if type:
        rows = [row for row in rows if row["type"] == type]
    if person:
        rows = [row for row in rows if person in (row["for"], row["subject"].partition(":")[2])]
    if due_from:
        rows = [row for row in rows if row["due"] >= due_from]
    if due_to:
        rows = [row for row in rows if row["due"] <= due_to]
    rows.sort(key=lambda row: (row["due"], row["id"]))  # by due date, then id: a stable order
    pages_in_all = max(1, -(-len(rows) // TASKS_PER_PAGE))
    page = min(page, pages_in_all)
    shown = rows[(page - 1) * TASKS_PER_PAGE:page * TASKS_PER_PAGE]
    viewer.log(board.credentials, "dashboard:tasks", [row["entity"] for row in shown],
               now=board.clock())
    filters = {"state": state or "", "type": type or "", "person": person or "",
               "due_from": due_from or "", "due_to": due_to or ""}
    late = {row["id"] for row in shown if row["state"] == "closed" and queries.breached(row, day)}
    return render("tasks.html", viewer, tasks=shown, total=len(rows), types=types,
                   states=TASK_STATES, filters=filters, late=late, page=page,
                   pages=pages_in_all, query=urlencode({k: v for k, v in filters.items() if v}),
                   first=(page - 1) * TASKS_PER_PAGE + 1 if shown else 0)


__all__ = ["COOKIE", "Dashboard", "LoginNeeded", "TEMPLATES", "install", "page_viewer",
           "pages", "period_of"]
