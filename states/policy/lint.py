"""``oversight policy lint``: what is wrong, or worth a second look, in one policy.

Errors make the file unusable or contradict what a key means (a schema fault, a recurring
interval of zero, a high-risk interval that is not closer than the usual one); warnings are for a
person to read (two passages of the policy that disagree, an escalation slower than the cadence
it guards). Pure: the file is read by ``oversight.adapters.policy_files``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from oversight.states.policy.index import IndexedRule, phrase, rule_index
from oversight.states.policy.model import Policy, _key_path
from oversight.states.policy.quote_words import (
    DAYS_PER_UNIT,
    agrees,
    approximate_days,
    names_time,
    spans_in,
)
from oversight.states.policy.rules import Citation

Severity = Literal["error", "warning"]



@dataclass(frozen=True)
class Finding:
    """One thing lint found, about one rule (or one key of the file)."""

    severity: Severity
    rule: str
    """The rule's path, or for a schema fault the key path of the file."""
    message: str
    applied: dict[str, str] | None = None
    """For a conflict: the passage the file applies (section, quote)."""
    other: dict[str, str] | None = None
    """For a conflict: the passage that says otherwise (section, quote)."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"severity": self.severity, "rule": self.rule,
                                "message": self.message}
        if self.applied is not None:
            data.update(applied=self.applied, other=self.other)
        return data


def schema_findings(data: Any) -> list[Finding]:
    """Every schema fault of a parsed policy file, each with its key path and reason."""
    if not isinstance(data, dict):
        return [Finding("error", "", "a policy file must be a mapping of keys to values")]
    try:
        Policy.model_validate(data)
    except ValidationError as error:
        found = []
        for fault in error.errors():
            reason = {"extra_forbidden": "unknown key (a typo?)",
                      "missing": "required key is missing"}.get(fault["type"], fault["msg"])
            found.append(Finding("error", _key_path(fault["loc"]), reason))
        return found
    return []


def lint(policy: Policy) -> list[Finding]:
    """Everything worth saying about a policy that validated, errors first."""
    index = rule_index(policy)
    found = [*_duplicates(index), *_recurring_zero(index), *_variants(index), *_phases(policy),
             *_assessment(index), *_reviews(index), *_escalation(policy, index),
             *_sections(policy, index), *_quote_words(index), *_timeless_quotes(index),
             *_conventions(index),
             *_conflicts(index)]
    return sorted(found, key=lambda f: f.severity != "error")


# ----- the checks ----------------------------------------------------------------------------


def _sections(policy: Policy, index: list[IndexedRule]) -> Iterator[Finding]:
    """A citation of a section its text does not have is a typo: the task would point a reader
    at nothing. Local sections are the ``source:`` block's; a national text's are its own."""
    listed = policy.source.sections
    for entry in index:
        cite: Citation = entry.cite
        for passage in cite.local_passages():
            for section in _parts(passage.section):
                if section not in listed:
                    yield Finding("error", entry.path,
                                  f"cites §{section}, which the source ({policy.source.title}) "
                                  f"does not list; its sections are {', '.join(listed)}")
        national = cite.national
        if national is None:
            continue
        if cite.section not in national.sections:
            yield Finding("error", entry.path,
                          f"cites {national.short} {cite.section!r}, which it does not have; "
                          f"its sections are {', '.join(national.sections)}")
        elif _words(cite.quote) not in _words(national.passages.get(cite.section, cite.quote)):
            yield Finding("warning", entry.path,
                          f"the quote \u201c{cite.quote}\u201d is not in {national.short} "
                          f"{cite.section}")


def _quote_words(index: list[IndexedRule]) -> Iterator[Finding]:
    """A quote that says "monthly" over an interval of 3 weeks was copied and not updated."""
    for entry in index:
        intervals = list(entry.intervals.values())
        if not agrees(entry.cite.quote, intervals, entry.intervals.get("every")):
            yield Finding("warning", entry.path,
                          f"the quote \u201c{entry.cite.quote}\u201d does not say what the rule "
                          f"times ({entry.description})")


def _timeless_quotes(index: list[IndexedRule]) -> Iterator[Finding]:
    """A rule that times something must quote the words that say when: a quote with no word of
    time (a template's title, a list of roles) cites a passage that does not state the rule.
    Where no text states it and the file decided the interval, its note says so: the note
    names the span and calls it the file's (“5 working days is this file's choice”)."""
    for entry in index:
        timed = [i for i in entry.intervals.values() if i.amount > 0]
        if not timed or names_time(entry.cite.quote) or _decided_in_note(entry.cite, timed):
            continue
        yield Finding("warning", entry.path,
                      f"the quote “{entry.cite.quote}” holds no word of time, so it "
                      f"does not state what the rule times ({entry.description}): cite the "
                      f"sentence that does, or say in a note that the file decided it")


def _decided_in_note(cite: Citation, timed: list[Any]) -> bool:
    """The note names the span and says the file chose it ("this file's choice", "the file
    uses §5.3's 72 hours"): a note that only names the span ("so the same 8 weeks applies")
    reads as if the cited text stated it."""
    note = (cite.note or "").lower()
    return re.search(r"\bfile\b", note) is not None and spans_in(note) != [] \
        and agrees(note, timed)


def _conventions(index: list[IndexedRule]) -> Iterator[Finding]:
    """A convention for non-working days on a rule counted only in working days does nothing:
    such a count lands on a working day already."""
    for entry in index:
        intervals = list(entry.intervals.values())
        said = [i.non_working_day for i in intervals if i.non_working_day is not None]
        if said and all(i.unit == "working_days" for i in intervals):
            yield Finding("warning", entry.path,
                          f"non_working_day: {said[0]} changes nothing: the rule counts working "
                          f"days, which never land on a non-working day")


def _parts(section: str) -> list[str]:
    """``5.3, 6`` cites two sections."""
    return [part.strip() for part in section.split(",") if part.strip()]


def _words(text: str) -> str:
    return " ".join(text.split()).lower()


def _conflicts(index: list[IndexedRule]) -> Iterator[Finding]:
    for entry in index:
        for other in entry.cite.conflicts_with:
            note = f" Its note: {entry.cite.note}" if entry.cite.note else ""
            yield Finding(
                "warning", entry.path,
                f"§{other.section} says \u201c{other.quote}\u201d; the file applies "
                f"§{entry.section} \u201c{entry.cite.quote}\u201d ({entry.description}).{note}",
                applied={"section": entry.section, "quote": entry.cite.quote},
                other={"section": other.section, "quote": other.quote})


def _duplicates(index: list[IndexedRule]) -> Iterator[Finding]:
    for path, count in Counter(entry.path for entry in index).items():
        if count > 1:
            yield Finding("error", path, f"{count} rules have this path: tasks could cite only "
                                         f"one of them; give each a distinct name")


def _recurring_zero(index: list[IndexedRule]) -> Iterator[Finding]:
    for entry in index:
        for name, interval in entry.intervals.items():
            if name.rpartition(".")[2] in ("every", "review_every", "whole_caseload_every") \
                    and interval.amount == 0:
                yield Finding("error", entry.path, f"{name} is 0: a recurring obligation would "
                                                   f"fall due again the day it is met")


def _variants(index: list[IndexedRule]) -> Iterator[Finding]:
    for entry in index:
        usual = entry.intervals.get("every")
        if usual is None:
            continue
        high, longer = entry.intervals.get("high_risk"), entry.intervals.get("if_assessed")
        if high is not None and approximate_days(high) >= approximate_days(usual):
            yield Finding("error", entry.path, f"high_risk ({high.describe()}) is not shorter "
                                               f"than every ({usual.describe()})")
        if longer is not None and approximate_days(longer) <= approximate_days(usual):
            yield Finding("error", entry.path, f"if_assessed ({longer.describe()}) is not longer "
                                               f"than every ({usual.describe()})")
        early = [(k, v) for k, v in entry.intervals.items()
                 if k.startswith("initially[") and k.endswith(".every")]
        for name, interval in early:
            if approximate_days(interval) >= approximate_days(usual):
                yield Finding("warning", entry.path,
                              f"{name} ({interval.describe()}) is not closer than every "
                              f"({usual.describe()}): the early phase changes nothing")
        ends = [approximate_days(v) for k, v in entry.intervals.items()
                if k.startswith("initially[") and k.endswith(".until")]
        if ends != sorted(set(ends)):
            yield Finding("error", entry.path, "the early phases' 'until' must increase")


def _phases(policy: Policy) -> Iterator[Finding]:
    phases = policy.asye.phases
    ends = [approximate_days(p.until) for p in phases if p.until is not None]
    if ends != sorted(set(ends)):
        yield Finding("error", "asye.phases", "each phase's 'until' must be later than the "
                                              "previous phase's")
    for earlier, later in zip(phases, phases[1:], strict=False):
        if approximate_days(later.every) < approximate_days(earlier.every):
            yield Finding("warning", f"asye.phases.{later.phase}",
                          f"every {later.every.describe()} is closer than the "
                          f"{earlier.phase} phase's {earlier.every.describe()}")


def _assessment(index: list[IndexedRule]) -> Iterator[Finding]:
    by_path = {entry.path: entry for entry in index}
    limit = by_path["assessment.extended_limit"].intervals["due"]
    for entry in index:
        if entry.path.startswith("assessment.") and entry.path != "assessment.extended_limit":
            due = entry.intervals["due"]
            if approximate_days(due) > approximate_days(limit):
                yield Finding("error", entry.path, f"due {due.describe()} after the start, "
                                                   f"past the extended limit "
                                                   f"({limit.describe()})")


def _reviews(index: list[IndexedRule]) -> Iterator[Finding]:
    final = next(entry for entry in index if entry.path == "asye.final").intervals["at"]
    for entry in index:
        if entry.path.startswith("asye.reviews.") \
                and approximate_days(entry.intervals["at"]) >= approximate_days(final):
            yield Finding("warning", entry.path, f"at {entry.intervals['at'].describe()}, not "
                                                 f"before the final assessment "
                                                 f"({final.describe()})")


def _escalation(policy: Policy, index: list[IndexedRule]) -> Iterator[Finding]:
    """An escalation slower than a cadence reaches the line manager after the next session is
    due: the missed one is overtaken before anyone has to act on it."""
    respond = policy.escalation.respond_within
    for entry in index:
        for name, interval in entry.intervals.items():
            if name.rpartition(".")[2] != "every" or interval.amount == 0:
                continue
            if approximate_days(respond) > approximate_days(interval):
                yield Finding(
                    "warning", entry.path,
                    f"escalation.respond_within ({respond.describe()}) is longer than "
                    f"{phrase('every', interval)}: a missed one reaches the "
                    f"{policy.escalation.chain[0].replace('_', ' ')} after the next is due")


__all__ = ["DAYS_PER_UNIT", "Finding", "Severity", "approximate_days", "lint", "schema_findings"]
