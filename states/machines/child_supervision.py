"""Child-specific supervision of one allocated child: the events that discuss, reallocate,
record and close it (when it is next due: :mod:`oversight.states.machines.child_cadence`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from oversight.states.errors import EventRejected
from oversight.states.events import DomainEvent, SupervisionHeld
from oversight.states.events.child_supervision import (
    AllocationDiscussed,
    CaseClosed,
    CaseDetailsChanged,
    ChildAllocated,
    ChildReallocated,
    ChildSupervisionHeld,
    ChildSupervisionRecorded,
    ManagerCaseNoteRecorded,
)
from oversight.states.machines.child_cadence import ChildCadence, sessions_per_cycle
from oversight.states.values import Basis, RuleRef, rule_from_dict

__all__ = ["ChildSupervision", "sessions_per_cycle"]  # the policy comparison counts sessions


_LIVE = ["allocated", "supervised", "overdue"]
DISCUSSIONS = (
    "allocation_discussion", "child_discussion", "caseload_coverage", "missed_discussion",
    "permanence_discussion")
"""Task types a discussion of the child fulfils; a breach of one makes the child ``overdue``."""
RECORDS = ("child_supervision_record", "decisions_on_record")


class ChildSupervision(ChildCadence):
    """The child-specific (individual child/carer) supervision one allocated child needs.

    Implements the child-specific cadence by service or case type and risk (surrey §4.1
    "Individual Child/Carer Supervision": the assessment service's first discussion once the child
    has been open 20 working days, CWD 3-monthly or 6-monthly if assessed so, reverting to the
    matching rule when a CIN, CP or CLA plan starts; devon §5.1 table incl. "high risk/concern
    monthly"), the discussion and manager case note a new allocation needs (devon §5.1), recording
    on the child's record within 72 hours (devon §5.3) and decisions onto the case record within
    24 hours (sunderland §5.3), and what each personal supervision session must cover: every
    unborn child and child under 2 (sunderland §6), a third of the caseload so the whole of it
    each quarter (sunderland §5.3), every open case (systemic §6). The rules come from
    ``child_supervision`` in the policy file.

    allocated (the allocation discussion pending) → supervised ⇄ overdue (a discussion missed its
    date) … → closed. A discussion — ``child_supervision_held``, ``allocation_discussed``, or a
    ``supervision_held`` listing the child — closes every discussion due and opens the next one,
    one interval after it; a change of case type, risk, plan or worker recomputes it.
    """

    kind = "child_supervision"
    states = [*_LIVE, "closed"]
    initial = "allocated"
    final_states = frozenset({"closed"})
    creates_on = "child_allocated"
    transitions = [
        {"trigger": "supervise", "source": "allocated", "dest": "supervised"},
        {"trigger": "discuss", "source": _LIVE, "dest": "supervised"},
        {"trigger": "fall_overdue", "source": ["allocated", "supervised"], "dest": "overdue"},
        {"trigger": "reallocate", "source": _LIVE, "dest": "allocated"},
        {"trigger": "hand_over", "source": _LIVE, "dest": None},
        {"trigger": "change_details", "source": _LIVE, "dest": None},
        {"trigger": "pass_over", "source": _LIVE, "dest": None},
        {"trigger": "note_record", "source": [*_LIVE, "closed"], "dest": None},
        {"trigger": "close", "source": _LIVE, "dest": "closed"},
    ]

    @classmethod
    def people(cls, data: dict) -> tuple[str, str | None]:
        return data["child"], data["worker"]

    # ----- events --------------------------------------------------------------------------------

    def start(self, event: DomainEvent) -> None:
        assert isinstance(event, ChildAllocated)
        rules = self.rules
        self.data.update(
            child=event.child, worker=event.worker, manager=event.manager,
            case_type=event.case_type, risk=event.risk, plan=event.plan,
            assessed_longer=event.assessed_longer,
            born=event.born.isoformat() if event.born else None, unborn=event.unborn,
            allocated=event.on.isoformat(), last_discussed=None, sessions_missed=0, seq=0,
            cadence=None)
        self._check_case_type()
        if rules.new_allocation is not None:
            self._open_allocation_tasks()
            self.record("allocated", self._allocation_rule())
        else:
            self.step_to("supervise", self._governing_rule())
        self._replan()
        self._open_coverage(event.on)
        self._open_permanence(event.on)

    def record_details(self, event: CaseDetailsChanged) -> None:
        changed = {name: getattr(event, name) for name in
                   ("case_type", "risk", "plan", "assessed_longer")
                   if getattr(event, name) is not None and getattr(event, name) != self.data[name]}
        if event.born is not None and (self.data["unborn"] or
                                       self.data["born"] != event.born.isoformat()):
            changed.update(born=event.born.isoformat(), unborn=False)
        if not changed:
            raise EventRejected(str(self.ref), self.state, event.type,
                                "nothing changed: the case already has these details")
        self.data.update(changed)
        self._check_case_type()
        self.step_to("change_details", self._governing_rule())
        self._replan()
        self._open_permanence(event.on)

    def record_reallocation(self, event: ChildReallocated) -> None:
        manager = event.manager or self.data["manager"]
        if event.worker == self.data["worker"] and manager == self.data["manager"]:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"already allocated to {event.worker} under {manager}")
        rules = self.rules
        previous = self.data["manager"]
        self.data.update(worker=event.worker, manager=manager)
        if rules.new_allocation is not None:
            # The new allocation needs its own discussion and case note; undiscussed ones lapse.
            self.withdraw_tasks(self._undiscussed_allocations())
            self.step_to("reallocate", self._allocation_rule())
            self._open_allocation_tasks()
        else:
            self.step_to("hand_over", self._governing_rule())
        if manager != previous:
            self._hand_over(previous)
        self._replan()

    def record_allocation_discussion(self, event: AllocationDiscussed) -> None:
        if not self.tasks_where(type="allocation_discussion"):
            reason = "no allocation discussion is due" if self.rules.new_allocation else \
                f"the {self.policy.authority} policy has no new-allocation rule"
            raise EventRejected(str(self.ref), self.state, event.type, reason)
        self._discussed(event.on, supervisor=None, recorded=True, decisions=False)

    def record_case_note(self, event: ManagerCaseNoteRecorded) -> None:
        held = self.tasks_where(type="manager_case_note")
        if not held:
            raise EventRejected(str(self.ref), self.state, event.type,
                                "no manager case note is due")
        self.step_to("note_record", self._allocation_rule())
        self.close_tasks(held)

    def record_discussion(self, event: ChildSupervisionHeld) -> None:
        if event.worker != self.data["worker"]:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"{event.worker} is not the allocated worker "
                                f"({self.data['worker']})")
        self._discussed(event.on, supervisor=event.supervisor, recorded=event.recorded,
                        decisions=event.decisions_made)

    def record_session(self, event: SupervisionHeld) -> None:
        """A personal supervision session of the child's worker, listing the children discussed."""
        rules = self.rules
        if event.supervisee != self.data["worker"]:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"a session of {event.supervisee}; the child is allocated to "
                                f"{self.data['worker']}")
        if event.children_discussed is None:
            self.note("the session does not list the children discussed: nothing to check")
            return
        if self.data["child"] in event.children_discussed:
            self._discussed(event.on, supervisor=event.supervisor, recorded=False, decisions=True)
            return
        coverage = rules.coverage
        if coverage is None:
            return  # this policy asks nothing of a session about this child
        rule = self.cite("child_supervision.coverage", coverage.cite)
        self.data["sessions_missed"] += 1
        self.step_to("pass_over", rule)
        reasons = self._required_at(event.on)
        if not reasons:
            return
        if self.tasks_where(type="missed_discussion"):
            self.record(f"missed again at a session: {'; '.join(reasons)}", rule)
            return  # one outstanding catch-up per child: it already says to discuss the child
        self.data["seq"] += 1
        self.open_task(f"missed:{self.data['seq']}", "missed_discussion", assignee=event.supervisor,
                       role="supervisor", rule=rule, subject=self.subject,
                       basis=Basis(event.on, f"at the session ({'; '.join(reasons)})", event.on))

    def record_on_file(self, event: ChildSupervisionRecorded) -> None:
        held = [k for k in self.data["tasks"] if self.data["tasks"][k]["type"] in RECORDS]
        if not held:
            raise EventRejected(str(self.ref), self.state, event.type,
                                "no supervision record or decisions are due on the child's record")
        self.step_to("note_record", rule_from_dict(self.data["tasks"][held[0]]["rule"]))
        self.close_tasks(held)

    def record_closure(self, event: CaseClosed) -> None:
        self.step_to("close", self._governing_rule())
        # No more discussions; what was discussed must still reach the child's record.
        self.withdraw_tasks(self._undiscussed_allocations() + [
            key for key, task in self.data["tasks"].items() if task["type"] in DISCUSSIONS])

    # ----- timers ------------------------------------------------------------------------------

    def on_task_breached(self, key: str, task: dict[str, Any]) -> None:
        if task["type"] in DISCUSSIONS and self.may("fall_overdue"):
            self.step_to("fall_overdue", rule_from_dict(task["rule"]))

    # ----- internals ---------------------------------------------------------------------------

    def _discussed(self, on: date, *, supervisor: str | None, recorded: bool,
                   decisions: bool) -> None:
        rules = self.rules
        last = self.data["last_discussed"]
        if last is not None and on < date.fromisoformat(last):
            # Recorded late: an earlier discussion fulfils nothing the later one left open.
            self.step_to("note_record", self._governing_rule())
            self.note(f"a discussion of {on.isoformat()}, before the last one ({last})")
        else:
            self.close_tasks(k for k, task in list(self.data["tasks"].items())
                             if task["type"] in DISCUSSIONS)
            self.data.update(last_discussed=on.isoformat(), sessions_missed=0)
            self.step_to("discuss", self._governing_rule())
            self._replan()
            self._open_coverage(on)
        who = supervisor or self.data["manager"]
        if rules.recording is not None and not recorded:
            self._open("child_supervision_record", assignee=who, role="supervisor",
                       basis=rules.recording.within.basis(on, self.calendar),
                       rule=self.cite("child_supervision.recording", rules.recording.cite))
        if rules.decisions_recorded is not None and decisions:
            deadline = rules.decisions_recorded
            self._open("decisions_on_record", assignee=self.data["worker"], role="worker",
                       basis=deadline.due.basis(on, self.calendar),
                       rule=self.cite("child_supervision.decisions_recorded", deadline.cite))

    def _open_allocation_tasks(self) -> None:
        allocation = self.rules.new_allocation
        assert allocation is not None
        rule = self.cite("child_supervision.new_allocation", allocation.cite)
        basis = allocation.discussion_within.basis(self.today, self.calendar)
        self.data["seq"] += 1
        seq = self.data["seq"]
        self.open_task(f"allocation:{seq}", "allocation_discussion", assignee=self.data["manager"],
                       role="supervisor", basis=basis, rule=rule, subject=self.subject)
        if allocation.manager_case_note:
            self.open_task(f"case_note:{seq}", "manager_case_note", assignee=self.data["manager"],
                           role="manager", basis=basis, rule=rule, subject=self.subject)

    def _undiscussed_allocations(self) -> list[str]:
        """Allocation discussions not yet had, and the case notes that were to record them."""
        keys = self.tasks_where(type="allocation_discussion")
        seqs = {key.partition(":")[2] for key in keys}
        return keys + [key for key in self.tasks_where(type="manager_case_note")
                       if key.partition(":")[2] in seqs]

    def _hand_over(self, previous: str) -> None:
        """The new manager takes over the open discussions the previous one owed, dates kept."""
        for key in [k for k, task in list(self.data["tasks"].items())
                    if task["assignee"] == previous and task["state"] == "open"
                    and task["type"] in ("child_discussion", "caseload_coverage")]:
            task = self.data["tasks"][key]
            due = date.fromisoformat(task["due"])
            self.withdraw_tasks([key])
            self._open(task["type"], assignee=self.data["manager"], role=task["role"],
                       basis=Basis(self.today, f"handed over from {previous}, date kept", due),
                       rule=rule_from_dict(task["rule"]))

    def _check_case_type(self) -> None:
        rules = self.rules
        types = [case.case_type for case in rules.cases]
        if rules.cases and rules.coverage is None and self.data["case_type"] not in types:
            raise EventRejected(str(self.ref), self.state, self._cause.partition(":")[2],
                                f"the {self.policy.authority} policy times no child-specific "
                                f"supervision for case type '{self.data['case_type']}' "
                                f"(it has: {', '.join(types)})")

    def _allocation_rule(self) -> RuleRef | None:
        allocation = self.rules.new_allocation
        if allocation is None:
            return None
        return self.cite("child_supervision.new_allocation", allocation.cite)
