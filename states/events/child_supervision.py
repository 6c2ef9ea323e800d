"""Events about one allocated child, for child-specific supervision (``ChildSupervision``).

Past tense, identifiers only, like every event (:mod:`oversight.states.events.base`). A personal
supervision session that lists the children discussed (``SupervisionHeld.children_discussed``)
counts as a discussion of each child listed, exactly as a ``ChildSupervisionHeld`` for it does.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, model_validator

from oversight.states.events.base import DomainEvent, Flag, Identifier, dates_out_of_order
from oversight.states.events.declaration import EventType, Reaches, by_rule
from oversight.states.policy.practice_sections import CaseType

Risk = Literal["standard", "high"]
PlanOrNone = Literal["none", "cin", "cp", "cla"]


class ChildAllocated(DomainEvent):
    """A child (or carer) is allocated to a worker, supervised by a manager."""

    type: Literal["child_allocated"] = "child_allocated"
    child: Identifier
    worker: Identifier
    manager: Identifier
    """The worker's supervisor for this child: child-specific discussions are theirs to hold."""
    case_type: CaseType
    risk: Risk = "standard"
    """``high``: the policy's closer interval applies (devon §5.1 "high risk/concern monthly")."""
    plan: PlanOrNone = "none"
    assessed_longer: Flag = False
    """Assessed as suitable for the longer interval (surrey §4.1: CWD "6 monthly if assessed")."""
    born: date | None = None
    unborn: Flag = False

    # Said in the OpenAPI document too (issue 20): not both a birth date and unborn.
    model_config = ConfigDict(json_schema_extra={"not": {
        "required": ["born", "unborn"],
        "properties": {"born": {"type": "string"}, "unborn": {"const": True}}}})

    @model_validator(mode="after")
    def _born_or_unborn(self) -> ChildAllocated:
        if self.unborn and self.born is not None:
            raise ValueError("give either 'born' or 'unborn: true', not both")
        if self.born is not None and self.born > self.on:
            raise dates_out_of_order("'born' is after the allocation: an unborn child is "
                                     "'unborn: true'")
        return self


class CaseDetailsChanged(DomainEvent):
    """The case type, risk, plan or assessment changed, or an unborn child was born."""

    type: Literal["case_details_changed"] = "case_details_changed"
    child: Identifier
    case_type: CaseType | None = None
    risk: Risk | None = None
    plan: PlanOrNone | None = None
    assessed_longer: Flag | None = None
    born: date | None = None
    """The birth of a child allocated unborn."""

    # Said in the OpenAPI document too (issue 20): at least one of them, not null.
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": [name], "properties": {name: {"not": {"type": "null"}}}}
        for name in ("case_type", "risk", "plan", "assessed_longer", "born")]})

    @model_validator(mode="after")
    def _something_changed(self) -> CaseDetailsChanged:
        fields = (self.case_type, self.risk, self.plan, self.assessed_longer, self.born)
        if all(value is None for value in fields):
            raise ValueError("give at least one of case_type, risk, plan, assessed_longer, born")
        if self.born is not None and self.born > self.on:
            raise dates_out_of_order("'born' is after the day of the change")
        return self


class ChildReallocated(DomainEvent):
    """The child moves to another worker (and, if given, another supervising manager)."""

    type: Literal["child_reallocated"] = "child_reallocated"
    child: Identifier
    worker: Identifier
    manager: Identifier | None = None


class AllocationDiscussed(DomainEvent):
    """Supervisor and worker discussed the work a new allocation needs (devon §5.1)."""

    type: Literal["allocation_discussed"] = "allocation_discussed"
    child: Identifier


class ManagerCaseNoteRecorded(DomainEvent):
    """The manager's case note of the allocation discussion is on the record (devon §5.1)."""

    type: Literal["manager_case_note_recorded"] = "manager_case_note_recorded"
    child: Identifier


class ChildSupervisionHeld(DomainEvent):
    """A child-specific supervision discussion of one child with its worker."""

    type: Literal["child_supervision_held"] = "child_supervision_held"
    child: Identifier
    worker: Identifier
    supervisor: Identifier | None = None
    """Who held it, when not the child's manager (devon §5.3: ad hoc, another manager)."""
    recorded: Flag = False
    """Recorded on the child's record at the time (devon §5.3's expected standard): no
    recording task follows."""
    decisions_made: Flag = True
    """Decisions to transfer onto the case record (sunderland §5.3)."""


class ChildSupervisionRecorded(DomainEvent):
    """The discussion and its decisions are on the child's record (devon §5.3, sunderland §5.3)."""

    type: Literal["child_supervision_recorded"] = "child_supervision_recorded"
    child: Identifier


class CaseClosed(DomainEvent):
    """The child's case is closed: no more discussions are due."""

    type: Literal["case_closed"] = "case_closed"
    child: Identifier


DECLARED: tuple[EventType, ...] = (
    EventType(ChildAllocated, (
        Reaches("child_supervision", by_rule("allocated"), starts=True),
    )),
    EventType(CaseDetailsChanged, (
        Reaches("child_supervision", by_rule("allocated_child"), handler="record_details"),
    )),
    EventType(ChildReallocated, (
        Reaches("child_supervision", by_rule("reallocated"), handler="record_reallocation"),
    )),
    EventType(AllocationDiscussed, (
        Reaches("child_supervision", by_rule("allocated_child"),
                handler="record_allocation_discussion"),
    )),
    EventType(ManagerCaseNoteRecorded, (
        Reaches("child_supervision", by_rule("child_record"), handler="record_case_note"),
    )),
    EventType(ChildSupervisionHeld, (
        Reaches("child_supervision", by_rule("allocated_child"), handler="record_discussion"),
    )),
    EventType(ChildSupervisionRecorded, (
        Reaches("child_supervision", by_rule("child_record"), handler="record_on_file"),
    )),
    EventType(CaseClosed, (
        Reaches("child_supervision", by_rule("allocated_child"), handler="record_closure"),
    )),
)
"""This lifecycle's event types, each declared once (:mod:`oversight.states.events.declaration`)."""
