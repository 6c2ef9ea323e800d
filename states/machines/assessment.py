"""The Child and Family Assessment and the management oversight it needs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from oversight.states.errors import EventRejected
from oversight.states.events import (
    AssessmentCompleted,
    AssessmentExtended,
    AssessmentStarted,
    DomainEvent,
    OversightRecorded,
)
from oversight.states.machines.lifecycle import Lifecycle

_OPEN = ["allocated", "in_progress", "due", "extended", "overdue"]


class ChildAndFamilyAssessment(Lifecycle):
    """A Child and Family Assessment from allocation to completion.

    Implements surrey §4.1 "Management Oversight" for C&F assessments: oversight at the point of
    allocation / decision to assess, at day 10, past day 20 and at day 35 (completion or the
    decision to extend to 45 working days), all counted in working days from the start (day 0).
    Day 45 is the statutory maximum (Working Together 2023), after which the assessment is
    ``overdue``. The points and their days come from ``assessment`` in the policy file.

    allocated → in_progress (oversight recorded) → due (day 35) → completed; or extended (a recorded
    decision) → completed by day 45; overdue when day 45 passes.
    """

    kind = "assessment"
    states = ["allocated", "in_progress", "due", "extended", "overdue", "completed"]
    initial = "allocated"
    final_states = frozenset({"completed"})
    creates_on = "assessment_started"
    transitions = [
        {"trigger": "begin_work", "source": "allocated", "dest": "in_progress"},
        {"trigger": "reach_day35", "source": ["allocated", "in_progress"], "dest": "due"},
        {"trigger": "extend", "source": ["allocated", "in_progress", "due"], "dest": "extended"},
        {"trigger": "complete", "source": _OPEN, "dest": "completed"},
        {"trigger": "overrun", "source": ["allocated", "in_progress", "due", "extended"],
         "dest": "overdue"},
        # Oversight is recorded in every state, including after completion (the day-35 point).
        {"trigger": "note_oversight", "source": _OPEN + ["completed"], "dest": None},
    ]

    @property
    def started(self) -> date:
        return date.fromisoformat(self.data["started"])

    @property
    def subject(self) -> str:
        return f"child:{self.data['child']}"

    @classmethod
    def people(cls, data: dict) -> tuple[str, str | None]:
        return data["child"], data["worker"]

    def start(self, event: DomainEvent) -> None:
        assert isinstance(event, AssessmentStarted)
        rules = self.policy.assessment
        self.data.update(child=event.child, worker=event.worker, manager=event.manager,
                         started=event.on.isoformat(), extended=False)
        for point in rules.oversight_points:
            self.open_task(
                f"mo:{point.point}", "management_oversight", assignee=event.manager,
                role="manager", basis=point.due.basis(event.on, self.calendar),
                rule=self.cite(f"assessment.oversight_points.{point.point}", point.cite),
                subject=self.subject)
        completion = rules.completion
        basis = completion.due.basis(event.on, self.calendar)
        rule = self.cite("assessment.completion", completion.cite)
        self.open_task("complete", "complete_assessment", assignee=event.worker, role="worker",
                       basis=basis, rule=rule, subject=self.subject)
        self.arm("day35", basis.result, rule, basis)
        limit = rules.extended_limit.due.basis(event.on, self.calendar)
        self.arm("limit", limit.result + timedelta(days=1),
                 self.cite("assessment.extended_limit", rules.extended_limit.cite), limit)
        self.record("allocated", self.cite("assessment.completion", completion.cite))

    def record_oversight(self, event: OversightRecorded) -> None:
        points = {p.point: p for p in self.policy.assessment.oversight_points}
        point = points.get(event.point)
        if point is None:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"unknown oversight point '{event.point}'; "
                                f"this policy has {', '.join(points)}")
        rule = self.cite(f"assessment.oversight_points.{point.point}", point.cite)
        self.close_tasks([f"mo:{point.point}"])
        if self.state == "allocated":
            self.step_to("begin_work", rule)
        else:
            self.step_to("note_oversight", rule)

    def record_extension(self, event: AssessmentExtended) -> None:
        limit = self.policy.assessment.extended_limit
        rule = self.cite("assessment.extended_limit", limit.cite)
        self.step_to("extend", rule)
        self.data["extended"] = True
        # The decision to extend is itself the oversight the day-35 point asks for.
        self.close_tasks(k for k in self.tasks_where(type="management_oversight")
                         if self._point(k).at_completion)
        self.withdraw_tasks(self.tasks_where(type="complete_assessment"))
        self.disarm("day35")
        self.open_task("complete:extended", "complete_assessment", assignee=self.data["worker"],
                       role="worker", basis=limit.due.basis(self.started, self.calendar),
                       rule=rule, subject=self.subject)

    def record_completion(self, event: AssessmentCompleted) -> None:
        rule = self.cite("assessment.completion", self.policy.assessment.completion.cite)
        self.step_to("complete", rule)
        self.close_tasks(self.tasks_where(type="complete_assessment"))
        # Oversight points not yet due are no longer needed, except the one recording completion.
        self.withdraw_tasks(
            k for k in self.tasks_where(type="management_oversight", state="open")
            if not self._point(k).at_completion
            and date.fromisoformat(self.data["tasks"][k]["due"]) > event.on)
        # The oversight recording completion falls due at completion, if that comes first.
        for key in self.tasks_where(type="management_oversight", state="open"):
            if self._point(key).at_completion and \
                    date.fromisoformat(self.data["tasks"][key]["due"]) > event.on:
                self.reschedule_task(key, event.on)
        self.disarm("day35")
        self.disarm("limit")

    def on_timer(self, name: str) -> None:
        if name == "day35" and self.may("reach_day35"):
            self.step_to("reach_day35", self.cite("assessment.completion",
                                                  self.policy.assessment.completion.cite))
        elif name == "limit" and self.may("overrun"):
            self.step_to("overrun", self.cite("assessment.extended_limit",
                                              self.policy.assessment.extended_limit.cite))

    def _point(self, key: str) -> Any:
        name = key.partition(":")[2]
        return next(p for p in self.policy.assessment.oversight_points if p.point == name)
