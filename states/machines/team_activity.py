"""A recurring activity of a team, a supervisor, a staff member or the authority."""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import date
from typing import Any

from oversight.states.errors import EventRejected, UnknownEntity
from oversight.states.events import TeamActivityHeld, TeamActivityStarted
from oversight.states.events.registry import DomainEvent
from oversight.states.machines.lifecycle import Lifecycle
from oversight.states.policy.practice_sections import TeamActivity
from oversight.states.policy.rules import deadline
from oversight.states.values import Basis, RuleRef

_MONTHS = list(_stdlib_calendar.month_name)


class TeamCadence(Lifecycle):
    """One of the policy's ``team_activities`` for one owner: each one held opens the next.

    Implements devon §7 (at least one group supervision a month per team), devon §8 (an annual
    appraisal for every staff member), hull §3 (a reflective discussion each month per team),
    hull §4 (peer observation of each supervisor, and of each team's reflective discussions, at
    least twice a year; the bi-annual report on supervision quality to the senior management
    team) and sunderland §4.3 (each supervisee's schedule for the year prepared in January). The
    first is due one ``every`` after the start (or, with ``in_month``, at the end of that month);
    each held opens the next, due one ``every`` after it.

    started → running (held) ⇄ overdue (a due date passed) … each held returns it to running.
    """

    kind = "team_activity"
    states = ["started", "running", "overdue"]
    initial = "started"
    final_states = frozenset[str]()
    creates_on = "team_activity_started"
    transitions = [
        {"trigger": "hold", "source": ["started", "running", "overdue"], "dest": "running"},
        {"trigger": "fall_behind", "source": ["started", "running"], "dest": "overdue"},
    ]

    @staticmethod
    def entity_id(activity: str, owner: str) -> str:
        return f"{activity}:{owner}"

    @property
    def subject(self) -> str:
        return f"{self.data['per']}:{self.data['owner']}"

    @classmethod
    def people(cls, data: dict) -> tuple[str, str | None]:
        return data["owner"], data["lead"]

    # ----- the events ---------------------------------------------------------------------------

    def start(self, event: DomainEvent) -> None:
        assert isinstance(event, (TeamActivityStarted, TeamActivityHeld))
        activity = self._activity(event)
        self.data.update(activity=activity.activity, owner=event.owner, per=activity.per,
                         lead=self._lead(event, activity), started=event.on.isoformat(), seq=0)
        if isinstance(event, TeamActivityHeld):
            self.record("first heard of when held", self._cite_activity(activity))
            self.record_held(event)
            return
        self.record("started", self._cite_activity(activity))
        self._open_next(event.on, first=True)

    def record_held(self, event: TeamActivityHeld) -> None:
        activity = self._activity(event)
        self.step_to("hold", self._cite_activity(activity))
        self.data["last_held"] = event.on.isoformat()
        self.close_tasks(self.tasks_where(type=activity.activity))
        self._open_next(event.on, first=False)

    def on_task_breached(self, key: str, task: dict[str, Any]) -> None:
        if task["type"] == self.data["activity"] and self.may("fall_behind"):
            self.step_to("fall_behind", self._cite_activity(self._activity(None)))

    # ----- helpers ------------------------------------------------------------------------------

    def _activity(self, event: DomainEvent | None) -> TeamActivity:
        # Only the team-activity events carry `activity`; the base event type does not say so.
        name = self.data.get("activity") or getattr(event, "activity")  # noqa: B009
        activities = {a.activity: a for a in self.policy.team_activities}
        if not activities:
            raise EventRejected(str(self.ref), self.state, getattr(event, "type", "timer"),
                                "this policy has no team activities")
        found = activities.get(name)
        if found is None:
            raise EventRejected(str(self.ref), self.state, getattr(event, "type", "timer"),
                                f"unknown activity '{name}'; this policy has "
                                f"{', '.join(activities)}")
        return found

    def _lead(self, event: TeamActivityStarted | TeamActivityHeld, activity: TeamActivity) -> str:
        """Who answers for it: the lead named, else the line manager of a person who owns it."""
        if activity.per in ("staff_member", "supervisor"):
            if self.directory.member(event.owner) is None:
                raise UnknownEntity(f"no staff member '{event.owner}': '{activity.activity}' is "
                                    f"kept per {activity.per.replace('_', ' ')}")
        if event.lead is not None:
            return event.lead
        if activity.per in ("staff_member", "supervisor"):
            return self.directory.line_manager_of(event.owner) or event.owner
        raise EventRejected(str(self.ref), self.state, event.type,
                            f"'{activity.activity}' is kept per {activity.per}: name its lead")

    def _cite_activity(self, activity: TeamActivity) -> RuleRef:
        return self.cite(f"team_activities.{activity.activity}", activity.cite)

    def _open_next(self, after: date, *, first: bool) -> None:
        activity = self._activity(None)
        if first and activity.first_within is not None:
            # Due soon after the start, then every interval (surrey §4.3: sessions planned ahead).
            basis = activity.first_within.basis(after, self.calendar)
        elif activity.in_month is None:
            basis = activity.every.basis(after, self.calendar)
        else:
            result = _end_of_month_after(after, activity.in_month, inclusive=first)
            month = _MONTHS[activity.in_month]
            basis = deadline(Basis(start=after, interval=f"to the end of the next {month}",
                                   result=result), self.calendar, activity.every.non_working_day)
        self.data["seq"] += 1
        self.open_task(f"{activity.activity}:{self.data['seq']}", activity.activity,
                       assignee=self.data["lead"], role="lead", basis=basis,
                       rule=self._cite_activity(activity), subject=self.subject)


def _end_of_month_after(day: date, month: int, *, inclusive: bool) -> date:
    """The last day of the next ``month``: the current one counts if ``inclusive`` (a start in
    January is due by the end of that January), not after it was held (held in January 2026,
    the next is due by the end of January 2027)."""
    year = day.year if (month > day.month or (inclusive and month == day.month)) else day.year + 1
    return date(year, month, _stdlib_calendar.monthrange(year, month)[1])
