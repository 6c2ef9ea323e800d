"""Every rule of a policy, in file order, as ``(path, rule)`` with what it times in words.

The path is the one the machines cite (``personal_supervision.roles.asye``,
``asye.phases.weekly``, ``child_supervision.cases.cin``, ``team_activities.appraisal``,
``retention``): a list item is named by its key field (``phase``, ``case_type``, ``trigger``, …),
a mapping item by its key. The walk is generic, so a section added to the schema is indexed
without a change here. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from oversight.states.policy.model import Policy
from oversight.states.policy.rules import Citation, Interval, Rule

KEY_FIELDS = ("phase", "review", "point", "case_type", "trigger", "activity")
"""The field that names an item of a list of rules, in its path."""

_PHRASES = {
    "every": "every {}",
    "high_risk": "high risk: every {}",
    "if_assessed": "if assessed so: every {}",
    "first_after": "first {} after allocation",
    "first_within": "first within {} of the start",
    "until": "until {}",
    "due": "due {} after the start",
    "at": "at {}",
    "within": "within {}",
    "sign_within": "signed within {}",
    "review_every": "reviewed every {}",
    "threshold": "after more than {} of absence",
    "respond_within": "response within {}",
    "post_qualification": "supervisor qualified at least {}",
    "reschedule_within": "rescheduled within {}",
    "after_sickness_within": "after sickness: within {} of the return",
    "before": "{} before the session",
    "discussion_within": "discussion within {}",
    "whole_caseload_every": "whole caseload every {}",
    "archive_within": "archived within {}",
    "destroy_after": "destroyed {} after employment ends",
}
_ON_THE_DAY = {"due": "due on the day it starts", "sign_within": "signed on the first day",
               "within": "on the day"}
_LABELS = {"chain": "escalates to", "minimum_minutes": "at least {} minutes",
           "every_session": "at every session", "in_month": "in month",
           "share_per_session": "share of the caseload per session"}
_SKIPPED = {"cite", *KEY_FIELDS}


def interval_words(interval: Interval, *, recurring: bool = False) -> str:
    """``4 weeks``; ``week`` in ``every week``."""
    if recurring and interval.amount == 1:
        return interval.describe().removeprefix("1 ")
    return interval.describe()


def phrase(name: str, interval: Interval) -> str:
    """One interval of a rule in words, by the name of its field."""
    if interval.amount == 0:
        return _ON_THE_DAY.get(name, f"{_label(name)}: on the day")
    template = _PHRASES.get(name, _label(name) + ": {}")
    return template.format(interval_words(interval, recurring="every" in template))


@dataclass(frozen=True)
class IndexedRule:
    """One rule of a policy: where it is, what it times and where the policy says so."""

    path: str
    """Dotted path as the machines cite it, e.g. ``child_supervision.cases.cin``."""
    rule: Rule
    terms: tuple[tuple[str, str], ...]
    """(field, value in words), in the order of the file: what the rule sets."""
    intervals: dict[str, Interval] = field(default_factory=dict)
    """Every interval the rule times, by field (``every``, ``high_risk``, ``initially[0].every``);
    a field the rule leaves to its section (a trigger's ``within``) is filled from it."""

    @property
    def cite(self) -> Citation:
        return self.rule.cite

    @property
    def section(self) -> str:
        return self.rule.cite.section

    @property
    def cited(self) -> str:
        """Where the rule is stated, as a reader finds it: ``§4.1`` or a national text's
        section with the local one adopting it."""
        return self.rule.cite.label

    @property
    def description(self) -> str:
        return "; ".join(words for _, words in self.terms)


def rule_index(policy: Policy) -> list[IndexedRule]:
    """Every rule of ``policy`` in file order."""
    return list(_walk(policy, "", {}))


def rule_at(policy: Policy, path: str) -> IndexedRule | None:
    """The rule at ``path``, or None if this policy has none there."""
    return next((entry for entry in rule_index(policy) if entry.path == path), None)


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " "))


# ----- the walk ------------------------------------------------------------------------------


def _walk(model: BaseModel, path: str, inherited: dict[str, Interval]) -> Iterator[IndexedRule]:
    if isinstance(model, Rule):
        yield _indexed(model, path, inherited)
        return
    # A section's own intervals are the defaults of the rules inside it (management_oversight).
    defaults = {name: value for name, value in _fields(model) if isinstance(value, Interval)}
    for name, value in _fields(model):
        where = f"{path}.{name}" if path else name
        if isinstance(value, BaseModel):
            yield from _walk(value, where, defaults)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk(item, f"{where}.{_key(item, index)}", defaults)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from _walk(item, f"{where}.{key}", defaults)


def _fields(model: BaseModel) -> Iterator[tuple[str, Any]]:
    for name in type(model).model_fields:
        yield name, getattr(model, name)


def _key(item: BaseModel, index: int) -> str:
    for name in KEY_FIELDS:
        value = getattr(item, name, None)
        if isinstance(value, str):
            return value
    return str(index)


def _indexed(rule: Rule, path: str, inherited: dict[str, Interval]) -> IndexedRule:
    terms: list[tuple[str, str]] = []
    intervals: dict[str, Interval] = {}
    for name, value in _fields(rule):
        if name in _SKIPPED:
            continue
        if value is None and name in inherited:
            value = inherited[name]
        _describe(name, value, terms, intervals)
    return IndexedRule(path, rule, tuple(terms), intervals)


def _describe(name: str, value: Any, terms: list[tuple[str, str]],
              intervals: dict[str, Interval]) -> None:
    if value is None or value is False or value == [] or value == {}:
        return
    if isinstance(value, Interval):
        intervals[name] = value
        terms.append((name, phrase(name, value)))
    elif isinstance(value, list) and all(isinstance(item, BaseModel) for item in value):
        for index, item in enumerate(value):  # a cadence's early phases
            parts: list[tuple[str, str]] = []
            for inner, inner_value in _fields(item):
                nested: dict[str, Interval] = {}
                _describe(inner, inner_value, parts, nested)
                intervals.update({f"{name}[{index}].{k}": v for k, v in nested.items()})
            words = " ".join(text for _, text in parts)
            terms.append((f"{name}[{index}]", f"{name.replace('_', ' ')}: {words} in post"
                          if name == "initially" else words))
    elif value is True:
        terms.append((name, _label(name)))
    elif "{}" in _label(name):
        terms.append((name, _label(name).format(value)))
    elif name == "follows":
        terms.append((name, f"follows the {str(value).upper()} schedule"))
    else:
        if isinstance(value, list):
            shown = ", ".join(str(item).replace("_", " ") for item in value)
        elif isinstance(value, dict):
            shown = ", ".join(f"{k} → {v}" for k, v in value.items())
        elif isinstance(value, float):
            shown = f"{value:g}"
        else:
            shown = str(value).replace("_", " ")
        terms.append((name, f"{_label(name)}: {shown}"))

__all__ = ["IndexedRule", "KEY_FIELDS", "interval_words", "phrase", "rule_at", "rule_index"]
