"""``oversight policy diff``: two policies compared rule by rule, by the rules' paths.

Works across authorities (surrey against devon) and across two versions of one authority: a rule
is in A only, in B only, or in both with a different timing (what it times, in words) or a
different citation (where it is stated, or the quote). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from oversight.states.policy.index import IndexedRule, rule_index
from oversight.states.policy.model import Policy

Change = Literal["only_in_a", "only_in_b", "changed", "same"]


@dataclass(frozen=True)
class RuleDiff:
    """One rule path and how the two policies differ on it."""

    path: str
    change: Change
    a: IndexedRule | None
    b: IndexedRule | None
    differs: tuple[str, ...] = ()
    """For ``changed``: ``timing``, ``section``, ``quote``."""

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.path, "change": self.change, "differs": list(self.differs),
                "a": _side(self.a), "b": _side(self.b)}


def _side(entry: IndexedRule | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"section": entry.section, "cited": entry.cited, "quote": entry.cite.quote,
            "times": entry.description,
            "intervals": {name: interval.describe() for name, interval in entry.intervals.items()}}


def diff_policies(a: Policy, b: Policy) -> list[RuleDiff]:
    """Every rule path of either policy, in file order, with how the two differ on it."""
    rules_a = {entry.path: entry for entry in rule_index(a)}
    rules_b = {entry.path: entry for entry in rule_index(b)}
    found = []
    for path in _merged_order(list(rules_a), list(rules_b)):
        left, right = rules_a.get(path), rules_b.get(path)
        if right is None:
            found.append(RuleDiff(path, "only_in_a", left, None))
        elif left is None:
            found.append(RuleDiff(path, "only_in_b", None, right))
        else:
            differs = tuple(name for name, changed in (
                ("timing", left.terms != right.terms),
                ("section", left.cited != right.cited),
                ("quote", left.cite.quote != right.cite.quote)) if changed)
            found.append(RuleDiff(path, "changed" if differs else "same", left, right, differs))
    return found


def _merged_order(first: list[str], second: list[str]) -> list[str]:
    """``first``'s paths, with each path only in ``second`` placed after its predecessor there."""
    order = list(first)
    for index, path in enumerate(second):
        if path in order:
            continue
        before = next((p for p in reversed(second[:index]) if p in order), None)
        order.insert(order.index(before) + 1 if before is not None else 0, path)
    return order


__all__ = ["Change", "RuleDiff", "diff_policies"]
