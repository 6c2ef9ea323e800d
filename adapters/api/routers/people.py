"""``GET /v1/people/{id}/calendar.ics``: a person's supervision sessions for the year ahead.

Planned sessions on their dates, the next session due on its open task's date, and the cadence
projected forward (sunderland §4.3: the 12-month schedule prepared in January; surrey §4.3:
Family Safeguarding sessions planned 6–12 months ahead). Identifiers only.

``GET /v1/feeds/{secret}.ics``: the same calendar of one person, for a calendar client's
"subscribe from URL" (``webcal://``), which cannot send a bearer header: the secret in the URL
is the person's own read-only, revocable feed secret (``oversight feed issue PERSON``), not an
API token. It answers ``ETag`` and ``304 Not Modified`` to ``If-None-Match``; a revoked or
unknown secret is 404. Every fetch is in the access log.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from oversight.adapters.api.auth import Caller, Clock, caller, the_app, the_clock
from oversight.adapters.api.problems import Problem
from oversight.adapters.api.routers.entities import as_problems, reader_of
from oversight.adapters.api.schemas import IsoDate, ProblemOut
from oversight.adapters.ics import calendar_etag, sessions_calendar
from oversight.states.event_time import london_today
from oversight.workflows.bootstrap import App
from oversight.workflows.reads import record_reads
from oversight.workflows.reads.planner import HORIZON_MONTHS, published_sessions

api = APIRouter(tags=["people"])

ICS = "text/calendar"


@api.get("/people/{person}/calendar.ics", summary="A person's supervision calendar",
         response_class=Response,
         responses={200: {"content": {ICS: {"schema": {"type": "string"}}},
                          "description": "iCalendar (RFC 5545), one all-day event a session."},
                    401: {"model": ProblemOut, "description": "No live bearer token."},
                    403: {"model": ProblemOut, "description": "Not this token's to read."},
                    404: {"model": ProblemOut, "description": "No such staff member (auditor, "
                                                              "admin)."}})
def calendar(person: str = Path(..., max_length=64, pattern=r"^[A-Za-z0-9_.-]+$",
                                description="A staff id."),
             start: IsoDate | None = Query(None, alias="from", description="First day (default "
                                        "today, Europe/London)."),
             months: int = Query(HORIZON_MONTHS, ge=1, le=24, description="How far ahead."),
             who: Caller = Depends(caller), app: App = Depends(the_app),
             clock: Clock = Depends(the_clock)) -> Response:
    """Sessions as supervisor and as supervisee: planned, due (or overdue) and projected."""
    now = clock()
    with as_problems():
        record_reads.person_read(app.store, reader_of(who), person, "calendar", now)
    sessions, sequences = published_sessions(app.store, app.policy, person,
                                             today=start or london_today(now), months=months,
                                             record=start is None)
    return Response(sessions_calendar(person, sessions, now=now, sequences=sequences),
                    media_type=ICS,
                    headers={"Content-Disposition": f'attachment; filename="{person}.ics"'})


FEED_REFRESH = timedelta(hours=1)
"""How often a subscribed calendar is asked to fetch the feed again."""


@api.get("/feeds/{secret}.ics", summary="A person's calendar feed, for subscribing by URL",
         response_class=Response,
         responses={200: {"content": {ICS: {"schema": {"type": "string"}}},
                          "description": "iCalendar (RFC 5545), with an ETag."},
                    304: {"description": "Not modified since the ETag in If-None-Match."},
                    404: {"model": ProblemOut, "description": "No such feed, or revoked."}})
def feed(request: Request, secret: str = Path(..., max_length=100,
                                              description="The feed's secret."),
         app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> Response:
    """The calendar of the person the feed belongs to: their sessions as supervisor and as
    supervisee, and nothing else."""
    now = clock()
    person = app.credentials.feed_person(secret, now=now)  # the read logged, refused or not
    if person is None:
        raise Problem(404, "not-found", "No such calendar feed: it may have been revoked.")
    sessions, sequences = published_sessions(app.store, app.policy, person,
                                             today=london_today(now), months=HORIZON_MONTHS)
    etag = calendar_etag(person, sessions, sequences)
    headers = {"ETag": etag}
    asked = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
    if etag in asked or "*" in asked:
        return Response(status_code=304, headers=headers)
    return Response(sessions_calendar(person, sessions, now=now, refresh=FEED_REFRESH,
                                      sequences=sequences), media_type=ICS, headers=headers)


__all__ = ["api"]
