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

from oversight.states.errors import EventInvalid, EventRejected, UnknownEntity
from oversight.states.events import DomainEvent
from oversight.states.machines import KINDS
from oversight.states.machines.lifecycle import RETRACTED
from oversight.states.policy.book import PolicyBook
from oversight.workflows.ports.store import StoredEntity, UnitOfWork
from oversight.workflows.recording.rederive import Rederived, rederive
from oversight.workflows.recording.stepping import Outcome, StaffDirectory

if TYPE_CHECKING:
    from oversight.workflows.recording.routing import Target
    from oversight.workflows.recording.service import OversightService


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


def _summary(outcome: Outcome, entity: str, done: Rederived, cause: str, on: str) -> None:
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
    _summary(outcome, f"{target.kind.kind}:{target.entity_id}", done, cause,
             event.on.isoformat())


class Corrections:
    """Retract or amend recorded events, through the service's store and policy."""

    def __init__(self, service: OversightService):
        self.service = service

    def retract(self, record: str, *, reason: str, actor: str | None, now: datetime) -> Outcome:
        """Retract event ``record`` (its event id): every entity it applied to is re-derived
        without it, in one transaction."""
        def attempt() -> Outcome:
            with self.service.uow_factory() as uow:
                outcome = self._retract(uow, record, reason, actor, now)
                uow.commit()
            return outcome
        return self.service._retrying(attempt)

    def amend(self, record: str, event: DomainEvent, *, reason: str, actor: str | None,
              now: datetime) -> Outcome:
        """Retract event ``record`` and record ``event`` in its place, in one transaction."""
        def attempt() -> Outcome:
            with self.service.uow_factory() as uow:
                outcome = self._retract(uow, record, reason, actor, now)
                outcome.add(self.service._apply(uow, event, now))
                uow.commit()
            return outcome
        return self.service._retrying(attempt)

    def _retract(self, uow: UnitOfWork, record: str, reason: str, actor: str | None,
                 now: datetime) -> Outcome:
        if not reason.strip():
            raise EventInvalid("say why the event is retracted (--reason / \"reason\")")
        rows = uow.event_log.of_record(record)
        if not rows:
            raise UnknownEntity(f"no event '{record}' in the event log (the event ids are in "
                                f"`oversight history ENTITY`)")
        live = [row for row in rows if row.retracted_at is None]
        if not live:
            raise EventRejected(f"event {record}", "retracted", "retract",
                                f"it was retracted at {rows[0].retracted_at} by "
                                f"{rows[0].retracted_by or 'an unnamed actor'}")
        uow.event_log.retract(record, by=actor, reason=reason, at=now)
        outcome = Outcome(applied=1)
        directory = StaffDirectory(uow.staff)
        for row in live:
            stored = uow.entities.get(row.entity_kind, row.entity_id)
            if stored is None:
                continue
            cause = f"retracted {record} ({row.type} dated {row.on.isoformat()}): {reason}"
            done = rederive(uow, KINDS[row.entity_kind], stored, book=self.service.book,
                            directory=directory, now=now, on=row.on, cause=cause, actor=actor,
                            event_id=None, focus=None, link_base=self.service.link_base,
                            may_end=True)
            _summary(outcome, f"{row.entity_kind}:{row.entity_id}", done, cause,
                     row.on.isoformat())
        return outcome


__all__ = ["Corrections", "apply_late", "body", "is_late", "log", "record_id"]
