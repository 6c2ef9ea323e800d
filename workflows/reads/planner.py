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
from oversight.workflows.ports.store import StoredEntity, TaskRow, UnitOfWork, UnitOfWorkFactory

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
    obligation: str = ""
    """Which session of the series it is, whatever its date: the entity, the task type and the
    session's place among the entity's tasks of that type, the open one's and on from it
    (``relationship:tm1:sw1:personal_supervision:7``, the 7th). A calendar names its event by
    this, so a moved date stays the same event."""


def sessions_ahead(store: UnitOfWorkFactory, policy: Policy, person: str, *, today: date,
                   months: int = HORIZON_MONTHS) -> list[SessionAhead]:
    """``person``'s supervision sessions from ``today`` to ``months`` ahead, in date order
    (overdue ones first, on their due dates)."""
    until = months_after(today, months)
    calendar = policy.working_calendar()
    found: list[SessionAhead] = []
    with store() as uow:
        entities = _entities(uow, person)
        everything = {(e.kind, e.id): uow.tasks.of_entity(e.kind, e.id) for e in entities}
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
        for task in _open_tasks(everything[(entity.kind, entity.id)]):
            if task["type"] != kind:
                continue
            booked = [(day, ident) for day, ident, pair in planned
                      if pair == (supervisor, supervisee)]
            series = f"{entity.kind}:{entity.id}:{kind}"
            first = _place(task, everything[(entity.kind, entity.id)])
            for n, occurrence in enumerate(project(task["due"], interval_on, today=today,
                                                   until=until, calendar=calendar,
                                                   planned=booked), start=first):
                found.append(SessionAhead(
                    on=occurrence.on, status=occurrence.status, supervisor=supervisor,
                    supervisee=supervisee, type=kind, entity=f"{entity.kind}:{entity.id}",
                    task=task["id"], rule=cited(task["authority"], task["section"],
                                                (task.get("rule") or {}).get("source", ""),
                                                (task.get("rule") or {}).get("adopted_by", "")),
                    session=occurrence.session, obligation=f"{series}:{n}"))
    return sorted(found, key=lambda s: (s.on, s.supervisee, s.supervisor, s.type))


def published_sessions(store: UnitOfWorkFactory, policy: Policy, person: str, *, today: date,
                       months: int = HORIZON_MONTHS, record: bool = True
                       ) -> tuple[list[SessionAhead], dict[str, int]]:
    """``person``'s sessions ahead and each one's SEQUENCE (by obligation), as a calendar
    publishes them. ``record``: a moved date counts (today's calendar, the feed); otherwise
    the SEQUENCEs are only read (a calendar asked from another day, whose sessions after an
    overdue one fall elsewhere, must not move today's)."""
    sessions = sessions_ahead(store, policy, person, today=today, months=months)
    dated = {session.obligation: session.on for session in sessions}
    with store() as uow:
        if not record:
            return sessions, uow.calendar_events.known(dated)
        sequences = uow.calendar_events.published(dated)
        uow.commit()
    return sessions, sequences


def _place(task: TaskRow, tasks: list[TaskRow]) -> int:
    """Which of the entity's tasks of its type ``task`` is, counting from 1: the machines number
    an entity's tasks one after another (``supervision:6`` may follow ``agreement_review:5``),
    so the sessions are counted, not read from the id."""
    def number(row: TaskRow) -> int:
        place = str(row["id"]).rpartition(":")[2]
        return int(place) if place.isdigit() else 0

    return sum(1 for row in tasks if row["type"] == task["type"]
               and number(row) <= number(task))


def _entities(uow: UnitOfWork, person: str) -> list[StoredEntity]:
    """``person``'s live relationships and ASYE journeys, by kind then id."""
    found = uow.entities.listing(["relationship", "asye"], person=person)
    return sorted((e for e in found
                   if not (e.kind == "relationship" and e.state == "ended")
                   and not (e.kind == "asye" and e.state in _ASYE_OVER)),
                  key=lambda e: (e.kind, e.id))


def _open_tasks(tasks: list[TaskRow]) -> list[TaskRow]:
    """The entity's tasks still asking for something, by due date then id."""
    return sorted((row for row in tasks if row["state"] in _HELD),
                  key=lambda row: (row["due"], row["id"]))


def _planned_sessions(uow: UnitOfWork, person: str) -> list[tuple[date, str, tuple[str, str]]]:
    found = uow.entities.listing(["session"], person=person)
    return [(date.fromisoformat(e.data["for_date"]), e.id,
             (e.data["supervisor"], e.data["supervisee"])) for e in found
            if e.state in ("planned", "rescheduled")]


__all__ = ["HORIZON_MONTHS", "SessionAhead", "published_sessions", "sessions_ahead"]
