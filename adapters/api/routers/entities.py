"""``GET /v1/entities/{kind}/{id}`` and its timers, tasks and history.

Every read, allowed or refused, goes to the access log in the transaction that reads
(:mod:`oversight.workflows.reads.record_reads`). A caller who may not read the record gets the same
403 whether or not it exists; only a caller who may read everything is told that a record does not
exist (404).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Depends, Path

from oversight.adapters.api.auth import Caller, Clock, caller, the_app, the_clock
from oversight.adapters.api.problems import Problem, forbidden
from oversight.adapters.api.schemas import (
    REF_PATTERN,
    EntityOut,
    ProblemOut,
    RuleOut,
    TaskOut,
    TimerOut,
    TransitionOut,
)
from oversight.states.errors import ReadRefused, UnknownEntity
from oversight.workflows.bootstrap import App
from oversight.workflows.reads import record_reads
from oversight.workflows.reads.queries import task_view, transition_view

api = APIRouter(tags=["entities"], responses={
    401: {"model": ProblemOut, "description": "No live bearer token."},
    403: {"model": ProblemOut, "description": "Not this token's to read (or no such record)."},
    404: {"model": ProblemOut, "description": "No such record (told only to auditor and admin)."},
})

KindPath = Path(..., description="The lifecycle kind: assessment, asye, relationship, …",
                max_length=32, pattern=r"^[a-z_]+$")
IdPath = Path(..., description="The entity's id, e.g. c1 or tm1:sw1.", max_length=160,
              pattern=REF_PATTERN)


def reader_of(who: Caller) -> record_reads.Reader:
    """The caller as the access log records a reader: its token's id, person and purpose."""
    return record_reads.Reader(who.role, who.token.id, who.person, who.purpose)


@contextmanager
def as_problems() -> Iterator[None]:
    """A refused read is the same 403 whether or not the record exists; only a reader of
    everything hears that it does not (404)."""
    try:
        yield
    except ReadRefused:
        raise forbidden() from None
    except UnknownEntity as error:
        raise Problem(404, "not-found", str(error)) from None


@api.get("/entities/{kind}/{entity_id}", response_model=EntityOut, summary="An entity's state")
def get_entity(kind: str = KindPath, entity_id: str = IdPath, who: Caller = Depends(caller),
               app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> EntityOut:
    """The lifecycle's state, version, people and data (identifiers and dates only)."""
    with as_problems():
        stored = record_reads.entity(app.store, reader_of(who), kind, entity_id, clock())
    return EntityOut(**{f.name: getattr(stored, f.name) for f in dataclasses.fields(stored)})


@api.get("/entities/{kind}/{entity_id}/timers", response_model=list[TimerOut],
         summary="An entity's armed timers")
def get_timers(kind: str = KindPath, entity_id: str = IdPath, who: Caller = Depends(caller),
               app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> list[TimerOut]:
    """The durable timers still armed, in firing order, each with the rule it serves."""
    with as_problems():
        rows = record_reads.timers(app.store, reader_of(who), kind, entity_id, clock())
    return [TimerOut(name=row["name"], fires_on=row["fires_on"], rule=_rule(row["rule"]))
            for row in rows]


@api.get("/entities/{kind}/{entity_id}/tasks", response_model=list[TaskOut],
         summary="An entity's tasks")
def get_tasks(kind: str = KindPath, entity_id: str = IdPath, who: Caller = Depends(caller),
              app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> list[Any]:
    """Every task the entity's rules raised, in the order they were raised."""
    with as_problems():
        rows = record_reads.tasks(app.store, reader_of(who), kind, entity_id, clock())
    return [task_view(row) for row in rows]


@api.get("/entities/{kind}/{entity_id}/history", response_model=list[TransitionOut],
         summary="An entity's audit trail")
def get_history(kind: str = KindPath, entity_id: str = IdPath, who: Caller = Depends(caller),
                app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> list[Any]:
    """Every transition, with its cause and the rule that caused it, in the order written."""
    with as_problems():
        rows = record_reads.history(app.store, reader_of(who), kind, entity_id, clock())
    return [transition_view(row) for row in rows]


def _rule(rule: dict[str, Any] | None) -> RuleOut | None:
    if not rule:
        return None
    return RuleOut(policy=rule["authority"], section=rule["section"], name=rule.get("rule"))


__all__ = ["api", "as_problems", "reader_of"]
