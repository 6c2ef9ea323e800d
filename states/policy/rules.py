"""The building blocks of every policy rule: a citation and the interval it times."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from oversight.states.calendar import NonWorkingDay, WorkingCalendar, months_after, weeks_after
from oversight.states.policy.national import NationalSource, national_source
from oversight.states.values import Basis


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Passage(Strict):
    """A passage of the authority's own policy: its section and a verbatim quote."""

    section: str = Field(min_length=1)
    quote: str = Field(min_length=3)


class Conflict(Passage):
    """Another passage of the same policy that says something different about this rule."""


class Citation(Strict):
    """Where a rule comes from: the text that states it.

    Without ``source`` the section and quote are the authority's own policy (its ``source:``
    block lists the sections). With ``source`` they are a national text's (see
    :mod:`~oversight.states.policy.national`), and ``adopted_by`` is the local passage that takes
    it up, when there is one. What the file decided that no text states is a ``note``.
    """

    source: str | None = None
    """A national source (``national/working-together-2023``, ``national/asye-framework``) when
    the local policy does not state the rule; omitted for the authority's own policy."""
    section: str = Field(min_length=1)
    """The cited text's own section, e.g. ``4.1`` or ``Appendix 1``; ``5.3, 6`` for two."""
    quote: str = Field(min_length=3)
    """The cited text's words, verbatim, so a reader can find the sentence."""
    adopted_by: Passage | None = None
    """The local passage adopting a national rule (surrey §4.1 restates the 45 working days)."""
    note: str | None = None
    """What the file had to decide that the text leaves open."""
    conflicts_with: list[Conflict] = []
    """Passages that disagree with the one applied; ``oversight policy lint`` reports them."""

    @model_validator(mode="after")
    def _national_source_known(self) -> Citation:
        if self.source is not None:
            national_source(self.source)
        elif self.adopted_by is not None:
            raise ValueError("adopted_by names the local passage adopting a national source: "
                             "give 'source' too")
        return self

    @property
    def national(self) -> NationalSource | None:
        return national_source(self.source) if self.source is not None else None

    @property
    def label(self) -> str:
        """``§4.1``; ``Working Together 2023 Chapter 3, adopted by §4.1`` for a national text."""
        national = self.national
        if national is None:
            return f"§{self.section}"
        adopted = f", adopted by §{self.adopted_by.section}" if self.adopted_by else ""
        return f"{national.short} {self.section}{adopted}"

    def local_passages(self) -> list[Passage]:
        """Every passage of the authority's own policy this citation quotes."""
        own = [] if self.source is not None else [Passage(section=self.section, quote=self.quote)]
        adopted = [self.adopted_by] if self.adopted_by is not None else []
        return [*own, *adopted, *self.conflicts_with]


