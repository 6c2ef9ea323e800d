"""The API application: ``create_app(app)`` over the composition root's :class:`App`.

    /v1/health                                   liveness (no token)
    /v1/events, /v1/events/batch                 post domain events (system, admin)
    /v1/entities/{kind}/{id}[/timers|/tasks|/history]
    /v1/tasks, /v1/tasks/{id}, /v1/tasks/{id}/close
    /v1/people/{id}/calendar.ics
    /v1/access-log                               (auditor, admin, dpo)
    /v1/subject-access/{person}                  (dpo)
    /openapi.json, /docs                         the OpenAPI document and its viewer

Errors are RFC 9457 problem details (:mod:`oversight.adapters.api.problems`). The clock is an input:
tests fix it; by default it is the current UTC instant. Posted events are written by one thread
that commits what is queued together (:mod:`oversight.adapters.api.group_commit`), started and
stopped with the application's lifespan.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from oversight.adapters import clock as wall_clock
from oversight.adapters.api import problems
from oversight.adapters.api.auth import Clock, live_tokens
from oversight.adapters.api.group_commit import GroupCommit
from oversight.adapters.api.routers import (
    corrections,
    entities,
    events,
    people,
    privacy,
    service,
    tasks,
)
from oversight.adapters.web.pages import install as install_dashboard
from oversight.adapters.web.sessions import Dashboard
from oversight.workflows.bootstrap import App

VERSION = "v1"


def create_app(app: App, *, clock: Clock = wall_clock.now) -> FastAPI:
    """The FastAPI application serving ``app``'s store under ``/v1``."""
    writer = GroupCommit(app.service, one_writer_lock=app.one_writer,
                         live_tokens=live_tokens(app))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The bank holidays' package imports its countries on first use (a third of a second):
        # here, before the first request, not inside the first group, whose requests all wait.
        await anyio.to_thread.run_sync(lambda: app.policy.working_calendar().holiday_name(
            clock().date()))
        writer.start()
        try:
            yield
        finally:
            # Joining the writer waits for what is queued: off the event loop.
            await anyio.to_thread.run_sync(writer.stop)

    api = FastAPI(
        lifespan=lifespan,
        title="oversight",
        version="1.0.0",
        summary="Supervision policies of English children's social care as running state "
                "machines: post events, read states, timers, tasks and calendars.",
        description="Every request but `/v1/health` needs `Authorization: Bearer <token>` "
                    "(`oversight token create`). Errors are RFC 9457 problem details "
                    "(`application/problem+json`). Every read of a child's or worker's record "
                    "is written to the access log, with the purpose sent in `X-Purpose`; the "
                    "actor of every write is the token.",
    )
    api.state.oversight = app
    api.state.clock = clock
    api.state.group_commit = writer
    api.state.known_tokens = {}  # hash -> token seen live, for auth.event_poster (per process)
    problems.install(api)
    prefix = f"/{VERSION}"
    api.include_router(service.api, prefix=prefix)
    api.include_router(events.router(), prefix=prefix)
    api.include_router(corrections.router(), prefix=prefix)  # retract, amend (issue 12)
    api.include_router(entities.api, prefix=prefix)
    api.include_router(tasks.api, prefix=prefix)
    api.include_router(people.api, prefix=prefix)
    api.include_router(privacy.api, prefix=prefix)

    # The dashboard's pages and its /v1/asye and /v1/compliance reads share this process (issue 7).
    install_dashboard(api, Dashboard.of(app, clock=clock))

    api.openapi = lambda: _openapi(api)  # type: ignore[method-assign]
    # Task messages link to ``{link_base}/tasks/{id}``: the dashboard's task page (installed
    # above, adapters/web/task_page.py); the JSON of a task is ``/v1/tasks/{id}``.
    return api


def _openapi(api: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with every error answer as the problem details it is."""
    if api.openapi_schema is None:
        document = get_openapi(title=api.title, version=api.version, summary=api.summary,
                               description=api.description, routes=api.routes)
        problem = {"schema": {"$ref": "#/components/schemas/ProblemOut"}}
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                if operation.get("requestBody"):
                    answers.setdefault("400", {"description": "The body is not JSON."})
                    answers.setdefault("415", {"description": "The body is sent as something "
                                                              "else than JSON (Content-Type)."})
                if operation.get("parameters") or operation.get("requestBody"):
                    answers.setdefault("422", {"description": "The request is malformed."})
                answers.setdefault("503", {"description": "The store is busy or unavailable; "
                                                          "try again (Retry-After)."})
                for status, answer in answers.items():
                    if int(status) >= 400:
                        answer["content"] = {"application/problem+json": problem}
        schemas = document.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        for schema in schemas.values():
            # An event's ``type`` has a default in Python but chooses the schema: required.
            if "const" in schema.get("properties", {}).get("type", {}):
                required = schema.setdefault("required", [])
                if "type" not in required:
                    required.insert(0, "type")
        api.openapi_schema = document
    return api.openapi_schema


__all__ = ["VERSION", "create_app"]
