"""A Child and Family assessment's 45 working days counted from the referral where the policy
file says so (Working Together 2023: "45 working days from the point of referral"), and from
the assessment's start where the policy counts its own days (surrey §4.1, day 0 = allocation).

Devon (the national 45 days, counts_from: referral): referred Mon 2 Mar 2026, assessed from
Mon 9 Mar. Counting 45 working days from Mon 2 Mar: 3-6 Mar (4), 9-13 (9), 16-20 (14), 23-27
(19), 30 Mar-2 Apr (23; Fri 3 Apr Good Friday skipped), 7-10 Apr (27; Mon 6 Apr Easter Monday
skipped), 13-17 (32), 20-24 (37), 27 Apr-1 May (42), Tue 5 May (43; Mon 4 May Early May bank
holiday skipped), Wed 6 (44), Thu 7 May (45). From the start, Mon 9 Mar, the same count ends
five working days later: Thu 14 May.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.errors import EventDateRefused
from oversight.states.events import AssessmentStarted
from oversight.states.events.registry import parse_event
from oversight.states.machines import ChildAndFamilyAssessment

REFERRED, STARTED = date(2026, 3, 2), date(2026, 3, 9)


def started(referred_on: date | None) -> AssessmentStarted:
    return AssessmentStarted(on=STARTED, child="c1", worker="sw1", manager="tm1",
                             referred_on=referred_on)


def test_devons_assessment_is_due_45_working_days_after_its_referral(lifeline):
    """Referred Mon 2 Mar, started Mon 9 Mar: completion due Thu 7 May, the limit's timer
    fires the day after, Fri 8 May; the task's arithmetic starts from the referral."""
    line = lifeline(ChildAndFamilyAssessment, "c1", policy=load_policy("devon"))
    step = line.begin(started(REFERRED))
    [complete] = [t for t in step.opened if t.key == "complete"]
    assert complete.due == date(2026, 5, 7)
    assert complete.basis.start == REFERRED
    assert {t.name: t.fires_on for t in step.arm}["limit"] == date(2026, 5, 8)


def test_without_a_referral_date_devon_counts_from_the_assessments_start(lifeline):
    """No referral day given: the 45 working days run from Mon 9 Mar to Thu 14 May."""
    line = lifeline(ChildAndFamilyAssessment, "c1", policy=load_policy("devon"))
    step = line.begin(started(None))
    [complete] = [t for t in step.opened if t.key == "complete"]
    assert complete.due == date(2026, 5, 14)
    assert complete.basis.start == STARTED


def test_surrey_counts_its_limit_from_the_start_whatever_the_referral(lifeline):
    """Surrey §4.1 counts from allocation (day 0): DOMAIN.md's example started Wed 25 Mar 2026
    has day 45 Tue 2 Jun, so the limit's timer fires Wed 3 Jun, referral on Wed 18 Mar or not."""
    line = lifeline(ChildAndFamilyAssessment, "c1")
    step = line.begin(AssessmentStarted(on=date(2026, 3, 25), child="c1", worker="sw1",
                                        manager="tm1", referred_on=date(2026, 3, 18)))
    assert {t.name: t.fires_on for t in step.arm}["limit"] == date(2026, 6, 3)


def test_a_referral_after_the_assessment_started_is_refused_as_a_date():
    """A referral comes first: referred Tue 10 Mar for an assessment begun Mon 9 Mar is one
    clear line, refused as a date."""
    with pytest.raises(EventDateRefused, match=r"'referred_on' \(2026-03-10\) is after the "
                                                 r"assessment started \(2026-03-09\)"):
        parse_event({"type": "assessment_started", "on": "2026-03-09", "child": "c1",
                     "worker": "sw1", "manager": "tm1", "referred_on": "2026-03-10"})