class Interval(Strict):
    """A span of time written as exactly one of its units: ``{working_days: 10}``."""

    working_days: int | None = Field(default=None, ge=0)
    days: int | None = Field(default=None, ge=0)
    weeks: int | None = Field(default=None, ge=0)
    months: int | None = Field(default=None, ge=0)
    non_working_day: NonWorkingDay | None = None
    """Where the date goes when it lands on a non-working day: ``next`` working day,
    ``previous`` one, or ``none`` (stays); the file's ``calendar.non_working_day`` when unset.
    A count in working days lands on a working day and is never moved."""

    @model_validator(mode="after")
    def _exactly_one_unit(self) -> Interval:
        given = [name for name in _UNITS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("an interval needs exactly one of working_days, days, weeks, months")
        return self

    @property
    def unit(self) -> str:
        for name in ("working_days", "days", "weeks", "months"):
            if getattr(self, name) is not None:
                return name
        raise AssertionError("validated above")

    @property
    def amount(self) -> int:
        return getattr(self, self.unit)

    def describe(self) -> str:
        label = {"working_days": "working day", "days": "day", "weeks": "week",
                 "months": "month"}[self.unit]
        return f"{self.amount} {label}{'' if self.amount == 1 else 's'}"

    def after(self, start: date, calendar: WorkingCalendar) -> date:
        """The date this interval after ``start``, by DOMAIN.md's arithmetic."""
        if self.unit == "working_days":
            return calendar.working_days_after(start, self.amount)
        if self.unit == "weeks":
            return weeks_after(start, self.amount)
        if self.unit == "months":
            return months_after(start, self.amount)
        return date.fromordinal(start.toordinal() + self.amount)

    def basis(self, start: date, calendar: WorkingCalendar) -> Basis:
        """The deadline this interval after ``start`` and the arithmetic behind it, for
        ``oversight why``: a date counted in days, weeks or months that lands on a non-working
        day is moved by the rule's convention, and the basis keeps the unmoved date and why."""
        span = self.span(start, calendar)
        if self.unit == "working_days":
            return span
        return deadline(span, calendar, self.non_working_day)

    def span(self, start: date, calendar: WorkingCalendar) -> Basis:
        """The date this interval after ``start``, never moved: for what is not a deadline (the
        end of a phase, an absence passing its threshold)."""
        result = self.after(start, calendar)
        skipped = (tuple(calendar.skipped_between(start, result))
                   if self.unit == "working_days" else ())
        return Basis(start=start, interval=self.describe(), result=result, skipped=skipped)

    def due(self, start: date, calendar: WorkingCalendar) -> date:
        """The deadline alone (see :meth:`basis`); :meth:`after` is the unmoved date, for spans
        that are not deadlines (a phase's end, a threshold of absence)."""
        return self.basis(start, calendar).result


def deadline(basis: Basis, calendar: WorkingCalendar, convention: NonWorkingDay | None = None
             ) -> Basis:
    """``basis`` as a deadline: its result moved off a non-working day by ``convention`` (the
    calendar's when None), keeping the unmoved date and the reasons; unchanged on a working day."""
    moved, reasons = calendar.to_working_day(basis.result, convention)
    if not reasons:
        return basis
    return replace(basis, result=moved, unmoved=basis.result, moved_because=reasons)


def shifted(basis: Basis, days: int, calendar: WorkingCalendar,
            convention: NonWorkingDay | None = None) -> Basis:
    """``basis`` moved ``days`` calendar days on (a pause), rolled to a working day once: the
    shift goes onto the date before any roll (``unmoved`` when it was moved), never onto the
    rolled one. Shifted twice, the days add up and the roll is still done once, last."""
    before_roll = (basis.unmoved or basis.result) + timedelta(days=days)
    return deadline(replace(basis, result=before_roll, shifted_days=basis.shifted_days + days,
                            unmoved=None, moved_because=()), calendar, convention)


class Rule(Strict):
    cite: Citation
    non_working_day: NonWorkingDay | None = None
    """This rule's convention for deadlines on non-working days, given to each of its
    intervals that sets none of its own (``calendar.non_working_day`` otherwise)."""

    @model_validator(mode="before")
    @classmethod
    def _convention_to_intervals(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("non_working_day") is None:
            return data
        return {key: value if key in ("cite", "non_working_day")
                else _with_convention(value, data["non_working_day"])
                for key, value in data.items()}


_UNITS = ("working_days", "days", "weeks", "months")


def _with_convention(value: Any, convention: str) -> Any:
    """An interval written as a mapping (or a list of phases holding them) given the rule's
    convention where it sets none; anything else unchanged."""
    if isinstance(value, list):
        return [_with_convention(item, convention) for item in value]
    if not isinstance(value, dict):
        return value
    if any(unit in value for unit in _UNITS):
        return {"non_working_day": convention, **value}
    return {key: _with_convention(item, convention) for key, item in value.items()}


class Deadline(Rule):
    """Something due one interval after the day that starts it."""

    due: Interval
    counts_from: Literal["start", "referral"] = "start"
    """An assessment's deadline: counted from the assessment's start (day 0), or from the
    referral that led to it (Working Together 2023: "45 working days from the point of
    referral"), when the start event gives the referral's day; from the start when it does not."""
