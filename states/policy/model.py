"""An authority's supervision policy as validated data.

A policy file is YAML (read by ``oversight.adapters.policy_files``); this module validates the
mapping. ``source:`` names the document and its sections; every rule carries ``cite: {section,
quote}`` (or a national ``source`` with the local passage ``adopted_by``) so that each timer and
task can say which text raised it. Unknown keys are refused, so a typo in a key fails loudly
instead of silently dropping a rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, get_args

from pydantic import Field, ValidationError, model_validator

from oversight.states.calendar import NonWorkingDay, Region, WorkingCalendar
from oversight.states.errors import PolicyError
from oversight.states.policy.asye_section import (
    FRAMEWORK_EVIDENCE,
    Asye,
    AsyeEvidence,
    AsyePhase,
    AsyeReview,
)
from oversight.states.policy.practice_sections import (
    ChildSupervisionRules,
    ManagementOversightRules,
    Retention,
    Sessions,
    TeamActivity,
)
from oversight.states.policy.rules import (
    Citation,
    Conflict,
    Deadline,
    Interval,
    Passage,
    Rule,
    Strict,
)
from oversight.states.values import RuleRef

__all__ = ["FRAMEWORK_EVIDENCE", "Asye", "AsyeEvidence", "AsyePhase", "AsyeReview", "Citation",
           "Conflict", "Interval", "Passage", "Policy", "PolicyDocument", "ROLES", "Role", "Rule"]

Role = Literal[
    "student",
    "asye",
    "qualified_social_worker",
    "family_support_worker",
    "practitioner",
    "residential",
    "manager",
    "senior_manager",
    "independent_chair",
    "lado",
    "returner",
]
ROLES: tuple[str, ...] = get_args(Role)
"""Every role a policy may time, in the order files and tables list them."""


class CadencePhase(Strict):
    every: Interval
    until: Interval
    """Counted from the supervisee's start (in post, or in the new role)."""


class Cadence(Rule):
    """A recurring obligation: the next one is due ``every`` after the last one held.

    ``initially`` gives closer intervals for the first weeks or months in post (devon §4.1: weekly
    for the first six weeks; hull §3: fortnightly for 3 months after a change of role).
    """

    every: Interval | None = None
    initially: list[CadencePhase] = []
    follows: Literal["asye"] | None = None
    """``asye``: the ASYE journey's phases set the cadence instead."""
    minimum_minutes: int | None = Field(default=None, gt=0, le=600)
    """Minutes of supervision due in each interval for this role, where the policy sets them
    (hull §3: students 1.5 hours a week); ``sessions.length`` applies otherwise."""
    after_absence: Interval | None = None
    """For the ``returner`` cadence: an absence at least this long puts a person back at work
    on it (hull §3: "returning to work following a career break or other long term absence");
    a ``role_changed`` always does."""

    @model_validator(mode="after")
    def _every_or_follows(self) -> Cadence:
        if (self.every is None) == (self.follows is None):
            raise ValueError("give either 'every' or 'follows: asye'")
        return self


class InductionReview(Rule):
    """The supervision level reviewed when the first weeks in post end (devon §4.1: weekly for
    the first six weeks "and then be reviewed to decide future levels of supervision")."""

    after: Interval
    """The end of the first weeks, counted from the supervisee's start in post."""
    within: Interval
    """How soon after that end the review is due; a session held from that end closes it."""


class PersonalSupervision(Strict):
    roles: dict[Role, Cadence] = Field(min_length=1)
    induction_review: InductionReview | None = None
    """Where the policy reviews the level of supervision after the first weeks in post."""


class OversightPoint(Rule):
    point: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    due: Interval
    """Counted from the day the assessment starts (day 0)."""
    at_completion: bool = False
    """The point records the completion or the extension: it stays due when the assessment ends
    early."""


class Assessment(Strict):
    oversight_points: list[OversightPoint] = []
    completion: Deadline
    extended_limit: Deadline

    @model_validator(mode="after")
    def _unique_points(self) -> Assessment:
        names = [p.point for p in self.oversight_points]
        if len(set(names)) != len(names):
            raise ValueError("oversight points must have distinct names")
        return self


