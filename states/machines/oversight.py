"""Management oversight a child's record needs when one of the policy's trigger events happens."""

from __future__ import annotations

from typing import Any

from oversight.states.errors import EventRejected
from oversight.states.events import DomainEvent, OversightRecorded, OversightTriggered
from oversight.states.machines.lifecycle import Lifecycle
from oversight.states.policy.practice_sections import OversightTrigger
from oversight.states.values import RuleRef, rule_from_dict


class ManagementOversight(Lifecycle):
    """The oversight owed on one child's record, one task per triggering event.

    Implements ``management_oversight`` of the policy: surrey §4.1 (at allocation; at a
    significant event or referral; after a conversation outside supervision; on news of elective
    home education, a vulnerable learner or low attendance) and devon §6 (new practitioner,
    significant incident, change of care plan, coming into care, court direction, escalation by
    an IRO or CP chair, return home, discussion outside supervision, change of threshold, new risk
    factors, ending a CP plan at first review, professional opinion, close/transfer/step to Early
    Help, drift or delay, performance gaps). Each ``oversight_triggered`` opens a task for the
    manager, due ``within`` (the trigger's own, or the section's); ``oversight_recorded`` with
    that trigger as its point closes the earliest one still owed.

    clear → awaiting (a trigger) → clear (every oversight owed is recorded).
    """

    kind = "oversight"
    states = ["clear", "awaiting"]
    initial = "clear"
    final_states = frozenset[str]()
    creates_on = "oversight_triggered"
    transitions = [
        {"trigger": "trigger", "source": "clear", "dest": "awaiting"},
        {"trigger": "trigger_more", "source": "awaiting", "dest": None},
        {"trigger": "record_last", "source": "awaiting", "dest": "clear"},
        {"trigger": "record_one", "source": "awaiting", "dest": None},
    ]

    @property
    def subject(self) -> str:
        return f"child:{self.data['child']}"

    @classmethod
    def people(cls, data: dict) -> tuple[str, str | None]:
        return data["child"], data.get("worker")

    @staticmethod
    def awaits(data: dict[str, Any], point: str) -> bool:
        """Whether a stored entity still owes an oversight for ``point`` (open or overdue)."""
        return any(task.get("trigger") == point for task in data["tasks"].values())

    def start(self, event: DomainEvent) -> None:
        assert isinstance(event, OversightTriggered)
        self.data.update(child=event.child, worker=event.worker, seq=0)
        self.record_trigger(event)

    def record_trigger(self, event: OversightTriggered) -> None:
        trigger, rule = self._trigger(event)
        self.step_to("trigger" if self.state == "clear" else "trigger_more", rule)
        rules = self.policy.management_oversight
        assert rules is not None
        within = trigger.within or rules.within
        if event.worker is not None:
            self.data["worker"] = event.worker
        self.data["seq"] += 1
        key = f"mo:{trigger.trigger}:{self.data['seq']}"
        self.open_task(key, "management_oversight", assignee=event.manager, role="manager",
                       basis=within.basis(event.on, self.calendar), rule=rule, subject=self.subject)
        self.data["tasks"][key]["trigger"] = trigger.trigger

    def record_oversight(self, event: OversightRecorded) -> None:
        owed = sorted(self.tasks_where(trigger=event.point),
                      key=lambda k: (self.data["tasks"][k]["due"], int(k.rpartition(":")[2])))
        if not owed:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"no oversight is owed for '{event.point}'")
        rule = rule_from_dict(self.data["tasks"][owed[0]]["rule"])
        left = [k for k in self.tasks_where(type="management_oversight") if k != owed[0]]
        self.step_to("record_one" if left else "record_last", rule)
        self.close_tasks(owed[:1])

    def _trigger(self, event: OversightTriggered) -> tuple[OversightTrigger, RuleRef]:
        rules = self.policy.management_oversight
        if rules is None:
            raise EventRejected(str(self.ref), self.state, event.type,
                                "this policy has no management oversight rules")
        known = {t.trigger: t for t in rules.triggers}
        trigger = known.get(event.trigger)
        if trigger is None:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"unknown trigger '{event.trigger}'; this policy has "
                                f"{', '.join(known)}")
        return trigger, self._cite(trigger.trigger)

    def _cite(self, name: str) -> RuleRef:
        rules = self.policy.management_oversight
        assert rules is not None
        trigger = next(t for t in rules.triggers if t.trigger == name)
        return self.cite(f"management_oversight.triggers.{name}", trigger.cite)
