"""When an allocated child must next be discussed: the cadence in force for its case type, risk
and plan, the next discussion's due date, and what a personal supervision session must cover.

The base of :class:`~oversight.states.machines.child_supervision.ChildSupervision`, which
handles the events; this module decides the dates (surrey §4.1, devon §5.1, sunderland §5.3, §6,
systemic §6 — see that class's docstring).
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date

from oversight.states.calendar import months_after
from oversight.states.errors import EventRejected
from oversight.states.machines.lifecycle import Lifecycle
from oversight.states.policy.practice_sections import CaseCadence, ChildSupervisionRules
from oversight.states.policy.rules import Interval
from oversight.states.values import Basis, RuleRef

_PREFIX = {"allocation_discussion": "allocation", "manager_case_note": "case_note",
           "child_discussion": "discussion", "caseload_coverage": "coverage",
           "missed_discussion": "missed", "child_supervision_record": "record",
           "decisions_on_record": "decisions", "permanence_discussion": "permanence"}
_VARIANT = {"every": "", "high_risk": " (high risk)",
            "if_assessed": " (assessed for the longer interval)"}


def sessions_per_cycle(share: float) -> int:
    """How many sessions in a row may pass over a child when each covers ``share`` of the caseload.

    A third (written 0.3333 or 0.33) gives 3: the child is due by the third session.
    """
    exact = 1 / share
    nearest = round(exact)
    return max(1, nearest if abs(exact - nearest) < 0.05 else math.ceil(exact))


class ChildCadence(Lifecycle):
    """The policy's child-specific rules for one child, and when its next discussion is due."""

    @property
    def subject(self) -> str:
        return f"child:{self.data['child']}"

    @property
    def rules(self) -> ChildSupervisionRules:
        rules = self.policy.child_supervision
        if rules is None:
            raise EventRejected(str(self.ref), self.state, self._cause.partition(":")[2],
                                f"the {self.policy.authority} policy (version "
                                f"{self.policy.version}) has no child-specific supervision rules "
                                f"('child_supervision')")
        return rules

    def _cadence(self) -> tuple[Interval, str, CaseCadence, RuleRef] | None:
        """The interval in force, its variant, the case rule and its citation; None if none."""
        rules = self.rules
        by_type = {case.case_type: case for case in rules.cases}
        case = by_type.get(self.data["case_type"])
        if case is None:
            return None
        plan = self.data["plan"]
        if case.plan_overrides and plan in rules.plans:
            case = by_type[rules.plans[plan]]  # surrey §4.1: a CWD with a plan reverts to it
        if self.data["risk"] == "high" and case.high_risk is not None:
            interval, variant = case.high_risk, "high_risk"
        elif self.data["assessed_longer"] and case.if_assessed is not None:
            interval, variant = case.if_assessed, "if_assessed"
        else:
            interval, variant = case.every, "every"
        return interval, variant, case, self.cite(f"child_supervision.cases.{case.case_type}",
                                                  case.cite)

    def _replan(self) -> None:
        """Open, reschedule or replace the next discussion for the cadence now in force."""
        held = self.tasks_where(type="child_discussion")
        found = self._cadence()
        if found is None:
            self.data["cadence"] = None
            self.withdraw_tasks(held)
            return
        interval, variant, case, rule = found
        cadence = {"rule": f"{rule.rule}.{variant}", "case_type": case.case_type,
                   "every": interval.describe() + _VARIANT[variant]}
        if cadence != self.data["cadence"]:
            self.data["cadence"] = cadence
            self.record(f"discussed every {cadence['every']}", rule)
        basis = self._due(interval, variant, case)
        if held and all(self.data["tasks"][k]["state"] != "open" for k in held):
            return  # already missed: due at once until the child is discussed
        if held:
            task = self.data["tasks"][held[0]]
            if task["rule"]["rule"] == rule.rule and task["assignee"] == self.data["manager"]:
                if task["due"] != basis.result.isoformat():
                    self.reschedule_task(held[0], basis.result)
                return
            self.withdraw_tasks(held)  # another rule applies now: the task cites the new one
        self._open("child_discussion", assignee=self.data["manager"], role="supervisor",
                   basis=basis, rule=rule)

    def _due(self, interval: Interval, variant: str, case: CaseCadence) -> Basis:
        last = self.data["last_discussed"]
        allocated = date.fromisoformat(self.data["allocated"])
        if last is not None:
            basis = interval.basis(date.fromisoformat(last), self.calendar)
        elif case.first_after is not None:
            basis = case.first_after.basis(allocated, self.calendar)
        else:
            basis = interval.basis(allocated, self.calendar)
        basis = dataclasses.replace(basis, interval=basis.interval + _VARIANT[variant])
        if basis.result < self.today:
            # A closer interval that has already run out since the last discussion: due now.
            return Basis(self.today, f"at once ({basis.explain()} has passed)", self.today)
        return basis

    def _open_coverage(self, since: date) -> None:
        coverage = self.rules.coverage
        if coverage is None or coverage.whole_caseload_every is None:
            return
        self._open("caseload_coverage", assignee=self.data["manager"], role="supervisor",
                   basis=coverage.whole_caseload_every.basis(since, self.calendar),
                   rule=self.cite("child_supervision.coverage", coverage.cite))

    def _required_at(self, day: date) -> list[str]:
        """Why the policy required this child at a session on ``day``; empty if it did not."""
        coverage = self.rules.coverage
        assert coverage is not None
        reasons = []
        if "all_open" in coverage.every_session:
            reasons.append("every open case at every session")
        if "unborn" in coverage.every_session and self.data["unborn"]:
            reasons.append("unborn: at every session")
        born = self.data["born"]
        if "under_2" in coverage.every_session and born is not None \
                and day < months_after(date.fromisoformat(born), 24):
            reasons.append("under 2: at every session")
        if coverage.share_per_session is not None:
            cycle = sessions_per_cycle(coverage.share_per_session)
            if self.data["sessions_missed"] >= cycle:
                reasons.append(f"not discussed at {self.data['sessions_missed']} sessions in a row "
                               f"(a share of {coverage.share_per_session:g} a session)")
        return reasons

    def _open_permanence(self, on: date) -> None:
        """Sunderland §6: once the child is looked after, its plan for permanence is discussed
        before the LAC review (one task per time in care; any discussion of the child meets it)."""
        permanence = self.rules.permanence_plan
        looked_after = "cla" in (self.data["case_type"], self.data["plan"])
        if permanence is None or not looked_after or self.data.get("looked_after_from"):
            if not looked_after:
                self.data.pop("looked_after_from", None)
            return
        self.data["looked_after_from"] = on.isoformat()
        self._open("permanence_discussion", assignee=self.data["manager"], role="supervisor",
                   basis=permanence.before.basis(on, self.calendar),
                   rule=self.cite("child_supervision.permanence_plan", permanence.cite))

    def _open(self, type: str, *, assignee: str, role: str, basis: Basis, rule: RuleRef) -> None:
        self.data["seq"] += 1
        self.open_task(f"{_PREFIX[type]}:{self.data['seq']}", type, assignee=assignee, role=role,
                       basis=basis, rule=rule, subject=self.subject)

    def _governing_rule(self) -> RuleRef | None:
        """The rule that times this child's discussions: its case cadence, else coverage."""
        found = self._cadence()
        if found is not None:
            return found[3]
        coverage = self.rules.coverage
        return self.cite("child_supervision.coverage", coverage.cite) if coverage else None