class Agreement(Rule):
    sign_within: Interval
    review_every: Interval | None = None


class SupervisorAbsence(Rule):
    threshold: Interval
    """The absence must last longer than this before the response is due."""
    applies_to: Literal["any", "unplanned"] = "any"
    respond_within: Interval
    response: Literal[
        "arrange_alternative_supervision",
        "supervisee_reports_to_line_manager",
        "refer_to_line_manager",
    ]


class Eligibility(Rule):
    post_qualification: Interval


class Relationship(Strict):
    agreement: Agreement | None = None
    """None where the policy asks for no supervision agreement (systemic)."""
    supervisor_absence: SupervisorAbsence | None = None
    """None where the policy sets no rule for an absent supervisor (devon, systemic)."""
    supervisor_eligibility: Eligibility | None = None


class Escalation(Rule):
    chain: list[Literal["line_manager", "senior_manager"]] = Field(min_length=1)
    respond_within: Interval


class CalendarRules(Strict):
    region: Region = "england-and-wales"
    closures: list[date] = []
    non_working_day: NonWorkingDay = "next"
    """Where a deadline counted in days, weeks or months goes when it lands on a weekend, bank
    holiday or closure day: the ``next`` working day (DOMAIN.md's default, as statutory and court
    deadlines), the ``previous`` one, or ``none``. A rule (or one interval) may say otherwise."""


class PolicyDocument(Strict):
    """The document the rules are taken from: what a citation without ``source`` points into."""

    title: str = Field(min_length=3)
    date: str = Field(min_length=4)
    """As the document gives it (``December 2024``; ``undated`` when it gives none)."""
    sections: dict[str, str] = Field(min_length=1)
    """Its section numbers (``4.1``, ``Appendix 1``) with their headings; ``oversight policy
    lint`` refuses a citation of a section not listed here."""


class Policy(Strict):
    """One authority's rules, at one version."""

    authority: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str
    version: str
    effective_from: date
    source: PolicyDocument
    calendar: CalendarRules = CalendarRules()
    escalation: Escalation
    personal_supervision: PersonalSupervision
    asye: Asye
    assessment: Assessment
    relationship: Relationship
    sessions: Sessions = Sessions()
    child_supervision: ChildSupervisionRules | None = None
    management_oversight: ManagementOversightRules | None = None
    team_activities: list[TeamActivity] = []
    retention: Retention | None = None

    @classmethod
    def from_mapping(cls, data: Any, *, source: str) -> Policy:
        """Validate a parsed policy file; any fault raises one :class:`PolicyError`."""
        if not isinstance(data, dict):
            raise PolicyError(source, "", "a policy file must be a mapping of keys to values")
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            # A typo shows as an unknown key plus a missing one: name the key the person wrote.
            first = next((e for e in error.errors() if e["type"] == "extra_forbidden"),
                         error.errors()[0])
            key = _key_path(first["loc"])
            reason = first["msg"]
            if first["type"] == "extra_forbidden":
                reason = "unknown key (a typo?)"
            elif first["type"] == "missing":
                reason = "required key is missing"
            more = len(error.errors()) - 1
            if more:
                reason += f" (and {more} more problem{'s' if more > 1 else ''})"
            raise PolicyError(source, key, reason) from None

    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.calendar.region, frozenset(self.calendar.closures),
                               self.calendar.non_working_day)

    def cite(self, rule: str, citation: Citation) -> RuleRef:
        """A reference to one rule of this policy, for timers, tasks and the audit trail."""
        national = citation.national
        return RuleRef(
            authority=self.authority,
            section=citation.section,
            rule=rule,
            quote=citation.quote,
            version=self.version,
            source=national.short if national else "",
            adopted_by=citation.adopted_by.section if citation.adopted_by else "",
            note=citation.note or "",
        )

    def cadence_for(self, role: str) -> Cadence | None:
        # Any role name may be asked (the roles are a Literal): one the policy lacks is None.
        return self.personal_supervision.roles.get(role)  # type: ignore[call-overload]


def _key_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("function-after", "function-before") or "[" in str(part):
            continue  # pydantic's validator frames, not keys a person wrote
        else:
            path += f".{part}" if path else str(part)
    return path
