"""Late records and corrections: the event log kept, and entities re-derived when the past changes.

Every event the service applies is logged per entity (:func:`log`). An event dated before the
entity's last step is **late**: it is logged and the entity re-derived from its events in date
order (:func:`apply_late`), instead of being applied on top of a present it predates.
:class:`Corrections` retracts a mistaken event (the entity re-derived without it; the audit and
the log keep it, with who retracted it, when and why) and amends one (retract plus record, in
one transaction).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from oversight.states.events import DomainEvent
from oversight.states.machines.lifecycle import RETRACTED
from oversight.states.policy.book import PolicyBook
from oversight.workflows.ports.store import StoredEntity, UnitOfWork
from oversight.workflows.recording.rederive import Rederived, rederive
from oversight.workflows.recording.stepping import Outcome, StaffDirectory

if TYPE_CHECKING:
    from oversight.workflows.recording.routing import Target


def record_id(event: DomainEvent, now: datetime) -> str:
    """The identifier the event is logged (and retracted) under: its ``event_id`` if it has
    one, otherwise one made from the event and the moment it was recorded (so that the same
    input gives the same store, run after run)."""
    if event.event_id:
        return event.event_id
    text = json.dumps(body(event), sort_keys=True) + "|" + now.isoformat()
    return "ev-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def body(event: DomainEvent) -> dict[str, Any]:
    """The event as logged: what ``parse_event`` reads back."""
    return event.model_dump(mode="json", exclude_none=True)


def is_late(event: DomainEvent, stored: StoredEntity) -> bool:
    """Whether ``event`` predates the entity's last step (an event or a timer that fired), or
    reaches an entity whose creating record was retracted: either way it is re-derived from its
    log with the event, in date order."""
    return event.on < stored.updated_on or stored.state == RETRACTED


def log(uow: UnitOfWork, record: str, kind: str, entity_id: str, event: DomainEvent,
        now: datetime) -> None:
    uow.event_log.append(record, kind, entity_id, body(event),
                         recorded_at=now)


def summarise(outcome: Outcome, entity: str, done: Rederived, cause: str, on: str) -> None:
    outcome.tasks_opened += len(done.opened)
    outcome.tasks_breached += len(done.breached)
    outcome.transitions.append({
        "entity": entity, "from": done.states[0], "to": done.states[1], "trigger": "rederive",
        "cause": cause, "on": on,
        "rule": None, "met_late": done.met_late, "withdrawn": done.withdrawn,
        "breached": done.breached, "reopened": done.reopened, "opened": done.opened})


def apply_late(uow: UnitOfWork, target: Target, event: DomainEvent, *, record: str,
               book: PolicyBook, directory: StaffDirectory, now: datetime, link_base: str,
               outcome: Outcome) -> None:
    """Log ``event`` and re-derive ``target``'s entity with it, in date order."""
    assert target.stored is not None
    log(uow, record, target.kind.kind, target.entity_id, event, now)
    cause = f"event:{event.type} dated {event.on.isoformat()}, recorded late"
    done = rederive(uow, target.kind, target.stored, book=book, directory=directory, now=now,
                    on=event.on, cause=cause, actor=event.actor, event_id=record,
                    focus=record, link_base=link_base)
    summarise(outcome, f"{target.kind.kind}:{target.entity_id}", done, cause,
             event.on.isoformat())


__all__ = ["apply_late", "body", "is_late", "log", "record_id", "summarise"]
