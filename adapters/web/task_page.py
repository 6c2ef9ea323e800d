"""The task page, ``/tasks/{id}``: where every task message's ``link`` leads (issue 13).

For a signed-in person allowed to see the task (``Viewer.sees_task``, the rule of the tasks
list): what is due, when, for whom (identifiers only), the rule with its quote, the due date's
arithmetic as ``oversight why`` gives it (dates, skipped days, moves), the entity's history and
the messages sent about the task with each receiver's delivery state. Without a session the
browser goes to the sign-in form and comes back here. Every read, refused ones too, is in the
access log. JSON stays under ``/v1`` (``GET /v1/tasks/{id}``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from oversight.adapters.web.rendering import page_viewer, render
from oversight.adapters.web.sessions import dashboard_of
from oversight.adapters.web.viewer import Viewer
from oversight.states.values import EntityRef
from oversight.workflows.ports.deliveries import DeliveryStore
from oversight.workflows.reads import delivery_reads, queries

pages = APIRouter(include_in_schema=False)


def explanation(task: dict[str, Any]) -> list[str]:
    """The lines ``oversight why`` prints for the task, as plain text."""
    from oversight.adapters.cli.views import why_lines

    return [line.plain for line in why_lines(task)]


def messages(deliveries: DeliveryStore, task_id: str) -> list[dict[str, Any]]:
    """The task's messages in order, each with its deliveries."""
    return delivery_reads.of_task(deliveries, task_id)


@pages.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(request: Request, task_id: str, viewer: Viewer = Depends(page_viewer)
              ) -> HTMLResponse:
    board = dashboard_of(request)
    found = queries.task(board.store, task_id)
    if found is None or not viewer.sees_task(found):
        viewer.log(board.credentials, "dashboard:task", [f"task:{task_id[:190]}"],
                   now=board.clock(), outcome="refused")
        return render("error.html", viewer, 404, title="No such task",
                       message="There is no task here that you can see.")
    viewer.log(board.credentials, "dashboard:task", [found["entity"]], now=board.clock())
    kind, _, ident = found["entity"].partition(":")
    history = [line for line in queries.transitions(board.store, EntityRef(kind, ident))]
    detail = found.get("rule_detail") or {}
    return render("task.html", viewer, task=found, quote=detail.get("quote"),
                   note=detail.get("note"), why=explanation(found), history=history,
                   messages=messages(board.deliveries, task_id), late=_late(found))


def _late(task: dict[str, Any]) -> bool:
    """Met after its deadline had passed (closed, but breached first)."""
    return task["state"] == "closed" and task["breached_on"] is not None
