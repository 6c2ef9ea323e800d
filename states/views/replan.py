"""Which open tasks' due dates a new policy version moves, and by how much. Pure: no I/O.

A task remembers the rule that raised it (its path and version) and the arithmetic of its due
date (``basis``: a start and an interval). Under the new version the same part of the same rule
(its usual interval, its high-risk one, an early phase's) gives a new interval; counted from the
same start, it gives the new due date. A move made after the task was opened (an ASYE pause)
is kept. Dates are never moved before the new version takes effect, and a task due before that
day keeps its date: it fell due under the old version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from oversight.states.policy.book import PolicyBook
from oversight.states.policy.index import IndexedRule, rule_at
from oversight.states.policy.model import Policy
from oversight.states.policy.rules import shifted
from oversight.states.values import Basis

_SUFFIXES = {"high risk": "high_risk", "assessed for the longer interval": "if_assessed"}
"""What a child discussion's basis adds to its interval, and the part of the rule it names."""


@dataclass(frozen=True)
class Move:
    """One open task whose due date the new version moves."""

    task_id: str
    entity_kind: str
    entity_id: str
    key: str
    type: str
    rule: str
    """The rule's path, e.g. ``asye.phases.fortnightly``."""
    part: str
    """The part of the rule that timed it: ``every``, ``high_risk``, ``initially[0].every``…"""
    from_version: str
    start: date
    old_interval: str
    new_interval: str
    old_due: date
    new_due: date
    basis: Basis
    """The new arithmetic: ``start`` plus the new interval (then any earlier move)."""
    held_back: bool = False
    """The new date fell before the version takes effect and was moved to that day."""

    @property
    def days(self) -> int:
        return (self.new_due - self.old_due).days

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task_id, "entity": f"{self.entity_kind}:{self.entity_id}",
                "type": self.type, "rule": self.rule, "part": self.part,
                "from_version": self.from_version, "start": self.start.isoformat(),
                "old_interval": self.old_interval, "new_interval": self.new_interval,
                "old_due": self.old_due.isoformat(), "new_due": self.new_due.isoformat(),
                "days": self.days, "held_back": self.held_back}


@dataclass
class Replan:
    """What moving the open tasks of one authority onto one version would change."""

    authority: str
    version: str
    effective_from: date
    moves: list[Move] = field(default_factory=list)
    unchanged: int = 0
    """Open tasks whose date stays: already under the version, or the same date under it."""
    kept: list[tuple[str, str]] = field(default_factory=list)
    """(task id, why it keeps its date) for tasks replan cannot or must not move."""

    def to_json(self) -> dict[str, Any]:
        return {"authority": self.authority, "version": self.version,
                "effective_from": self.effective_from.isoformat(),
                "moves": [move.to_json() for move in self.moves], "unchanged": self.unchanged,
                "kept": [{"task": task, "reason": reason} for task, reason in self.kept]}


def plan_replan(book: PolicyBook, target: Policy, tasks: Iterable[Mapping[str, Any]]) -> Replan:
    """The moves of the open ``tasks`` (rows of the task table) onto version ``target``."""
    plan = Replan(book.authority, target.version, target.effective_from)
    for row in tasks:
        rule = row["rule"] or {}
        if rule.get("version") == target.version:
            plan.unchanged += 1
            continue
        found = _move(book, target, row)
        if isinstance(found, str):
            plan.kept.append((row["id"], found))
        elif found.days == 0:
            plan.unchanged += 1
        else:
            plan.moves.append(found)
    plan.moves.sort(key=lambda move: (move.old_due, move.task_id))
    return plan


def _move(book: PolicyBook, target: Policy, row: Mapping[str, Any]) -> Move | str:
    """The task's move, or why it keeps its date."""
    rule, basis = row["rule"], row["basis"] or {}
    path, version = rule.get("rule", ""), rule.get("version", "")
    old_due = _day(row["due"])
    if old_due < target.effective_from:
        return f"due before version {target.version} takes effect"
    if not book.has_version(version):
        return f"raised under version '{version}', which is not among the policy's versions"
    old_rule = rule_at(book.version(version), path)
    new_rule = rule_at(target, path)
    if old_rule is None or new_rule is None:
        return f"version {target.version if new_rule is None else version} has no rule {path}"
    part = _part(old_rule, str(basis.get("interval", "")))
    if part is None:
        return f"its date is not an interval of {path} ({basis.get('interval', 'no basis')})"
    interval = new_rule.intervals.get(part)
    if interval is None:
        return f"version {target.version} of {path} has no '{part}'"
    start = _day(basis["start"])
    # Moved after it was opened (a pause): the days between the date before its roll and the
    # due date now. Added to the new count before the one roll, as the pause itself was.
    offset = (old_due - _day(basis.get("unmoved") or basis["result"])).days
    calendar = target.working_calendar()
    new_basis = interval.basis(start, calendar)
    if offset:
        new_basis = shifted(interval.span(start, calendar), offset, calendar,
                            interval.non_working_day)
    new_due = new_basis.result
    held_back = new_due < target.effective_from
    return Move(
        task_id=row["id"], entity_kind=row["entity_kind"], entity_id=row["entity_id"],
        key=row["key"], type=row["type"], rule=path, part=part, from_version=version,
        start=start, old_interval=str(basis["interval"]), new_interval=interval.describe(),
        old_due=old_due, new_due=max(new_due, target.effective_from), basis=new_basis,
        held_back=held_back)


def _part(rule: IndexedRule, interval_text: str) -> str | None:
    """Which interval of the rule produced a due date described as ``interval_text``."""
    text, _, suffix = interval_text.partition(" (")
    wanted = _SUFFIXES.get(suffix.rstrip(")"))
    found = [name for name, interval in rule.intervals.items()
             if interval.describe() == text and not name.endswith("until")]
    if wanted in found:
        return wanted
    return found[0] if found else None


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


__all__ = ["Move", "Replan", "plan_replan"]
