"""The comparison of the five policies: sessions a year, counted from each policy file."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.calendar import WorkingCalendar
from oversight.states.policy.comparison import (
    START,
    asye_year,
    compare,
    due_dates,
    markdown,
    role_year,
)
from oversight.states.policy.rules import Interval

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "policy-comparison.md"


def documented() -> list[str]:
    """The authorities docs/policy-comparison.md compares, as its first line's command names
    them: the tests of its figures are about those, whatever other files exist."""
    command = re.search(r"`oversight policy compare --markdown ([a-z0-9_ -]+)`",
                        DOCUMENT.read_text(encoding="utf-8"))
    assert command is not None, "the first line names the command that wrote the document"
    return command.group(1).split()


def row(label: str) -> dict[str, str]:
    policies = [load_policy(name) for name in documented()]
    return next(r.cells for r in compare(policies) if r.label == label)


def test_surrey_asye_needs_29_sessions_in_the_first_year():
    """Weekly to 3 months (13), fortnightly to 9 months (13), then 4-weekly (3), surrey §4.1."""
    assert asye_year(load_policy("surrey")) == 29


@pytest.mark.parametrize("authority", ["sunderland", "systemic", "devon", "hull"])
def test_the_other_four_asyes_need_21_sessions_in_the_first_year(authority):
    """Weekly for 6 weeks (6), fortnightly to 6 months (10), monthly after (5)."""
    assert asye_year(load_policy(authority)) == 21


def test_four_weekly_supervision_is_13_sessions_a_year_and_monthly_12():
    """Surrey and the systemic authority see qualified staff 13 times, the others 12."""
    assert row("Qualified social worker") == {
        "surrey": "13", "sunderland": "12", "systemic": "13", "devon": "12", "hull": "12"}


def test_a_devon_starter_has_16_sessions_in_the_first_year_in_post():
    """Weekly for the first six weeks (devon §4.1), then monthly: 6 + 10."""
    assert role_year(load_policy("devon"), "qualified_social_worker", in_post_since=START) == 16
    assert role_year(load_policy("devon"), "qualified_social_worker") == 12


def test_a_hull_returner_is_seen_15_times_in_the_first_year():
    """Fortnightly for 3 months (7), then monthly (8), hull §3; no other policy times returners."""
    assert row("Returner after a change of role or long absence, first year") == {
        "surrey": "\u2014", "sunderland": "\u2014", "systemic": "\u2014", "devon": "\u2014",
        "hull": "15"}


def test_a_child_in_need_is_discussed_by_case_type_or_by_coverage():
    """Surrey 4-weekly; Devon bi-monthly or monthly if high risk; Sunderland each quarter and
    the systemic authority every session by coverage; Hull times none."""
    assert row("Child in need (CIN)") == {
        "surrey": "13", "sunderland": "4 \u2020", "systemic": "13 \u2020",
        "devon": "6 (high risk 12)", "hull": "\u2014"}


def test_sunderland_discusses_every_under_two_at_every_monthly_session():
    """sunderland §6: unborn children and under-2s at each of the 12 sessions."""
    assert row("Unborn child or child under 2")["sunderland"] == "12 (every session)"


def test_a_surrey_child_with_a_disability_assessed_for_the_longer_interval_is_seen_twice():
    """surrey §4.1 CWD: every 3 months, or 6-monthly if assessed so."""
    assert row("Child with a disability (CWD)")["surrey"] == "4 (if assessed so 2)"


def test_due_dates_count_to_the_anniversary_inclusive_and_refuse_a_zero_interval():
    """Monthly from 5 January 2026: 5 February … 5 January 2027, twelve dates."""
    monthly = due_dates(START, date(2027, 1, 5), lambda _: Interval(months=1), WorkingCalendar())
    assert (len(monthly), monthly[0], monthly[-1]) == (12, date(2026, 2, 5), date(2027, 1, 5))
    with pytest.raises(ValueError, match="zero"):
        due_dates(START, date(2027, 1, 5), lambda _: Interval(days=0), WorkingCalendar())


def test_the_comparison_document_is_what_the_policies_give_today():
    """docs/policy-comparison.md is the output of the `oversight policy compare --markdown` its
    first line names, for the authorities named there (another file in the folder changes
    nothing); regenerate it when one of their policy files changes."""
    policies = [load_policy(name) for name in documented()]
    assert DOCUMENT.read_text(encoding="utf-8") == markdown(policies, compare(policies))
