"""``POST /v1/events/{event_id}/retract`` and ``…/amend``: correct a mistaken record.

The entities the event was applied to are re-derived without it (and, for an amendment, with
the corrected event, in the same transaction); the audit and the event log keep the retracted
event, and who retracted it (the credential), when and why.

No ``from __future__ import annotations`` here: the event body type is built at run time.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from oversight.adapters.api.auth import Caller, Clock, the_app, the_clock, writer
from oversight.adapters.api.problems import Problem, json_bodies
from oversight.adapters.api.routers.events import _REFUSALS, event_union
from oversight.adapters.api.schemas import ProblemOut
from oversight.states.errors import UnknownEntity
from oversight.states.events import DomainEvent
from oversight.workflows.bootstrap import App
from oversight.workflows.recording.retraction import Corrections

EventPath = Path(..., description="The event's id: its event_id, as the history shows it.")


class Retraction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)
    """Why the event is retracted; kept in the audit."""


def _actor(app: App, who: Caller) -> str | None:
    actor = getattr(who, "actor", None)
    if callable(actor):  # the credential's principal, as every write records it
        return str(actor(app.store))
    return who.person


def _corrected(action: Callable[[], Any]) -> Any:
    """Run a correction; an event id the log does not hold is a 404."""
    try:
        return action()
    except UnknownEntity as error:
        raise Problem(404, "not-found", str(error)) from None


def _result(event_id: str, outcome: Any) -> dict[str, Any]:
    return {"event_id": event_id, "entities": [
        {k: v for k, v in line.items() if k not in ("from", "to")}
        for line in outcome.transitions if line.get("trigger") == "rederive"]}


def router() -> APIRouter:
    # A union of the event classes the registry holds, built at run time: no static type.
    Event = Annotated[event_union(), Field(discriminator="type")]  # type: ignore[valid-type]

    class Amendment(BaseModel):
        model_config = ConfigDict(extra="forbid")

        reason: str = Field(min_length=1, max_length=500)
        """Why the event is amended; kept in the audit."""
        event: Event  # type: ignore[valid-type]
        """The corrected event, recorded in the same transaction."""

    api = APIRouter(tags=["events"], dependencies=[Depends(json_bodies)], responses={
        **_REFUSALS, 404: {"model": ProblemOut, "description": "No event with this id."}})

    @api.post("/events/{event_id}/retract", summary="Retract a mistaken event")
    def retract(body: Retraction, event_id: str = EventPath, who: Caller = Depends(writer),
                app: App = Depends(the_app), clock: Clock = Depends(the_clock)
                ) -> dict[str, Any]:
        """Re-derive every entity the event was applied to without it."""
        actor = _actor(app, who)
        outcome = _corrected(lambda: Corrections(app.service).retract(
            event_id, reason=body.reason, actor=actor, now=clock()))
        return _result(event_id, outcome)

    @api.post("/events/{event_id}/amend", summary="Replace an event by a corrected one")
    def amend(body: Amendment, event_id: str = EventPath, who: Caller = Depends(writer),
              app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> dict[str, Any]:
        """Retract the event and record the corrected one, in one transaction."""
        actor = _actor(app, who)
        corrected: DomainEvent = body.event
        if corrected.actor is None and who.person is not None:
            corrected = corrected.model_copy(update={"actor": who.person})
        outcome = _corrected(lambda: Corrections(app.service).amend(
            event_id, corrected, reason=body.reason, actor=actor, now=clock()))
        return _result(event_id, outcome)

    return api


__all__ = ["router"]
