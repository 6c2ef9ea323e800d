"""Closing a task by hand: recording the event that fulfils it.

A task is an obligation a rule raised; it closes when the thing it asks for happens. Closing one
"by hand" (``POST /v1/tasks/{id}/close``) therefore does not mark a row: it records the domain
event that fulfils the task — a ``supervision_held`` for a personal supervision that is due, an
``oversight_recorded`` for a management oversight point, and so on — built from the task and
its entity, so the lifecycle moves on exactly as if the receiving system had posted it (the next
session falls due, the timer is disarmed, the audit trail says what happened and when). The
service checks in the same transaction that the task did close.

An escalation closes with the task it escalates. Tasks whose fulfilling event needs a fact
only a person knows (an ASYE's final outcome, who signed a record, a session's new date) take it
in ``fields``; a task no single event fulfils (supervisor eligibility) cannot be closed by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from oversight.states.errors import NoFulfillingEvent
from oversight.states.events.registry import DomainEvent, event_types, parse_event

Builder = Callable[[dict[str, Any], str], dict[str, Any]]
"""(entity data, task key) → the event's fields besides type and date."""


def _pair(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {"supervisor": data["supervisor"], "supervisee": data["supervisee"]}


def _child(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {"child": data["child"]}


def _session(entity_id: str) -> Builder:
    return lambda data, key: {"session": entity_id}


def _person(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {"person": data["person"]}


def _oversight_point(data: dict[str, Any], key: str) -> dict[str, Any]:
    # assessment keys are mo:<point>; a trigger's are mo:<trigger>:<seq> with the trigger kept.
    task = data["tasks"].get(key, {})
    return {"child": data["child"], "point": task.get("trigger") or key.split(":")[1]}


FULFILLED_BY: dict[str, tuple[str, Builder]] = {
    "personal_supervision": ("supervision_held", _pair),
    "asye_supervision": ("supervision_held", lambda d, k: {"supervisor": d["supervisor"],
                                                           "supervisee": d["worker"]}),
    "supervision_agreement": ("agreement_signed", _pair),
    "agreement_review": ("agreement_reviewed", _pair),
    "alternative_supervision": ("alternative_supervision_arranged", _pair),
    "asye_review": ("review_held", lambda d, k: {"worker": d["worker"],
                                                 "review": k.partition(":")[2]}),
    "asye_final_assessment": ("final_assessment_recorded", lambda d, k: {"worker": d["worker"]}),
    "management_oversight": ("oversight_recorded", _oversight_point),
    "complete_assessment": ("assessment_completed", _child),
    "allocation_discussion": ("allocation_discussed", _child),
    "manager_case_note": ("manager_case_note_recorded", _child),
    "child_discussion": ("child_supervision_held", lambda d, k: {"child": d["child"],
                                                                 "worker": d["worker"]}),
    "child_supervision_record": ("child_supervision_recorded", _child),
    "decisions_on_record": ("child_supervision_recorded", _child),
    "archive_supervision_file": ("supervision_file_archived", _person),
    "destroy_supervision_file": ("supervision_file_destroyed", _person),
}
"""Task type → the event type that fulfils it and the fields it takes from the entity."""

_SESSION_TASKS = {"session_record": "session_recorded", "workbook_summary": "session_prepared",
                  "session_signatures": "session_signed", "reschedule_session":
                  "session_rescheduled"}


FULFILLING_TYPES: frozenset[str] = frozenset(
    {event_type for event_type, _ in FULFILLED_BY.values()} | set(_SESSION_TASKS.values())
    | {"team_activity_held"})
"""Every event type closing a task by hand may record: the keys ``fields`` may carry are
theirs (the API's schema of ``fields``)."""


def fulfilling_event(task: dict[str, Any], data: dict[str, Any], *, on: date,
                     event_id: str | None = None, actor: str | None = None,
                     fields: dict[str, Any] | None = None) -> DomainEvent:
    """The event that fulfils ``task`` (a tasks row) of the entity holding ``data``.

    ``fields`` adds what only a person knows (``outcome`` of a final assessment, ``by`` of a
    signature); it cannot change the fields taken from the entity.
    """
    kind, entity_id, key, type_ = (task["entity_kind"], task["entity_id"], task["key"],
                                   task["type"])
    if type_ in FULFILLED_BY:
        event_type, build = FULFILLED_BY[type_]
    elif kind == "session" and type_ in _SESSION_TASKS:
        event_type, build = _SESSION_TASKS[type_], _session(entity_id)
    elif kind == "team_activity":
        event_type = "team_activity_held"
        build = lambda d, k: {"activity": d["activity"], "owner": d["owner"]}  # noqa: E731
    else:
        raise NoFulfillingEvent(f"no single event closes a task of type '{type_}': record what "
                                f"happened with POST /v1/events")
    derived = build(data, key)
    # The schema of ``fields`` takes the keys of every fulfilling event; which of them this
    # task's event takes depends on the task (the store's state): a 409, not a 422.
    untaken = sorted(set(fields or {}) - set(event_types()[event_type].model_fields))
    if untaken:
        raise NoFulfillingEvent(f"a {event_type} does not take {', '.join(untaken)}: leave "
                                f"{'it' if len(untaken) == 1 else 'them'} out")
    clash = sorted(set(fields or {}) & (set(derived) | {"type", "on", "event_id"}))
    if clash:
        raise NoFulfillingEvent(f"fields {', '.join(clash)} come from the task and its entity; "
                                f"leave them out")
    body: dict[str, Any] = {**(fields or {}), **derived, "type": event_type, "on": on}
    if event_id is not None:
        body["event_id"] = event_id
    if actor is not None and "actor" not in body:
        body["actor"] = actor
    return parse_event(body)


__all__ = ["FULFILLED_BY", "FULFILLING_TYPES", "NoFulfillingEvent", "fulfilling_event"]
