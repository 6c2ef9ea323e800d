"""Retracting and amending recorded events: the use case behind ``oversight event retract``,
``amend`` and the API's corrections.

It writes through the service (its store, its policy book, its retries), so it lives beside it
rather than inside :mod:`oversight.workflows.recording.corrections`, which the service itself
uses to log events and re-derive late ones.
"""

from __future__ import annotations

from datetime import datetime

from oversight.states.errors import EventInvalid, EventRejected, UnknownEntity
from oversight.states.events.registry import DomainEvent
from oversight.states.machines import KINDS
from oversight.workflows.ports.store import UnitOfWork
from oversight.workflows.recording.corrections import summarise
from oversight.workflows.recording.rederive import rederive
from oversight.workflows.recording.service import OversightService
from oversight.workflows.recording.stepping import Outcome, StaffDirectory


class Corrections:
    """Retract or amend recorded events, through the service's store and policy."""

    def __init__(self, service: OversightService):
        self.service = service

    def retract(self, record: str, *, reason: str, actor: str | None, now: datetime) -> Outcome:
        """Retract event ``record`` (its event id): every entity it applied to is re-derived
        without it, in one transaction."""
        def attempt() -> Outcome:
            with self.service.uow_factory() as uow:
                outcome = self.retract_in(uow, record, reason, actor, now)
                uow.commit()
            return outcome
        return self.service.retrying(attempt)

    def amend(self, record: str, event: DomainEvent, *, reason: str, actor: str | None,
              now: datetime) -> Outcome:
        """Retract event ``record`` and record ``event`` in its place, in one transaction."""
        def attempt() -> Outcome:
            with self.service.uow_factory() as uow:
                outcome = self.retract_in(uow, record, reason, actor, now)
                outcome.add(self.service.apply_in(uow, event, now))
                uow.commit()
            return outcome
        return self.service.retrying(attempt)

    def retract_in(self, uow: UnitOfWork, record: str, reason: str, actor: str | None,
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
            summarise(outcome, f"{row.entity_kind}:{row.entity_id}", done, cause,
                     row.on.isoformat())
        return outcome


__all__ = ["Corrections"]
