"""Routes of the practice lifecycles: a session (``SupervisionSession``), a child's management
oversight (``ManagementOversight``), a team activity (``TeamCadence``) and a supervisee's
supervision file (``SupervisionFile``).

A session is found by its own id; an oversight by the child; a team activity by activity and
owner; a file by the supervisee. Three core events reach them too: ``supervision_held`` (the
planned session it was, or a new one already held), ``oversight_recorded`` (when the child's
oversight awaits that point) and ``relationship_started`` (opens the supervisee's file).
"""

from __future__ import annotations

from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.events import practice as practice_events  # noqa: F401 - defines the event types parse_event finds
from oversight.states.errors import UnknownEntity
from oversight.states.machines import ManagementOversight, SupervisionFile, SupervisionSession, TeamCadence
from oversight.workflows.routing import Target, create, existing, register, register_also, require_staff

# ----- sessions --------------------------------------------------------------------------------


def _session_planned(event, uow, directory):  # type: ignore[no-untyped-def]
    require_staff(directory, event.supervisor, event.supervisee)
    return create(uow, SupervisionSession, event.session)


def _session(event, uow, directory):  # type: ignore[no-untyped-def]
    return [existing(uow, SupervisionSession, event.session)]


def _session_held(event, uow, directory):  # type: ignore[no-untyped-def]
    """The planned session it was; else a new session already held, if the policy keeps one."""
    if event.session is not None:
        return _session(event, uow, directory)
    base = SupervisionSession.unplanned_id(event.supervisor, event.supervisee, event.on)
    entity_id, n = base, 1
    while uow.get(SupervisionSession.kind, entity_id) is not None:
        n += 1  # a second session of the pair on the same day
        entity_id = f"{base}.{n}"
    return [Target(SupervisionSession, entity_id, None)]


def _awaiting_return(uow: SqlUnitOfWork, person: str) -> list[Target]:
    found = {e.id: e for e in uow.find(SupervisionSession.kind, subject=person)
             + uow.find(SupervisionSession.kind, party=person)}
    return [Target(SupervisionSession, e.id, e) for e in found.values()
            if e.state == "cancelled" and person in (e.data.get("awaiting_return") or [])]


def _returned_to_work(event, uow, directory):  # type: ignore[no-untyped-def]
    waiting = _awaiting_return(uow, event.person)
    if not waiting:
        raise UnknownEntity(f"no session cancelled for sickness waits for {event.person}'s return")
    return waiting


def _supervisor_returned(event, uow, directory):  # type: ignore[no-untyped-def]
    return _awaiting_return(uow, event.supervisor)


# ----- management oversight --------------------------------------------------------------------


def _oversight_triggered(event, uow, directory):  # type: ignore[no-untyped-def]
    require_staff(directory, event.manager, *([event.worker] if event.worker else []))
    stored = uow.get(ManagementOversight.kind, event.child)
    return [Target(ManagementOversight, event.child, stored)]


def _oversight_recorded(event, uow, directory):  # type: ignore[no-untyped-def]
    stored = uow.get(ManagementOversight.kind, event.child)
    if stored is None or not ManagementOversight.awaits(stored.data, event.point):
        return []
    return [Target(ManagementOversight, stored.id, stored)]


# ----- team activities -------------------------------------------------------------------------


def _team_activity_started(event, uow, directory):  # type: ignore[no-untyped-def]
    if event.lead is not None:
        require_staff(directory, event.lead)
    return create(uow, TeamCadence, TeamCadence.entity_id(event.activity, event.owner))


def _team_activity_held(event, uow, directory):  # type: ignore[no-untyped-def]
    """The activity's entity, or a new one when this is the first the store hears of it."""
    entity_id = TeamCadence.entity_id(event.activity, event.owner)
    stored = uow.get(TeamCadence.kind, entity_id)
    if stored is None and event.lead is not None:
        require_staff(directory, event.lead)
    return [Target(TeamCadence, entity_id, stored)]


# ----- the supervision file --------------------------------------------------------------------


def _file_opened(event, uow, directory):  # type: ignore[no-untyped-def]
    require_staff(directory, event.person, event.supervisor)
    return create(uow, SupervisionFile, event.person)


def _file_of_relationship(event, uow, directory):  # type: ignore[no-untyped-def]
    """A supervisee's first relationship opens the file; later ones find it already kept."""
    if uow.get(SupervisionFile.kind, event.supervisee) is not None:
        return []
    return [Target(SupervisionFile, event.supervisee, None)]


def _file_or_new(event, uow, directory):  # type: ignore[no-untyped-def]
    """The file, or one opened now for a supervisee the store holds no file for."""
    require_staff(directory, event.person)
    if getattr(event, "new_supervisor", None):
        require_staff(directory, event.new_supervisor)
    return [Target(SupervisionFile, event.person, uow.get(SupervisionFile.kind, event.person))]


def _file(event, uow, directory):  # type: ignore[no-untyped-def]
    return [existing(uow, SupervisionFile, event.person)]


register({
    "session_planned": _session_planned,
    "session_prepared": _session,
    "session_cancelled": _session,
    "session_rescheduled": _session,
    "session_recorded": _session,
    "session_signed": _session,
    "returned_to_work": _returned_to_work,
    "oversight_triggered": _oversight_triggered,
    "team_activity_started": _team_activity_started,
    "team_activity_held": _team_activity_held,
    "supervision_file_opened": _file_opened,
    "supervision_file_transferred": _file_or_new,
    "staff_left": _file_or_new,
    "supervision_file_archived": _file,
    "supervision_file_destroyed": _file,
})
register_also("supervision_held", _session_held)
register_also("supervisor_returned", _supervisor_returned)
register_also("oversight_recorded", _oversight_recorded)
register_also("relationship_started", _file_of_relationship)
