"""The dashboard's JSON reads: ``GET /v1/asye``, ``/v1/asye/{worker}``, ``/v1/compliance``.

A bearer token (or the dashboard's session cookie) says who is asking; every read is written to
the access log under that token, refused ones too. Errors are the API's RFC 9457 problems; a
journey the token may not see gets the same 404 as one that is not there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from oversight.adapters.api.auth import PURPOSE_PATTERN, bearer
from oversight.adapters.api.problems import Problem
from oversight.adapters.api.schemas import IsoDate, ProblemOut
from oversight.adapters.web import sessions
from oversight.adapters.web.rendering import is_identifier, period_of
from oversight.adapters.web.sessions import dashboard_of
from oversight.adapters.web.viewer import Viewer, bearer_viewer
from oversight.states.errors import UnknownEntity
from oversight.workflows.reads import progress
from oversight.workflows.reads.compliance import compliance, store_today

ID_PATTERN = r"^[A-Za-z0-9_.-]+$"
StaffId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN,
                              description="A staff id, e.g. sw2.")]
PurposeHeader = Header(None, alias="X-Purpose", max_length=200,
                       pattern=f"^{PURPOSE_PATTERN}$",
                       description="Why the record is read (plain words, up to 200 "
                                   "characters); written to the access log.")


Targets = Callable[[Request], list[str]]
"""What a read names in the access log, from its request (checked ids only: anything else is
no one's record, ``?``)."""


def viewer_of(resource: str, targets: Targets) -> Callable[..., Viewer]:
    """The dependency giving a read's viewer, from ``Authorization: Bearer …`` (the security
    the OpenAPI document declares) or the session cookie. A live token whose role reads no
    progress (system, dpo) is refused with a 403, logged under ``resource`` and ``targets``
    first; without a live token it is a 401, and nothing is logged: no one to name, and the
    log is not for anyone at all to fill."""

    def api_viewer(request: Request,
                   credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Viewer:
        board = dashboard_of(request)
        found = None  # a Viewer, a live token whose role has no dashboard, or no one
        if credentials is not None and credentials.scheme.lower() == "bearer":
            found = bearer_viewer(board.credentials, board.store, credentials.credentials,
                                  board.clock())
        elif request.cookies.get(sessions.SESSION_COOKIE):
            found = sessions.session_viewer(request)
        if found is None:
            raise Problem(401, "unauthenticated", "Send a live bearer token: Authorization: "
                                                  "Bearer <token>.",
                          headers={"WWW-Authenticate": "Bearer"})
        if not isinstance(found, Viewer):  # a live token whose role reads no progress
            purpose = request.headers.get("x-purpose")
            Viewer(found.role, found.person, frozenset(), token=found).log(
                board.credentials, resource, targets(request), now=board.clock(),
                outcome="refused",
                purpose=purpose if purpose and re.fullmatch(PURPOSE_PATTERN, purpose) else None)
            raise Problem(403, "forbidden", "This token's role does not allow this request.")
        return found

    return api_viewer


def _checked(prefix: str, value: str | None, absent: str) -> str:
    if value is None:
        return absent
    return f"{prefix}:{value}" if is_identifier(value) else f"{prefix}:?"


def _journeys(request: Request) -> list[str]:
    return ["asye"]


def _journey(request: Request) -> list[str]:
    return [_checked("asye", request.path_params.get("worker"), "asye:?")]


def _team(request: Request) -> list[str]:
    return [_checked("team", request.query_params.get("team"), "team:authority")]


api = APIRouter(prefix="/v1", tags=["progress"], responses={
    401: {"model": ProblemOut, "description": "No live bearer token."},
    403: {"model": ProblemOut, "description": "Not this token's to read."},
})


@api.get("/asye", summary="Every ASYE journey this token may see")
def api_asye_list(request: Request, viewer: Viewer = Depends(viewer_of("asye", _journeys)),
                  purpose: str | None = PurposeHeader) -> list[dict[str, Any]]:
    """Every ASYE journey the token may see, with its progress on the store's today."""
    board = dashboard_of(request)
    found = progress.journeys(board.store, board.policy,
                              as_of=store_today(board.store, board.clock()), workers=viewer.people)
    viewer.log(board.credentials, "asye", [f"asye:{p.worker}" for p in found], now=board.clock(),
               purpose=purpose)
    return [p.to_json() for p in found]


@api.get("/asye/{worker}", summary="One worker's ASYE progress",
         responses={404: {"model": ProblemOut,
                          "description": "No such ASYE journey that this token can see."}})
def api_asye(request: Request, worker: StaffId,
             viewer: Viewer = Depends(viewer_of("asye", _journey)),
             purpose: str | None = PurposeHeader) -> dict[str, Any]:
    """One worker's ASYE progress; the same 404 for a journey the token may not see as for
    one that is not there."""
    board = dashboard_of(request)
    found = progress.journey(board.store, board.policy, worker,
                             as_of=store_today(board.store, board.clock())
                             ) if viewer.sees(worker) else None
    viewer.log(board.credentials, "asye", [f"asye:{worker}"], now=board.clock(),
               outcome="allowed" if found else "refused", purpose=purpose)
    if found is None:
        raise Problem(404, "not-found", "No such ASYE journey that this token can see.")
    return found.to_json()


@api.get("/compliance", summary="Share of obligations met on time, by rule",
         responses={400: {"model": ProblemOut, "description": "The period is back to front."},
                    404: {"model": ProblemOut, "description": "No team led by that staff id."},
                    422: {"model": ProblemOut, "description": "`as_of` or `from` after today."}})
def api_compliance(request: Request,
                   viewer: Viewer = Depends(viewer_of("compliance", _team)),
                   start: IsoDate | None = Query(None, alias="from",
                                                 description="First day of the period: on or "
                                                             "before `to` (else 400)."),
                   end: IsoDate | None = Query(None, alias="to",
                                               description="Last day of the period: on or "
                                                           "after `from` (else 400)."),
                   team: str | None = Query(None, min_length=1, max_length=64,
                                            pattern=ID_PATTERN,
                                            description="A manager's staff id: their team."),
                   as_of: IsoDate | None = Query(None, description="Judge tasks as they stood "
                                                                   "on this day."),
                   purpose: str | None = PurposeHeader) -> JSONResponse:
    """The compliance figures of ``oversight.workflows.reads.compliance`` for a period and a team.

    ``from`` must be on or before ``to`` (a rule between two parameters, which the schema
    cannot state): a period back to front is a 400 ``period-invalid``, not a 422. Either may be
    left out: by default the period is the twelve months to the end of the store's month."""
    board = dashboard_of(request)
    team = team or (viewer.person if viewer.role == "manager" else None)
    target = [f"team:{team}" if team else "team:authority"]
    if not viewer.may_report_on(team):
        viewer.log(board.credentials, "compliance", target, now=board.clock(), outcome="refused",
                   purpose=purpose)
        raise Problem(403, "forbidden", "This token's role does not allow this request.")
    as_of_day: date | None = as_of
    latest = store_today(board.store, board.clock())
    # Judged on today at the latest (or a simulated store's last day); the period may run on
    # past it (the quarter in progress) but not start after it.
    for name, day in (("as_of", as_of), ("from", start)):
        if day is not None and day > latest:
            raise Problem(422, "date-in-future", f"`{name}` {day.isoformat()} is after today "
                                                 f"({latest.isoformat()}, Europe/London): give "
                                                 f"today or a day before.")
    try:
        period = period_of(start, end, latest)
    except ValueError:
        raise Problem(400, "period-invalid", "The period ends before it starts: `from` must "
                                             "be on or before `to`.") from None
    try:
        report = compliance(board.store, period, team=team, as_of=as_of_day,
                            now=board.clock())
    except UnknownEntity:
        raise Problem(404, "not-found", "No team led by that staff id.") from None
    viewer.log(board.credentials, "compliance", target, now=board.clock(), purpose=purpose)
    return JSONResponse(report)


__all__ = ["api", "viewer_of"]
