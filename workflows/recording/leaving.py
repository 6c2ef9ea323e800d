"""``staff_left`` in the store: every live lifecycle holding the leaver's obligations takes the
leaving step (:func:`oversight.states.leaving.leaving_step`) in the event's transaction, the
event is logged for each (so a re-derivation replays the leaving), and every task it withdraws
says why (``withdrawn_because``: who left, when)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oversight.states.events import StaffLeft
from oversight.states.leaving import OWN_HANDLER, leaving_step
from oversight.states.machines import KINDS
from oversight.workflows.ports.store import StoredEntity, UnitOfWork, task_id
from oversight.workflows.recording.firing import Firing
from oversight.workflows.recording.stepping import Outcome, StaffDirectory, save


def _holding(uow: UnitOfWork, person: str) -> list[StoredEntity]:
    """The live lifecycles about ``person`` or with ``person`` as their other party."""
    found: dict[tuple[str, str], StoredEntity] = {}
    for kind, lifecycle in KINDS.items():
        if kind in OWN_HANDLER:
            continue
        for stored in [*uow.entities.find(kind, subject=person),
                       *uow.entities.find(kind, party=person)]:
            if not lifecycle.ended(stored.state):
                found[(stored.kind, stored.id)] = stored
    return list(found.values())


def leave(uow: UnitOfWork, event: StaffLeft, *, record: str, firing: Firing,
          directory: StaffDirectory, now: datetime, outcome: Outcome) -> None:
    """End ``event.person``'s obligations everywhere, inside ``uow``; the caller commits."""
    from oversight.workflows.recording.catching_up import fire_before
    from oversight.workflows.recording.corrections import apply_late, is_late, log
    from oversight.workflows.recording.routing import Target

    book, link_base = firing.book, firing.link_base
    policy = book.in_force(event.on)
    steps = []
    for stored in _holding(uow, event.person):
        if event.on < stored.started_on:
            continue  # began after the leaving day: not an obligation this leaving ends
        if is_late(event, stored):  # recorded after later steps: re-derived with the leaving
            apply_late(uow, Target(KINDS[stored.kind], stored.id, stored), event, record=record,
                       book=book, directory=directory, now=now, link_base=link_base,
                       outcome=outcome)
            continue
        caught_up: list[dict[str, Any]] = []  # what was missed before the leaving day stands
        if fire_before(uow, stored.kind, stored.id, event.on, firing, now=now,
                       outcome=outcome, held=caught_up):
            if caught_up:
                uow.outbox.add(caught_up)
            found = uow.entities.get(stored.kind, stored.id)
            assert found is not None  # an entity's own timers never remove it
            stored = found
            if KINDS[stored.kind].ended(stored.state):
                continue
        machine = KINDS[stored.kind](stored.id, policy=policy, directory=directory,
                                     state=stored.state, data=stored.data)
        timers = [row["name"] for row in uow.timers.of_entity(stored.kind, stored.id)]
        steps.append((leaving_step(machine, event, timers=timers), stored, policy))
        log(uow, record, stored.kind, stored.id, event, now)
    save(uow, steps, event_id=record, now=now, outcome=outcome, link_base=link_base)
    because = f"{event.person} left on {event.on.isoformat()}"
    uow.event_log.amend_tasks({
        task_id(step.entity.kind, step.entity.id, change.key): {"withdrawn_because": because}
        for step, _, _ in steps for change in step.changed if change.change == "withdrawn"})


__all__ = ["leave"]
