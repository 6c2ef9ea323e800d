"""Errors as RFC 9457 problem details: ``application/problem+json`` with type, title, status
and detail, from every route and every failure, never a traceback or a database message.

    Problem (an HTTP answer chosen by a route)
    OversightError → 409 (the store's state refuses it: an entity in the wrong state, a person
                     or child it does not hold) or 422 (the request itself is unusable)
    RequestValidationError → 422, with each bad field in ``errors``
    StoreUnavailable → 503 with Retry-After (the store is busy or away: the store adapter
                       raises it for the database's operational errors)
    anything else → 500 with no detail
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from oversight.states.errors import (
    EventDateRefused,
    EventInvalid,
    EventRejected,
    OversightError,
    UnknownEntity,
)
from oversight.states.events.base import DATE_ORDER
from oversight.workflows.ports.credentials import StoreUnavailable
from oversight.workflows.recording.closing import NoFulfillingEvent
from oversight.workflows.recording.service import BatchRejected, TaskNotClosed

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:oversight:problem:"
log = logging.getLogger("oversight.api")

_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
           405: "Method not allowed", 409: "Conflict", 415: "Unsupported media type",
           422: "Unprocessable content",
           500: "Internal server error", 503: "Service unavailable"}


class Problem(Exception):
    """An answer other than success, raised by a route or a dependency."""

    def __init__(self, status: int, slug: str, detail: str | None = None, *,
                 title: str | None = None, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail or slug)
        self.status, self.slug, self.detail = status, slug, detail
        self.title = title or _TITLES.get(status, "Error")
        self.errors, self.headers = errors, headers


def forbidden() -> Problem:
    """The one refusal every role gets: it names no record, state or person."""
    return Problem(403, "forbidden", "This token's role does not allow this request.")


def is_json(media_type: str) -> bool:
    """``application/json``, or a ``+json`` type (``application/merge-patch+json``)."""
    media = media_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/")
                                            and media.endswith("+json"))


async def json_bodies(request: Request) -> None:
    """A dependency of the routes that take a JSON body: one sent as anything else (a
    ``Content-Type`` that is not JSON) is a 415 before it is read, not a 422 about its fields
    (issue 20). A request with no Content-Type is read as JSON."""
    if request.method in ("POST", "PUT", "PATCH"):
        sent = request.headers.get("content-type")
        if sent is not None and not is_json(sent):
            raise Problem(415, "unsupported-media-type", "Send the body as JSON: Content-Type: "
                                                         "application/json.",
                          headers={"Accept-Post": "application/json"})


def problem_response(problem: Problem) -> JSONResponse:
    body: dict[str, Any] = {"type": TYPE_BASE + problem.slug, "title": problem.title,
                            "status": problem.status}
    if problem.detail:
        body["detail"] = problem.detail
    if problem.errors is not None:
        body["errors"] = problem.errors
    return JSONResponse(body, status_code=problem.status, media_type=MEDIA_TYPE,
                        headers=problem.headers)


def from_domain(error: OversightError) -> Problem:
    """The problem a refusal of the engine becomes."""
    if isinstance(error, BatchRejected):
        return Problem(409, "batch-rejected", f"{len(error.failures)} event(s) refused; none "
                                              f"of the batch was applied",
                       errors=[{"index": index, "type": TYPE_BASE + _slug(failure),
                                "detail": str(failure)} for index, failure in error.failures])
    if isinstance(error, (EventRejected, UnknownEntity, TaskNotClosed, NoFulfillingEvent)):
        # The store's state refuses it (a person, child or entity it does not hold, or holds
        # in a state that does not accept it): the same request may succeed later.
        return Problem(409, _slug(error), str(error))
    return Problem(422, _slug(error), str(error))


def _slug(error: OversightError) -> str:
    if isinstance(error, EventDateRefused):
        # Dates against today and against each other: rules a JSON Schema cannot state, the
        # one kind of 422 a request the OpenAPI document allows may still get (docs/api.md).
        return "event-date-refused"
    if isinstance(error, EventInvalid):
        return "event-invalid"
    if isinstance(error, UnknownEntity):
        return "unknown-entity"
    if isinstance(error, EventRejected):
        return "event-rejected"
    if isinstance(error, TaskNotClosed):
        return "task-not-closed"
    if isinstance(error, NoFulfillingEvent):
        return "no-fulfilling-event"
    return "refused"


def install(app: FastAPI) -> None:
    """Route every failure through problem details."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        return problem_response(error)

    @app.exception_handler(OversightError)
    async def _domain(request: Request, error: OversightError) -> JSONResponse:
        return problem_response(from_domain(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        # pydantic prefixes a validator's own message with "Value error, ": ours say it all.
        errors = [{"field": ".".join(str(part) for part in item["loc"]),
                   "detail": str(item["msg"]).removeprefix("Value error, ")}
                  for item in error.errors()]
        first = errors[0] if errors else {"field": "body", "detail": "invalid"}
        dates = any(item.get("type") == DATE_ORDER for item in error.errors())
        return problem_response(Problem(422, "event-date-refused" if dates else
                                        "request-invalid", f"{first['field']}: "
                                                                f"{first['detail']}",
                                        errors=errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http")
        detail = error.detail if isinstance(error.detail, str) else None
        return problem_response(Problem(error.status_code, slug, detail,
                                        headers=getattr(error, "headers", None)))

    @app.exception_handler(StoreUnavailable)
    async def _busy(request: Request, error: StoreUnavailable) -> JSONResponse:
        log.warning("store unavailable: %s", getattr(error, "orig", None) or error)
        return problem_response(Problem(503, "store-unavailable", "The store is busy or "
                                        "unavailable; try again shortly.",
                                        headers={"Retry-After": "1"}))

    @app.exception_handler(Exception)
    async def _crash(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(Problem(500, "internal", "An internal error occurred; it has "
                                                         "been logged."))


__all__ = ["MEDIA_TYPE", "Problem", "forbidden", "from_domain", "install", "is_json",
           "json_bodies", "problem_response"]
