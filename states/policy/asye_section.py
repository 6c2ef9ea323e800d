"""The ASYE section of a policy: the phases of the enhanced supervision schedule, the reviews,
the final assessment and the portfolio evidence (national framework by default)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from oversight.states.policy.rules import Citation, Interval, Rule, Strict


class AsyePhase(Rule):
    phase: Literal["weekly", "fortnightly", "monthly"]
    every: Interval
    until: Interval | None = None
    """Counted from the start of the ASYE; the last phase has none."""


class AsyeReview(Rule):
    review: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    at: Interval


FRAMEWORK_EVIDENCE = Citation(
    source="national/asye-framework",
    section="Portfolio",
    quote="3 direct observations, 3 pieces of feedback from people who use services, 3 from other "
          "professionals, critical reflections at 6 and 12 months",
    note="The five policies leave the portfolio to the national framework; its numbers apply "
         "unless a policy file gives its own 'evidence'.",
)


class AsyeEvidence(Rule):
    """The portfolio the final assessment needs before it can be recorded as passed.

    Optional in a policy file: the national framework's numbers by default.
    """

    cite: Citation = FRAMEWORK_EVIDENCE
    direct_observations: int = Field(default=3, ge=0, le=50)
    service_user_feedback: int = Field(default=3, ge=0, le=50)
    """Pieces of feedback from people who use services (children, families, carers)."""
    professional_feedback: int = Field(default=3, ge=0, le=50)
    """Pieces of feedback from other professionals."""
    critical_reflections: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] = Field(
        default=["six_month", "twelve_month"])
    """The points at which a written critical reflection is due, one each."""

    @model_validator(mode="after")
    def _distinct_reflections(self) -> AsyeEvidence:
        if len(set(self.critical_reflections)) != len(self.critical_reflections):
            raise ValueError("critical_reflections must be distinct")
        return self


class Asye(Strict):
    phases: list[AsyePhase] = Field(min_length=1)
    reviews: list[AsyeReview] = []
    final: AsyeReview
    evidence: AsyeEvidence = AsyeEvidence()
    """The portfolio evidence (national framework by default)."""

    @model_validator(mode="after")
    def _phases_in_order(self) -> Asye:
        order = ["weekly", "fortnightly", "monthly"]
        names = [p.phase for p in self.phases]
        if names != sorted(names, key=order.index) or len(set(names)) != len(names):
            raise ValueError("phases must be distinct and in the order weekly, fortnightly, "
                             "monthly")
        if any(p.until is None for p in self.phases[:-1]):
            raise ValueError("every phase but the last needs 'until'")
        if self.phases[-1].until is not None:
            raise ValueError("the last phase runs to the end of the programme: remove its 'until'")
        return self


__all__ = ["FRAMEWORK_EVIDENCE", "Asye", "AsyeEvidence", "AsyePhase", "AsyeReview"]
