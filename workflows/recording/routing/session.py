"""Routes into one supervision session (``SupervisionSession``), found by its own id.

``supervision_held`` reaches the planned session it was, or a new one already held; a return to
work (``returned_to_work``, ``supervisor_returned``) the sessions cancelled for that sickness.
Finders take ``event: Any``: each is named, in :data:`RULES`, by the declarations that use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.errors import UnknownEntity
from oversight.states.machines import SupervisionSession
from oversight.states.machines.lifecycle import RETRACTED
from oversight.workflows.recording.routing.finding import (
    Finder,
    Target,
    existing,
)

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

KIND = SupervisionSession



def _session(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The session with the event's session id."""
    return [existing(entities, KIND, event.session)]


def _held(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The planned session it was; else a new session already held, if the policy keeps one."""
    if event.session is not None:
        return _session(event, entities, directory)
    base = KIND.unplanned_id(event.supervisor, event.supervisee, event.on)
    entity_id, n = base, 1
    while (stored := entities.get(KIND.kind, entity_id)) is not None:
        if stored.state == RETRACTED:  # it never was: held again under its id
            return [Target(KIND, entity_id, stored)]
        n += 1  # a second session of the pair on the same day
        entity_id = f"{base}.{n}"
    return [Target(KIND, entity_id, None)]


def _cancelled(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The session named; or, naming the relationship, its next session: the earliest one
    planned, else a new one due that day (cancelled as it starts)."""
    if event.session is not None:
        return _session(event, entities, directory)
    relationship = entities.get("relationship", f"{event.supervisor}:{event.supervisee}")
    if relationship is None or relationship.state == "ended":
        raise UnknownEntity(f"no relationship {event.supervisor}:{event.supervisee} whose next "
                            f"session could be cancelled")
    booked = sorted((e.data["for_date"], e.id, e) for e in entities.find(
        KIND.kind, subject=event.supervisee, party=event.supervisor)
        if e.state in ("planned", "rescheduled"))
    if booked:
        return [Target(KIND, booked[0][1], booked[0][2])]
    return _held(event, entities, directory)  # a new session of the pair, dated the event


def _awaiting_return(entities: Entities, person: str) -> list[Target]:
    found = {e.id: e for e in entities.find(KIND.kind, subject=person)
             + entities.find(KIND.kind, party=person)}
    return [Target(KIND, e.id, e) for e in found.values()
            if e.state == "cancelled" and person in (e.data.get("awaiting_return") or [])]


def _returned_to_work(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The sessions cancelled for the person's sickness, waiting for their return."""
    waiting = _awaiting_return(entities, event.person)
    if not waiting and event.absent_days is None:  # a long absence reaches relationships too
        raise UnknownEntity(f"no session cancelled for sickness waits for {event.person}'s return")
    return waiting


def _supervisor_returned(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The sessions cancelled for the supervisor's sickness, if any wait for their return."""
    return _awaiting_return(entities, event.supervisor)


RULES: dict[str, Finder] = {
    "cancelled": _cancelled,
    "returned_to_work": _returned_to_work,
    "held": _held,
    "supervisor_returned": _supervisor_returned,
}
"""The finders this lifecycle's declarations name by rule (``by_rule``), by name."""
