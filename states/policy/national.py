"""The national texts some local rules restate: where a citation goes when the local policy does
not state the rule itself (DOMAIN.md, "Where a rule comes from").

A policy file cites one as ``cite: {source: national/working-together-2023, section, quote}``,
with ``adopted_by: {section, quote}`` for the local passage that takes it up, if there is one.
Each source lists its sections, so ``oversight policy lint`` refuses a section it does not have,
as it refuses a local section the file's own ``source:`` block does not list.

The sections and passages below are as DOMAIN.md and the guidance give them; the documents
themselves are not among the seed texts, so their quotes are checked against these passages.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NationalSource:
    """One national document: its title, who publishes it, and the sections rules cite."""

    id: str
    """How a citation names it: ``national/working-together-2023``."""
    title: str
    short: str
    """How a task names it: ``Working Together 2023``."""
    publisher: str
    published: str
    sections: dict[str, str] = field(default_factory=dict)
    """Section (as cited) → its heading."""
    passages: dict[str, str] = field(default_factory=dict)
    """Section → the text a quote from it must appear in."""


WORKING_TOGETHER_2023 = NationalSource(
    id="national/working-together-2023",
    title="Working Together to Safeguard Children 2023: statutory guidance",
    short="Working Together 2023",
    publisher="HM Government (Department for Education)",
    published="December 2023",
    sections={"Chapter 3": "Providing help, support and protection: assessment of children in "
                           "need (timeliness)"},
    passages={"Chapter 3": "The maximum timeframe for the assessment to conclude, such that it is "
                           "possible to reach a decision on next steps, should be no longer than "
                           "45 working days from the point of referral."},
)

ASYE_FRAMEWORK = NationalSource(
    id="national/asye-framework",
    title="Assessed and Supported Year in Employment (ASYE) national framework",
    short="ASYE framework",
    publisher="Skills for Care, for the Department for Education",
    published="current framework",
    sections={"Reviews": "Agreement, reviews and the final assessment",
              "Portfolio": "The evidence of the portfolio"},
    passages={"Reviews": "an agreement at the start, reviews at 3 and 6 months (an optional "
                         "9-month review), the final assessment at 12 months, then a moderation "
                         "panel",
              "Portfolio": "3 direct observations, 3 pieces of feedback from people who use "
                           "services, 3 from other professionals, critical reflections at 6 and "
                           "12 months"},
)

NATIONAL_SOURCES: dict[str, NationalSource] = {
    source.id: source for source in (WORKING_TOGETHER_2023, ASYE_FRAMEWORK)}


def national_source(source_id: str) -> NationalSource:
    """The national source ``source_id``; ValueError naming the known ones otherwise."""
    try:
        return NATIONAL_SOURCES[source_id]
    except KeyError:
        raise ValueError(f"unknown source {source_id!r}; national sources are "
                         f"{', '.join(sorted(NATIONAL_SOURCES))}") from None


__all__ = ["ASYE_FRAMEWORK", "NATIONAL_SOURCES", "NationalSource", "WORKING_TOGETHER_2023",
           "national_source"]
