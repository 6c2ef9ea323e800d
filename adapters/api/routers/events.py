"""``POST /v1/events`` and ``POST /v1/events/batch``: domain events in, as the CLI and scenarios
send them. An ``event_id`` makes a retry safe: an id applied before changes nothing (200).
Both are written by the app's one writer (:mod:`oversight.adapters.api.group_commit`): a single
event is committed with the others queued beside it, and answered only after that commit.

No ``from __future__ import annotations`` here: the event body type is built at run time.
"""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from oversight.adapters.api.auth import Caller, Clock, event_writer, the_app, the_clock
from oversight.adapters.api.group_commit import GroupCommit
from oversight.adapters.api.problems import Problem, json_bodies
from oversight.adapters.api.references import NOT_HELD
from oversight.adapters.api.schemas import (
    BatchResult,
    EventResult,
    ProblemOut,
    TransitionOut,
    event_union,
)
from oversight.states.events.registry import DomainEvent
from oversight.workflows.bootstrap import App
from oversight.workflows.recording.references import children_not_held

MAX_BATCH = 1000

_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemOut, "description": "No live bearer token."},
    403: {"model": ProblemOut, "description": "The token's role does not post events."},
    409: {"model": ProblemOut, "description": "An entity's state refuses the event(s), or an "
                                              "event names a child the store does not hold."},
    422: {"model": ProblemOut, "description": "The event is malformed or names an unknown "
                                              "person, child or entity."},
}


async def the_group_commit(request: Request) -> GroupCommit:
    """The app's writer (async: FastAPI runs it on the loop, not in a worker thread)."""
    return request.app.state.group_commit


async def _with_actor(events: Sequence[DomainEvent], who: Caller, app: App
                      ) -> list[DomainEvent]:
    """Events record who sent them: the credential, never a field of the request (an
    ``actor`` in the body is honoured only as "acting for" by a token allowed to). Each name
    asked for is checked in the store once per request, however many events name it, and in a
    worker thread: the event loop never waits on the store."""
    actors: dict[str | None, str] = {}

    def recorded() -> list[DomainEvent]:
        for event in events:
            if event.actor not in actors:
                actors[event.actor] = who.actor(app.store, event.actor)
        # model_copy does not validate: the principal ("system:tok_… for sw1") is not an
        # Identifier.
        return [event.model_copy(update={"actor": actors[event.actor]}) for event in events]

    if all(event.actor in (None, who.person) for event in events):
        return recorded()  # the token's own name: nothing to read
    return await run_in_threadpool(recorded)


async def _children_held(events: Sequence[DomainEvent], app: App) -> None:
    """Refuse events naming children the store does not hold (``children_discussed``), as
    closing a task refuses them (:mod:`oversight.adapters.api.references`): a 409, before
    anything is written. Read in a worker thread, and only when an event names any."""
    named = [child for event in events
             for child in (getattr(event, "children_discussed", None) or ())]
    if not named:
        return

    def check() -> None:
        missing = children_not_held(app.store, named)
        if missing:
            raise Problem(409, "unknown-record", NOT_HELD.format(", ".join(missing)))

    await run_in_threadpool(check)


def router() -> APIRouter:
    # Unions of the event classes the registry holds, built at run time: no static type.
    Event = Annotated[event_union(), Field(discriminator="type")]  # type: ignore[valid-type]
    EventBody = Annotated[event_union(), Body(discriminator="type")]  # type: ignore[valid-type]

    class Batch(BaseModel):
        model_config = ConfigDict(extra="forbid")

        events: list[Event] = Field(min_length=1, max_length=MAX_BATCH)  # type: ignore[valid-type]
        """Applied in order, in one transaction: all of them, or none."""
        dry_run: bool = False
        """Apply, report, then roll back."""

    api = APIRouter(tags=["events"], responses=_REFUSALS, dependencies=[Depends(json_bodies)])

    @api.post("/events", status_code=201, response_model=EventResult,
              responses={200: {"model": EventResult,
                               "description": "Applied before (same event_id): no change."}},
              summary="Record one event")
    async def post_event(response: Response, event: EventBody,  # type: ignore[valid-type]
                         who: Caller = Depends(event_writer), app: App = Depends(the_app),
                         clock: Clock = Depends(the_clock),
                         group: GroupCommit = Depends(the_group_commit)) -> EventResult:
        """Apply one domain event to every entity it concerns, in one transaction."""
        [recorded] = await _with_actor([event], who, app)
        await _children_held([recorded], app)
        outcome = await group.record(recorded, now=clock(), token=who.token.id)
        if outcome.duplicates:
            response.status_code = 200
        return EventResult(applied=bool(outcome.applied), duplicate=bool(outcome.duplicates),
                           event_id=recorded.event_id, tasks_opened=outcome.tasks_opened,
                           transitions=[TransitionOut.model_validate(line)
                                        for line in outcome.transitions])

    @api.post("/events/batch", response_model=BatchResult, summary="Record events, all or none")
    async def post_batch(batch: Batch, who: Caller = Depends(event_writer),
                         app: App = Depends(the_app), clock: Clock = Depends(the_clock),
                         group: GroupCommit = Depends(the_group_commit)) -> BatchResult:
        """Apply the events in order in ONE transaction; any refusal leaves the store as it was
        and lists every refused event by position."""
        events = await _with_actor(batch.events, who, app)
        await _children_held(events, app)
        outcome = await group.record_all(events, now=clock(), dry_run=batch.dry_run,
                                         token=who.token.id)
        return BatchResult(applied=outcome.applied, duplicates=outcome.duplicates,
                           tasks_opened=outcome.tasks_opened, dry_run=batch.dry_run)

    return api


__all__ = ["MAX_BATCH", "event_union", "router"]
