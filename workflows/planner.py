"""The supervision sessions ahead for one person, as a supervisor or as a supervisee.

Read from the store: each live supervisory relationship's open personal supervision task (or,
for an ASYE, the journey's open ``asye_supervision`` task) gives the next due date; the policy's
interval for the supervisee's role (or the ASYE phase in force) projects the cadence forward
(:mod:`oversight.states.views.schedule`); sessions planned with ``session_planned`` are placed on
their dates. The calendar export (``oversight calendar``, ``GET /v1/people/{id}/calendar.ics``)
renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from oversight.states.calendar import months_after
from oversight.states.policy.model import Policy
from oversight.states.values import cited
from oversight.states.views.schedule import asye_interval, personal_interval, project
from oversight.workflows.ports import StoredEntity, TaskRow, UnitOfWork, UnitOfWorkFactory

HORIZON_MONTHS = 12
_HELD = ("open", "breached", "escalated")
_ASYE_OVER = ("passed", "failed")


@dataclass(frozen=True, slots=True)
class SessionAhead:
    """One supervision session on a person's calendar: identifiers and dates only."""

    on: date
    status: str
    """``overdue``, ``due``, ``planned`` or ``projected``
    (:class:`oversight.states.views.schedule.Occurrence`)."""
    supervisor: str
    supervisee: str
    type: str
    """``personal_supervision`` or ``asye_supervision``."""
    entity: str
    """The lifecycle whose cadence it is, e.g. ``relationship:tm1:sw1``."""
    task: str
    """The open task the projection starts from."""
    rule: str
    """The rule that sets the cadence, e.g. ``surrey §4.1``."""
    session: str | None = None


def sessions_ahead(store: UnitOfWorkFactory, policy: Policy, person: str, *, today: date,
                   months: int = HORIZON_MONTHS) -> list[SessionAhead]:
    """``person``'s supervision sessions from ``today`` to ``months`` ahead, in date order
    (overdue ones first, on their due dates)."""
    until = months_after(today, months)
    calendar = policy.working_calendar()
    found: list[SessionAhead] = []
    with store() as uow:
        entities = _entities(uow, person)
        tasks = {(e.kind, e.id): _open_tasks(uow, e) for e in entities}
        planned = _planned_sessions(uow, person)
        members = {p: uow.staff.member(p) for p in sorted({e.subject for e in entities})}
    starts = {p: m.started for p, m in members.items() if m is not None}
    for entity in entities:
        data = entity.data
        if entity.kind == "relationship":
            supervisor, supervisee, kind = data["supervisor"], data["supervisee"], \
                "personal_supervision"
            interval_on = personal_interval(policy, data["role"], starts.get(supervisee))
        else:
            supervisor, supervisee, kind = data["supervisor"], data["worker"], "asye_supervision"
            interval_on = asye_interval(policy, {name: date.fromisoformat(day) for name, day
                                                 in data["phase_starts"].items()})
        if interval_on is None:
            continue  # an ASYE's relationship: the journey keeps the cadence
        for task in tasks.get((entity.kind, entity.id), []):
            if task["type"] != kind:
                continue
            booked = [(day, ident) for day, ident, pair in planned
                      if pair == (supervisor, supervisee)]
            for occurrence in project(task["due"], interval_on, today=today, until=until,
                                      calendar=calendar, planned=booked):
                found.append(SessionAhead(
                    on=occurrence.on, status=occurrence.status, supervisor=supervisor,
                    supervisee=supervisee, type=kind, entity=f"{entity.kind}:{entity.id}",
                    task=task["id"], rule=cited(task["authority"], task["section"],
                                                (task.get("rule") or {}).get("source", ""),
                                                (task.get("rule") or {}).get("adopted_by", "")),
                    session=occurrence.session))
    return sorted(found, key=lambda s: (s.on, s.supervisee, s.supervisor, s.type))


def _entities(uow: UnitOfWork, person: str) -> list[StoredEntity]:
    """``person``'s live relationships and ASYE journeys, by kind then id."""
    found = uow.entities.listing(["relationship", "asye"], person=person)
    return sorted((e for e in found
                   if not (e.kind == "relationship" and e.state == "ended")
                   and not (e.kind == "asye" and e.state in _ASYE_OVER)),
                  key=lambda e: (e.kind, e.id))


def _open_tasks(uow: UnitOfWork, entity: StoredEntity) -> list[TaskRow]:
    """The entity's tasks still asking for something, by due date then id."""
    return sorted((row for row in uow.tasks.of_entity(entity.kind, entity.id)
                   if row["state"] in _HELD), key=lambda row: (row["due"], row["id"]))


def _planned_sessions(uow: UnitOfWork, person: str) -> list[tuple[date, str, tuple[str, str]]]:
    found = uow.entities.listing(["session"], person=person)
    return [(date.fromisoformat(e.data["for_date"]), e.id,
             (e.data["supervisor"], e.data["supervisee"])) for e in found
            if e.state in ("planned", "rescheduled")]


__all__ = ["HORIZON_MONTHS", "SessionAhead", "sessions_ahead"]
