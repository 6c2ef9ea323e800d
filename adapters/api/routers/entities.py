"""``GET /v1/entities/{kind}/{id}`` and its timers, tasks and history.

Every read, allowed or refused, goes to the access log in the transaction that reads. A caller
who may not read the record gets the same 403 whether or not it exists; only a caller who may
read everything is told that a record does not exist (404).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
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
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.machines import KINDS
from oversight.workflows.access import READERS
from oversight.workflows.bootstrap import App
from oversight.workflows.ports import StoredEntity
from oversight.workflows.queries import task_view, transition_view

api = APIRouter(tags=["entities"], responses={
    401: {"model": ProblemOut, "description": "No live bearer token."},
    403: {"model": ProblemOut, "description": "Not this token's to read (or no such record)."},
    404: {"model": ProblemOut, "description": "No such record (told only to auditor and admin)."},
})

KindPath = Path(..., description="The lifecycle kind: assessment, asye, relationship, …",
                max_length=32, pattern=r"^[a-z_]+$")
IdPath = Path(..., description="The entity's id, e.g. c1 or tm1:sw1.", max_length=160,
              pattern=REF_PATTERN)


def visible_entity(uow: SqlUnitOfWork, who: Caller, kind: str, entity_id: str, resource: str,
                   now: datetime) -> StoredEntity:
    """The entity if ``who`` may read it, logged; otherwise the refusal, logged and committed."""
    connection = uow.connection
    scope = who.scope(connection) if who.role in READERS else None
    stored = uow.entities.get(kind, entity_id) if kind in KINDS else None
    target = f"{kind}:{entity_id}"
    if scope is not None and stored is not None and scope.sees_entity(
            stored.kind, stored.subject, stored.party, stored.data):
        who.log(connection, resource, [target], now=now)
        return stored
    if scope is not None and scope.everything:
        raise Problem(404, "not-found", f"No {target} in the store.")
    who.log(connection, resource, [target], now=now, outcome="refused")
    uow.commit()
    raise forbidden()


@api.get("/entities/{kind}/{entity_id}", response_model=EntityOut, summary="An entity's state")
def get_entity(kind: str = KindPath, entity_id: str = IdPath, who: Caller = Depends(caller),
               app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> EntityOut:
    """The lifecycle's state, version, people and data (identifiers and dates only)."""
    with SqlUnitOfWork(app.engine) as uow:
        stored = visible_entity(uow, who, kind, entity_id, "entity", clock())
        uow.commit()
    return EntityOut(**{f.name: getattr(stored, f.name) for f in dataclasses.fields(stored)})


@api.get("/entities/{kind}/{entity_id}/timers", response_model=list[TimerOut],
         summary="An entity's armed timers")
def get_timers(kind: str = KindPath, entity_id: str = IdPath, who: Caller = Depends(caller),
               app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> list[TimerOut]:
    """The durable timers still armed, in firing order, each with the rule it serves."""
    with SqlUnitOfWork(app.engine) as uow:
        visible_entity(uow, who, kind, entity_id, "timers", clock())
        rows = uow.timers.of_entity(kind, entity_id)
        uow.commit()
    return [TimerOut(name=row["name"], fires_on=row["fires_on"], rule=_rule(row["rule"]))
            for row in rows]


@api.get("/entities/{kind}/{entity_id}/tasks", response_model=list[TaskOut],
         summary="An entity's tasks")
def get_tasks(kind: str = KindPath, entity_id: str = IdPath, who: Caller = Depends(caller),
              app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> list[Any]:
    """Every task the entity's rules raised, in the order they were raised."""
    with SqlUnitOfWork(app.engine) as uow:
        visible_entity(uow, who, kind, entity_id, "tasks", clock())
        rows = uow.tasks.of_entity(kind, entity_id)
        uow.commit()
    return [task_view(row) for row in rows]


@api.get("/entities/{kind}/{entity_id}/history", response_model=list[TransitionOut],
         summary="An entity's audit trail")
def get_history(kind: str = KindPath, entity_id: str = IdPath, who: Caller = Depends(caller),
                app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> list[Any]:
    """Every transition, with its cause and the rule that caused it, in the order written."""
    with SqlUnitOfWork(app.engine) as uow:
        visible_entity(uow, who, kind, entity_id, "history", clock())
        rows = uow.history.lines(kind, entity_id)
        uow.commit()
    return [transition_view(row) for row in rows]


def _rule(rule: dict[str, Any] | None) -> RuleOut | None:
    if not rule:
        return None
    return RuleOut(policy=rule["authority"], section=rule["section"], name=rule.get("rule"))


__all__ = ["api", "visible_entity"]
