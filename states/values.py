"""Frozen values a machine step produces: timers to arm, tasks to open, transitions to audit.

A step never performs I/O; the application service persists its output in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

TaskState = Literal["open", "closed", "breached", "escalated", "withdrawn"]


@dataclass(frozen=True, slots=True)
class EntityRef:
    """One lifecycle: ``assessment:c1``, ``asye:sw1``, ``relationship:tm1:sw1``."""

    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> EntityRef:
        kind, sep, ident = text.partition(":")
        if not sep or not ident:
            raise ValueError(f"expected KIND:ID, got {text!r}")
        return cls(kind, ident)


@dataclass(frozen=True, slots=True)
class RuleRef:
    """The rule a timer, task or transition cites: authority, section, and where in the policy."""

    authority: str
    section: str
    rule: str
    """Dotted path of the rule in the policy file, e.g. ``assessment.oversight_points.day10``."""
    quote: str = ""
    version: str = ""
    source: str = ""
    """The national text cited (``Working Together 2023``) when the authority's policy does not
    state the rule; empty for the authority's own policy."""
    adopted_by: str = ""
    """The authority's section adopting the national rule (``4.1``), if any."""
    note: str = ""
    """What the policy file decided that the cited text leaves open (a window, a step): shown
    beside the citation as the file's own decision, never as the policy's words."""

    def __str__(self) -> str:
        return cited(self.authority, self.section, self.source, self.adopted_by)


def cited(authority: str, section: str, source: str = "", adopted_by: str = "") -> str:
    """How a rule is cited to a person: ``surrey §4.1``, or for a national text the local
    policy does not state, ``Working Together 2023 Chapter 3 (adopted by surrey §4.1)``. Never
    ``authority §section`` for a section of a national text: the local policy has no such one."""
    if not source:
        return f"{authority} §{section}"
    adopted = (f"adopted by {authority} §{adopted_by}" if adopted_by
               else f"applied by {authority}")
    return f"{source} {section} ({adopted})"


OPTIONAL_RULE_KEYS = ("source", "adopted_by", "note")
"""Keys a rule's stored form has only when set: other rules' stored data stays as it was."""


def rule_to_dict(rule: RuleRef) -> dict[str, str]:
    """A rule as the store keeps it in an entity's data, a timer or a task."""
    found = {"authority": rule.authority, "section": rule.section, "rule": rule.rule,
             "quote": rule.quote, "version": rule.version}
    found.update({k: getattr(rule, k) for k in OPTIONAL_RULE_KEYS if getattr(rule, k)})
    return found


def rule_from_dict(data: dict[str, str]) -> RuleRef:
    return RuleRef(**data)


@dataclass(frozen=True, slots=True)
class Basis:
    """The arithmetic behind a date: ``start`` plus ``interval`` gives ``result``."""

    start: date
    interval: str
    """As a person reads it: ``35 working days``, ``4 weeks``, ``12 months``."""
    result: date
    skipped: tuple[tuple[date, str], ...] = ()
    """Bank holidays and closure days a working-day count stepped over."""
    shifted_days: int = 0
    """Calendar days added to the counted date before the roll to a working day (an ASYE
    pause): DOMAIN.md's "shifts first, one roll last"."""
    unmoved: date | None = None
    """The date the arithmetic gave (shifts included), when it fell on a non-working day and
    ``result`` is the working day it moved to; None when the date was not moved."""
    moved_because: tuple[str, ...] = ()
    """Why the days stepped off were not working days: ``weekend``, a bank holiday's name."""

    @property
    def counted(self) -> date:
        """``start`` plus ``interval``, before any shift or roll."""
        return (self.unmoved or self.result) - timedelta(days=self.shifted_days)

    def explain(self) -> str:
        """The arithmetic in the order it was done: the count, each shift, then the one roll."""
        if self.unmoved is None and not self.shifted_days:
            text = f"{self.start.isoformat()} + {self.interval} = {self.result.isoformat()}"
            return text + self._skipping(str)
        text = (f"{self.interval} after {_day(self.start)} = {_day(self.counted)}"
                + self._skipping(_day))
        if self.shifted_days:
            days = f"{self.shifted_days} day{'' if self.shifted_days == 1 else 's'}"
            text += f", + {days} paused = {_day(self.unmoved or self.result)}"
        if self.unmoved is not None:
            way = "moved to" if self.result > self.unmoved else "moved back to"
            text += f", {way} {_day(self.result)} ({', '.join(self.moved_because)})"
        return text

    def _skipping(self, shown: Callable[[date], str]) -> str:
        if not self.skipped:
            return ""
        return ", skipping " + ", ".join(f"{shown(d)} ({name})" for d, name in self.skipped)


def _day(day: date) -> str:
    """``Sat 2 May 2026``: the weekday is what a reader checks a moved date by."""
    return f"{day:%a} {day.day} {day:%b %Y}"


@dataclass(frozen=True, slots=True)
class Timer:
    """A durable timer: fires on ``fires_on`` (a sweep for that day or later picks it up)."""

    name: str
    fires_on: date
    rule: RuleRef
    basis: Basis | None = None


@dataclass(frozen=True, slots=True)
class Task:
    """An obligation for a person, due on a date, citing the rule that raised it."""

    key: str
    """Unique within its entity for the entity's whole life."""
    type: str
    assignee: str
    assignee_role: str
    subject: str
    raised_on: date
    due: date
    rule: RuleRef
    basis: Basis
    escalates: str | None = None
    """Key of the task whose breach raised this escalation."""
    level: int = 0


@dataclass(frozen=True, slots=True)
class TaskChange:
    """A change to an existing task: closed, breached, escalated, withdrawn or rescheduled."""

    key: str
    change: Literal["closed", "breached", "escalated", "withdrawn", "rescheduled"]
    on: date
    due: date | None = None
    """The new due date, for ``rescheduled``."""
    basis: Basis | None = field(default=None, compare=False)
    """The new date's arithmetic, for ``rescheduled`` (a pause added before the roll); the
    explanation of the change, not part of what the change is."""


@dataclass(frozen=True, slots=True)
class TransitionRecord:
    """One line of the audit trail."""

    source: str
    dest: str
    trigger: str
    cause: str
    """``event:<type>`` or ``timer:<name>``."""
    on: date
    rule: RuleRef | None
    actor: str | None = None


@dataclass(frozen=True)
class Step:
    """The whole output of applying one event or one timer to one entity."""

    entity: EntityRef
    state: str
    data: dict
    created: bool = False
    transitions: tuple[TransitionRecord, ...] = ()
    arm: tuple[Timer, ...] = ()
    disarm: tuple[str, ...] = ()
    opened: tuple[Task, ...] = ()
    changed: tuple[TaskChange, ...] = ()
    notes: tuple[str, ...] = field(default=())
