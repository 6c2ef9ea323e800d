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
from typing import Any

from sqlalchemy import Engine, or_, select

from oversight.adapters.store import tables as t
from oversight.states.calendar import months_after
from oversight.states.policy.model import Policy
from oversight.states.views.schedule import asye_interval, personal_interval, project

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


def sessions_ahead(engine: Engine, policy: Policy, person: str, *, today: date,
                   months: int = HORIZON_MONTHS) -> list[SessionAhead]:
    """``person``'s supervision sessions from ``today`` to ``months`` ahead, in date order
    (overdue ones first, on their due dates)."""
    until = months_after(today, months)
    calendar = policy.working_calendar()
    found: list[SessionAhead] = []
    with engine.connect() as connection:
        entities = _entities(connection, person)
        tasks = _open_tasks(connection, [(e["kind"], e["id"]) for e in entities])
        planned = _planned_sessions(connection, person)
        starts = {row.id: row.started for row in connection.execute(select(
            t.staff.c.id, t.staff.c.started).where(t.staff.c.id.in_(
                sorted({e["subject"] for e in entities}))))}
    for entity in entities:
        data = entity["data"]
        if entity["kind"] == "relationship":
            supervisor, supervisee, kind = data["supervisor"], data["supervisee"], \
                "personal_supervision"
            interval_on = personal_interval(policy, data["role"], starts.get(supervisee))
        else:
            supervisor, supervisee, kind = data["supervisor"], data["worker"], "asye_supervision"
            interval_on = asye_interval(policy, {name: date.fromisoformat(day) for name, day
                                                 in data["phase_starts"].items()})
        if interval_on is None:
            continue  # an ASYE's relationship: the journey keeps the cadence
        for task in tasks.get((entity["kind"], entity["id"]), []):
            if task["type"] != kind:
                continue
            booked = [(day, ident) for day, ident, pair in planned
                      if pair == (supervisor, supervisee)]
            for occurrence in project(task["due"], interval_on, today=today, until=until,
                                      calendar=calendar, planned=booked):
                found.append(SessionAhead(
                    on=occurrence.on, status=occurrence.status, supervisor=supervisor,
                    supervisee=supervisee, type=kind, entity=f"{entity['kind']}:{entity['id']}",
                    task=task["id"], rule=f"{task['authority']} §{task['section']}",
                    session=occurrence.session))
    return sorted(found, key=lambda s: (s.on, s.supervisee, s.supervisor, s.type))


def _entities(connection: Any, person: str) -> list[dict[str, Any]]:
    query = select(t.entities.c.kind, t.entities.c.id, t.entities.c.subject, t.entities.c.state,
                   t.entities.c.data).where(
        t.entities.c.kind.in_(["relationship", "asye"]),
        or_(t.entities.c.subject == person, t.entities.c.party == person))
    rows = [dict(row) for row in connection.execute(query.order_by(
        t.entities.c.kind, t.entities.c.id)).mappings()]
    return [row for row in rows
            if not (row["kind"] == "relationship" and row["state"] == "ended")
            and not (row["kind"] == "asye" and row["state"] in _ASYE_OVER)]


def _open_tasks(connection: Any, refs: list[tuple[str, str]]) -> dict[tuple[str, str],
                                                                        list[dict[str, Any]]]:
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for kind, ident in refs:
        rows = connection.execute(select(t.tasks).where(
            t.tasks.c.entity_kind == kind, t.tasks.c.entity_id == ident,
            t.tasks.c.state.in_(_HELD)).order_by(t.tasks.c.due, t.tasks.c.id)).mappings()
        found[(kind, ident)] = [dict(row) for row in rows]
    return found


def _planned_sessions(connection: Any, person: str) -> list[tuple[date, str, tuple[str, str]]]:
    rows = connection.execute(select(t.entities.c.id, t.entities.c.data).where(
        t.entities.c.kind == "session", t.entities.c.state.in_(["planned", "rescheduled"]),
        or_(t.entities.c.subject == person, t.entities.c.party == person)))
    return [(date.fromisoformat(row.data["for_date"]), row.id,
             (row.data["supervisor"], row.data["supervisee"])) for row in rows]


__all__ = ["HORIZON_MONTHS", "SessionAhead", "sessions_ahead"]
