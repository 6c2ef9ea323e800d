"""Policy sections beyond the three first machines: sessions, child-specific supervision,
management oversight triggers, team activities and records retention."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from oversight.states.policy.rules import Deadline, Interval, Rule, Strict

CaseType = Literal[
    "early_help", "ifss", "youth_justice", "adolescent", "assessment", "family_safeguarding",
    "cin", "cp", "cla", "cwd", "care_leaver", "fostering", "private_fostering", "kinship", "sgo",
    "form_f", "foster_carer", "quality_assurance", "independent_review",
]
Plan = Literal["cin", "cp", "cla"]
Slug = Field(pattern=r"^[a-z][a-z0-9_]*$")


class Recording(Rule):
    """How soon a session's record must be written (and signed)."""

    within: Interval
    signed_by_both: bool = False
    sign_within: Interval | None = None
    """Counted from the session; defaults to ``within``."""


class Cancellation(Rule):
    """A cancelled session must be rescheduled (hull §3)."""

    reschedule_within: Interval
    after_sickness_within: Interval | None = None
    """Counted from the return to work when the cancellation was for sickness."""


class SessionLength(Rule):
    minimum_minutes: int = Field(gt=0, le=600)


class Preparation(Rule):
    """Something finalised before a planned session (surrey §4.3: workbook 2–4 days before)."""

    before: Interval


class Sessions(Strict):
    recording: Recording | None = None
    cancellation: Cancellation | None = None
    length: SessionLength | None = None
    preparation: Preparation | None = None


class CaseCadence(Rule):
    """Child-specific supervision for one case type or service."""

    case_type: CaseType
    every: Interval
    high_risk: Interval | None = None
    """The closer interval when the case is high risk (devon §5.1)."""
    if_assessed: Interval | None = None
    """The longer interval when assessed as appropriate (surrey §4.1: CWD 6-monthly)."""
    first_after: Interval | None = None
    """When the first discussion falls due, from allocation (surrey §4.1: assessment service)."""
    plan_overrides: bool = False
    """A CIN, CP or CLA plan replaces this cadence with the plan's (surrey §4.1: CWD)."""


class NewAllocation(Rule):
    """A discussion and a manager's case note when a child is allocated (devon §5.1)."""

    discussion_within: Interval
    manager_case_note: bool = True


class Coverage(Rule):
    """What each supervision session must cover (sunderland §5.3 and §6, systemic §6)."""

    every_session: list[Literal["unborn", "under_2", "all_open"]] = []
    share_per_session: float | None = Field(default=None, gt=0, le=1)
    whole_caseload_every: Interval | None = None


class PermanencePlan(Rule):
    """A looked-after child's plan for permanence discussed in supervision before the LAC review
    it goes to (sunderland §6: "Plan for permanence at 4 month LAC Review")."""

    before: Interval
    """Counted from the day the child became looked after (case type or plan CLA)."""


class ChildSupervisionRules(Strict):
    cases: list[CaseCadence] = []
    plans: dict[Plan, CaseType] = {}
    """Which case rule a plan reverts to (for ``plan_overrides``)."""
    new_allocation: NewAllocation | None = None
    coverage: Coverage | None = None
    recording: Recording | None = None
    decisions_recorded: Deadline | None = None
    """Decisions onto the child's record (sunderland §5.3: within 24 hours)."""
    permanence_plan: PermanencePlan | None = None

    @model_validator(mode="after")
    def _one_rule_per_case_type(self) -> ChildSupervisionRules:
        types = [case.case_type for case in self.cases]
        if len(set(types)) != len(types):
            raise ValueError("each case_type may appear once")
        missing = [plan for plan, case in self.plans.items() if case not in types]
        if missing:
            raise ValueError(f"plans {missing} point at case types with no rule")
        return self


class OversightTrigger(Rule):
    trigger: str = Slug
    within: Interval | None = None
    """Overrides the section's ``within`` for this trigger."""


class ManagementOversightRules(Strict):
    """Events that need a manager's recorded oversight on the child's record."""

    within: Interval
    triggers: list[OversightTrigger] = Field(min_length=1)


class TeamActivity(Rule):
    """A recurring activity of a team, a supervisor or each member of staff."""

    activity: str = Slug
    every: Interval
    per: Literal["team", "supervisor", "staff_member", "authority"]
    first_within: Interval | None = None
    """When the first falls due, from the start, if not one interval on (surrey §4.3: a plan of
    sessions is made at the start, then renewed)."""
    in_month: int | None = Field(default=None, ge=1, le=12)
    """The month of the year it falls due in, for a yearly activity tied to the calendar
    (sunderland §4.3: the supervision schedule "must be prepared in January")."""


class Retention(Rule):
    """The supervision file when a supervisee moves or leaves (hull §3)."""

    archive_within: Interval
    destroy_after: Interval
    transfer_on_move: bool = True


__all__ = [
    "CaseType", "Plan", "Recording", "Cancellation", "SessionLength", "Preparation",
    "Sessions",
    "CaseCadence", "NewAllocation", "Coverage", "ChildSupervisionRules", "OversightTrigger",
    "PermanencePlan",
    "ManagementOversightRules", "TeamActivity", "Retention",
]
