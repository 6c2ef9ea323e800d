"""The building blocks of every policy rule: a citation and the interval it times."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from oversight.states.calendar import WorkingCalendar, months_after, weeks_after
from oversight.states.values import Basis


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Conflict(Strict):
    """Another passage of the same policy that says something different about this rule."""

    section: str = Field(min_length=1)
    quote: str = Field(min_length=3)


class Citation(Strict):
    """Where a rule comes from."""

    section: str = Field(min_length=1)
    """The policy's own section number, e.g. ``4.1`` or ``Appendix 1``."""
    quote: str = Field(min_length=3)
    """A short quote from the policy, so a reader can find the sentence."""
    source: str | None = None
    """Set when the rule comes from outside the authority's policy (e.g. the ASYE framework)."""
    note: str | None = None
    """What the file had to decide that the policy leaves open."""
    conflicts_with: list[Conflict] = []
    """Passages that disagree with the one applied; ``oversight policy lint`` reports them."""


class Interval(Strict):
    """A span of time written as exactly one of its units: ``{working_days: 10}``."""

    working_days: int | None = Field(default=None, ge=0)
    days: int | None = Field(default=None, ge=0)
    weeks: int | None = Field(default=None, ge=0)
    months: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _exactly_one_unit(self) -> "Interval":
        given = [name for name in ("working_days", "days", "weeks", "months") if getattr(self, name) is not None]
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
        label = {"working_days": "working day", "days": "day", "weeks": "week", "months": "month"}[self.unit]
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
        """The date and the arithmetic that produced it, for ``oversight why``."""
        result = self.after(start, calendar)
        skipped = tuple(calendar.skipped_between(start, result)) if self.unit == "working_days" else ()
        return Basis(start=start, interval=self.describe(), result=result, skipped=skipped)


class Rule(Strict):
    cite: Citation


class Deadline(Rule):
    """Something due one interval after the day that starts it."""

    due: Interval
