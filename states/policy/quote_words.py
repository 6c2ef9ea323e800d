"""What a quote says in its own words about time, so lint can compare it with the interval
beside it: "monthly" over ``{weeks: 3}`` is a copied quote nobody updated.

Only the plain English of the five policies is read: weekly, fortnightly, bi-weekly, monthly,
bi-monthly, quarterly, six-monthly, annual and yearly; "every N weeks", "4 weekly", "N working
days", "N days", "24 hours", "12 months", and ranges such as "4 – 8 weekly" or "3 and 6 months"
(each end counts). Pure: no I/O.
"""

from __future__ import annotations

import re

from oversight.states.policy.rules import Interval

DAYS_PER_UNIT = {"working_days": 7 / 5, "days": 1.0, "weeks": 7.0, "months": 365.25 / 12}
"""To compare intervals written in different units (4 weeks against 1 month)."""

TOLERANCE = 0.12
"""How far apart two spans may be and still say the same (a month against 4 weeks: 8%)."""

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(_NUMBERS) + r")"
_JOIN = r"\s*(?:-|–|—|to|and|or)\s*"

# "bi-weekly" and "two-weekly" read as fortnightly, as the policies use them.
_WORDS: list[tuple[str, float]] = [
    (r"\bbi[- ]?monthly\b|\btwo-?monthly\b", 2 * DAYS_PER_UNIT["months"]),
    (r"\bsix-?monthly\b|\bsix monthly\b|\bbi-?annual(?:ly)?\b|\bhalf-?yearly\b",
     6 * DAYS_PER_UNIT["months"]),
    (r"\bquarterly\b|\beach quarter\b", 3 * DAYS_PER_UNIT["months"]),
    (r"\bannual(?:ly)?\b|\byearly\b|\bevery year\b|\beach year\b", 365.25),
    (r"\bfortnight(?:ly)?\b|\bbi-?weekly\b|\btwo-?weekly\b", 14.0),
    (r"(?<![\d-])\bweekly\b|\bevery week\b|\ba week\b|\bper week\b", 7.0),
    (r"(?<![\d-])\bmonthly\b|\bevery (?:calendar )?month\b|\bonce a month\b|\beach month\b",
     DAYS_PER_UNIT["months"]),
]
_COUNTED = [
    (r"working days?", DAYS_PER_UNIT["working_days"]),
    (r"(?:calendar )?days?", 1.0),
    (r"hours?", 1 / 24),
    (r"-?\s?weekly|weeks?", 7.0),
    (r"-?\s?monthly|months?", DAYS_PER_UNIT["months"]),
    (r"years?", 365.25),
]


def approximate_days(interval: Interval) -> float:
    return interval.amount * DAYS_PER_UNIT[interval.unit]


def spans_in(quote: str) -> list[float]:
    """Every span of time the quote names, in approximate days."""
    text = quote.lower().replace("\u2011", "-")
    found: list[float] = []
    for pattern, unit in _COUNTED:
        # "4 weeks", "4-weekly", "2-4 days", "3 and 6 months": each number before the unit counts.
        for match in re.finditer(rf"{_NUMBER}(?:{_JOIN}{_NUMBER})?\s*(?:{pattern})\b", text):
            found += [_value(n) * unit for n in match.groups() if n is not None]
        text = re.sub(rf"{_NUMBER}(?:{_JOIN}{_NUMBER})?\s*(?:{pattern})\b", " ", text)
    # "at day 35": an assessment's days are working days (Working Together 2023).
    for match in re.finditer(r"\bday (\d+)\b", text):
        found.append(int(match.group(1)) * DAYS_PER_UNIT["working_days"])
    for pattern, days in _WORDS:
        if re.search(pattern, text):
            found.append(days)
            text = re.sub(pattern, " ", text)
    return found


_TIME_WORDS = re.compile(
    r"\b(?:daily|weekly|fortnight(?:ly)?|monthly|quarter(?:ly)?|annual(?:ly)?|yearly|"
    r"weeks?|months?|days?|years?|hours?|in advance|prior to)\b")
"""Words that say when without a number: "within the following week", "planned in advance".
"Within" alone is not one ("within care proceedings"): what follows it says when."""


def names_time(quote: str) -> bool:
    """Whether the quote holds a word of time (a span, or "within", "weekly", "in advance"):
    a quote without one (a template's title, a list of roles) does not state an interval."""
    return bool(spans_in(quote)) or bool(_TIME_WORDS.search(quote.lower()))


def agrees(quote: str, intervals: list[Interval], primary: Interval | None = None) -> bool:
    """Whether one of the intervals is a span the quote names (or the quote names none); when
    the rule has a ``primary`` interval (a cadence's ``every``), that one must be named.

    An interval of 0 (on the day) agrees with any words; a rule with no interval agrees too.
    """
    spans = spans_in(quote)
    if primary is not None and primary.amount > 0:
        intervals = [primary]
    timed = [approximate_days(i) for i in intervals if i.amount > 0]
    if not spans or not timed:
        return True
    return any(abs(days - span) <= TOLERANCE * max(days, span) for days in timed for span in spans)


def _value(number: str) -> float:
    return float(_NUMBERS.get(number, 0) or number)


__all__ = ["DAYS_PER_UNIT", "TOLERANCE", "agrees", "approximate_days", "names_time", "spans_in"]
