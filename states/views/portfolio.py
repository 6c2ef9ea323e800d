"""The ASYE portfolio: evidence recorded as events, and what the final assessment still lacks.

One event, ``asye_evidence_recorded`` (:mod:`oversight.states.events.asye`), says which kind of
evidence went into the portfolio; the journey keeps each record (kind, day, and for a critical
reflection its point). The national framework asks for 3 direct observations, 3 pieces of
feedback from people who use services, 3 from other professionals and critical reflections at 6
and 12 months (``policy.asye.evidence``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oversight.states.policy.model import AsyeEvidence

LABELS = {
    "direct_observation": ("direct observation", "direct observations"),
    "service_user_feedback": ("piece of feedback from people who use services",
                              "pieces of feedback from people who use services"),
    "professional_feedback": ("piece of feedback from other professionals",
                              "pieces of feedback from other professionals"),
}


@dataclass(frozen=True)
class EvidenceCount:
    """One line of the portfolio: recorded against required."""

    kind: str
    label: str
    recorded: int
    required: int

    @property
    def short(self) -> int:
        return max(self.required - self.recorded, 0)


def point_label(point: str) -> str:
    """``six_month`` → ``six months``."""
    words = point.replace("_", " ")
    return words + "s" if words.endswith(" month") else words


def evidence_counts(requirement: AsyeEvidence, records: list[dict[str, Any]]
                    ) -> list[EvidenceCount]:
    """Recorded against required for each kind, then one line per critical reflection point."""
    lines = []
    for kind in ("direct_observation", "service_user_feedback", "professional_feedback"):
        field = {"direct_observation": "direct_observations"}.get(kind, kind)
        required = getattr(requirement, field)
        recorded = sum(1 for r in records if r["kind"] == kind)
        lines.append(EvidenceCount(kind, LABELS[kind][1], recorded, required))
    for point in requirement.critical_reflections:
        recorded = sum(1 for r in records
                       if r["kind"] == "critical_reflection" and r["at"] == point)
        lines.append(EvidenceCount(f"critical_reflection:{point}",
                                   f"critical reflection at {point_label(point)}",
                                   recorded, 1))
    return lines


def missing_evidence(requirement: AsyeEvidence, records: list[dict[str, Any]]) -> list[str]:
    """What the portfolio still lacks, as a person reads it; empty when it is complete."""
    missing = []
    for line in evidence_counts(requirement, records):
        if not line.short:
            continue
        if line.kind.startswith("critical_reflection:"):
            missing.append(f"the {line.label}")
        else:
            singular, plural = LABELS[line.kind]
            missing.append(f"{line.short} more {singular if line.short == 1 else plural} "
                           f"({line.recorded} of {line.required} recorded)")
    return missing
