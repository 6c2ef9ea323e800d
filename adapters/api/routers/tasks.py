"""``GET /v1/tasks`` (by person, subject, team, state and due window), ``GET /v1/tasks/{id}``
and ``POST /v1/tasks/{id}/close``.

Closing a task by hand records the domain event that fulfils it
(:mod:`oversight.workflows.recording.closing`), so the lifecycle moves on as if the event had been
posted: a personal supervision closed on a day is a session held that day, and the next one falls
due one interval later. System and admin tokens close any task; supervisee, supervisor and manager
tokens close tasks assigned to them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Depends, Path, Query

from oversight.adapters.api.auth import Caller, Clock, caller, the_app, the_clock
from oversight.adapters.api.problems import Problem, forbidden, json_bodies
from oversight.adapters.api.references import asked_actor, unseen_reference
from oversight.adapters.api.routers.entities import as_problems, reader_of
from oversight.adapters.api.schemas import (
    ID_PATTERN,
    REF_PATTERN,
    CloseBody,
    CloseResult,
    IsoDate,
    ProblemOut,
    TaskOut,
    TaskPage,
    TaskState,
)
from oversight.workflows.bootstrap import App
from oversight.workflows.reads import queries, record_reads
from oversight.workflows.reads.access import PERSONAL_ROLES, WRITERS
from oversight.workflows.reads.queries import task_view
from oversight.workflows.recording.closing import fulfilling_event
from oversight.workflows.recording.service import HELD

api = APIRouter(tags=["tasks"], dependencies=[Depends(json_bodies)], responses={
    401: {"model": ProblemOut, "description": "No live bearer token."},
    403: {"model": ProblemOut, "description": "Not this token's to read or close."},
})

TaskPath = Path(..., description="A task id, e.g. relationship:tm1:sw1:supervision:1.",
                max_length=320, pattern=REF_PATTERN)


def _task_row(app: App, task_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    return queries.task_with_entity(app.store, task_id)


@api.get("/tasks", response_model=TaskPage, summary="Tasks by person, team, state and due date")
def list_tasks(
    person: str | None = Query(None, max_length=64, pattern=ID_PATTERN,
                               description="Assigned to this staff id."),
    subject: str | None = Query(None, max_length=64, pattern=ID_PATTERN,
                                description="About this child or worker."),
    team: str | None = Query(None, max_length=64, pattern=ID_PATTERN,
                             description="Assigned to a member of this "
                                                              "team (staff.team)."),
    state: list[TaskState] | None = Query(None, description="Any of these states."),
    due_from: IsoDate | None = Query(None, description="Due on or after this day."),
    due_to: IsoDate | None = Query(None, description="Due on or before this day."),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000),
    who: Caller = Depends(caller), app: App = Depends(the_app),
    clock: Clock = Depends(the_clock),
) -> dict[str, Any]:
    """The tasks this token may read that match every filter, by due date."""
    asked = record_reads.TaskFilter(person, subject, team, list(state) if state else None,
                                    due_from, due_to)
    with as_problems():
        page, total = record_reads.task_page(app.store, reader_of(who), asked, limit=limit,
                                             offset=offset, now=clock())
    return {"tasks": [task_view(task) for task in page], "total": total, "limit": limit,
            "offset": offset}


@api.get("/tasks/{task_id}", response_model=TaskOut, summary="One task",
         responses={404: {"model": ProblemOut, "description": "No such task (auditor, admin)."}})
def get_task(task_id: str = TaskPath, who: Caller = Depends(caller), app: App = Depends(the_app),
             clock: Clock = Depends(the_clock)) -> dict[str, Any]:
    """One task: who it is for, what, when it is due and the rule that raised it."""
    with as_problems():
        task = record_reads.task(app.store, reader_of(who), task_id, clock())
    return {**task_view(task), "basis": task.get("basis")}


@api.post("/tasks/{task_id}/close", response_model=CloseResult, summary="Close a task by hand",
          responses={404: {"model": ProblemOut, "description": "No such task (system, admin)."},
                     409: {"model": ProblemOut, "description": "Already closed, or the event "
                                                               "was refused or did not close "
                                                               "it."},
                     422: {"model": ProblemOut, "description": "The fulfilling event is "
                                                               "incomplete."}})
def close_task(body: CloseBody, task_id: str = TaskPath, who: Caller = Depends(caller),
               app: App = Depends(the_app), clock: Clock = Depends(the_clock)) -> dict[str, Any]:
    """Record the event that fulfils the task, dated ``on``: the task closes as it would
    had the event been posted, and the lifecycle moves on (the next session falls due, …)."""
    now = clock()
    found = _task_row(app, task_id)
    allowed = who.role in WRITERS or (
        who.role in PERSONAL_ROLES and found is not None and found[0]["assignee"] == who.person)
    if not allowed:
        raise forbidden()
    if found is None:
        raise Problem(404, "not-found", "No such task.")
    task, entity = found
    event_id = body.event_id or "close:" + hashlib.sha256(
        f"{task_id}|{body.on.isoformat()}".encode()).hexdigest()[:40]
    source = task
    if task["type"] == "escalation" and task["escalates"]:
        # An escalation closes with the task it escalates.
        escalated = _task_row(app, task["escalates"])
        if escalated is not None:
            source = escalated[0]
    fields = body.given_fields()
    # The actor is the credential; fields may name only records this token can see.
    actor = who.actor(app.store, asked_actor(fields))
    unseen_reference(app.store, who, fields)
    event = fulfilling_event(source, entity["data"], on=body.on, event_id=event_id,
                             fields=fields)
    event = event.model_copy(update={"actor": actor})
    duplicate = False
    if task["state"] not in HELD:
        if not _applied(app, event_id):
            raise Problem(409, "task-closed", f"The task is already {task['state']}.")
        duplicate = True
    else:
        duplicate = bool(app.service.close_task(task_id, event, now=now).duplicates)
    after = _task_row(app, task_id)
    assert after is not None
    return {"task": task_view(after[0]), "event_type": event.type, "event_id": event_id,
            "duplicate": duplicate}


def _applied(app: App, event_id: str) -> bool:
    return queries.event_applied(app.store, event_id)


__all__ = ["api"]
