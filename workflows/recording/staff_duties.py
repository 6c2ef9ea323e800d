"""Duties the policy asks of every member of staff, raised from the staff list itself.

A ``team_activities`` rule kept ``per: staff_member`` (devon §8: "Every staff member will have an
annual appraisal completed with their line manager") is owed by each person on the staff list,
so ``oversight duties`` (after importing staff) starts it for each of them (a
``team_activity_started`` with the line manager as lead), instead of a hand-made event per
person. Started on the later of the person's start and that day: the first is due one interval
after. Someone already keeping it, or with no line manager to lead it, is left as they are;
running it again changes nothing (each start has an event id).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from oversight.states.event_time import london_today
from oversight.states.events import TeamActivityStarted
from oversight.workflows.recording.service import OversightService
from oversight.workflows.recording.stepping import Outcome


def duty_events(service: OversightService, members: Iterable[tuple[str, date, str | None]], *,
                today: date) -> list[TeamActivityStarted]:
    """The starts owed for ``members`` (id, started, line manager) under today's policy."""
    policy = service.book.in_force(today)
    duties = [activity for activity in policy.team_activities if activity.per == "staff_member"]
    if not duties:
        return []
    people = list(members)
    with service.uow_factory() as uow:
        kept = {(activity.activity, person) for activity in duties for person, _, _ in people
                if uow.entities.get("team_activity", f"{activity.activity}:{person}")}
    return [TeamActivityStarted(on=max(started, today), activity=activity.activity,
                                owner=person, lead=manager,
                                event_id=f"staff-duty:{activity.activity}:{person}")
            for activity in duties for person, started, manager in people
            if manager and (activity.activity, person) not in kept and started <= today]


def start_staff_duties(service: OversightService, members: Iterable[tuple[str, date, str | None]],
                       *, now: datetime) -> Outcome:
    """Start every per-staff-member duty ``members`` do not keep yet, in one transaction."""
    events = duty_events(service, members, today=london_today(now))
    return service.record_all(events, now=now) if events else Outcome()


def start_for_staff_list(service: OversightService, *, now: datetime) -> Outcome:
    """:func:`start_staff_duties` for everyone on the store's staff list."""
    today = london_today(now)
    with service.uow_factory() as uow:
        managers = uow.staff.line_managers()
    return start_staff_duties(service, [(person, today, manager)
                                        for person, manager in sorted(managers.items())], now=now)


__all__ = ["duty_events", "start_for_staff_list", "start_staff_duties"]
