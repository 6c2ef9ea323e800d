"""``POST /v1/events`` and ``POST /v1/events/batch``: domain events in, as the CLI and scenarios
send them. An ``event_id`` makes a retry safe: an id applied before changes nothing (200).

No ``from __future__ import annotations`` here: the event body type is built at run time.
"""

from typing import Annotated, Any, Union

from fastapi import APIRouter, Body, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from oversight.adapters.api.auth import Caller, Clock, the_app, the_clock, writer
from oversight.adapters.api.schemas import BatchResult, EventResult, ProblemOut, TransitionOut
from oversight.states.events.registry import DomainEvent, event_types
from oversight.workflows.bootstrap import App

MAX_BATCH = 1000

_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemOut, "description": "No live bearer token."},
    403: {"model": ProblemOut, "description": "The token's role does not post events."},
    409: {"model": ProblemOut, "description": "An entity's state refuses the event(s)."},
    422: {"model": ProblemOut, "description": "The event is malformed or names an unknown "
                                              "person, child or entity."},
}


def event_union() -> Any:
    """Every event type ``parse_event`` knows, one schema each."""
    classes = tuple(sorted(event_types().values(), key=lambda cls: cls.__name__))
    return Union[classes]  # noqa: UP007 - a union of classes found at run time has no | spelling


def _with_actor(event: DomainEvent, who: Caller, app: App) -> DomainEvent:
    """Events record who sent them: the credential, never a field of the request (an
    ``actor`` in the body is honoured only as "acting for" by a token allowed to)."""
    actor = who.actor(app.store, event.actor)
    # model_copy does not validate: the principal ("system:tok_… for sw1") is not an Identifier.
    return event.model_copy(update={"actor": actor})


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

    api = APIRouter(tags=["events"], responses=_REFUSALS)

    @api.post("/events", status_code=201, response_model=EventResult,
              responses={200: {"model": EventResult,
                               "description": "Applied before (same event_id): no change."}},
              summary="Record one event")
    def post_event(response: Response, event: EventBody,  # type: ignore[valid-type]
                   who: Caller = Depends(writer), app: App = Depends(the_app),
                   clock: Clock = Depends(the_clock)) -> EventResult:
        """Apply one domain event to every entity it concerns, in one transaction."""
        recorded = _with_actor(event, who, app)
        outcome = app.service.record(recorded, now=clock())
        if outcome.duplicates:
            response.status_code = 200
        return EventResult(applied=bool(outcome.applied), duplicate=bool(outcome.duplicates),
                           event_id=recorded.event_id, tasks_opened=outcome.tasks_opened,
                           transitions=[TransitionOut.model_validate(line)
                                        for line in outcome.transitions])

    @api.post("/events/batch", response_model=BatchResult, summary="Record events, all or none")
    def post_batch(batch: Batch, who: Caller = Depends(writer), app: App = Depends(the_app),
                   clock: Clock = Depends(the_clock)) -> BatchResult:
        """Apply the events in order in ONE transaction; any refusal leaves the store as it was
        and lists every refused event by position."""
        events = [_with_actor(event, who, app) for event in batch.events]
        outcome = app.service.record_all(events, now=clock(), dry_run=batch.dry_run)
        return BatchResult(applied=outcome.applied, duplicates=outcome.duplicates,
                           tasks_opened=outcome.tasks_opened, dry_run=batch.dry_run)

    return api


__all__ = ["MAX_BATCH", "event_union", "router"]
