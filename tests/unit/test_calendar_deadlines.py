"""A deadline never falls on a non-working day (DOMAIN.md): the findings of issue 12 as tests.

Every expected date is worked out by hand from a calendar of 2026–2027, with the weekday and the
days skipped in a comment: England and Wales bank holidays 2026 are Good Friday 3 Apr, Easter
Monday 6 Apr, May Day 4 May, Spring 25 May, Late Summer 31 Aug, Christmas Fri 25 Dec, Boxing Day
Sat 26 Dec (observed Mon 28 Dec); 2027: Good Friday 26 Mar, Easter Monday 29 Mar.
"""

from __future__ import annotations

from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.calendar import WorkingCalendar
from oversight.states.errors import PolicyError
from oversight.states.events import SessionCancelled, SessionPlanned
from oversight.states.events.child_supervision import ChildAllocated, ChildSupervisionHeld
from oversight.states.machines.child_supervision import ChildSupervision
from oversight.states.machines.session import SupervisionSession
from oversight.states.policy.model import Policy
from oversight.states.policy.rules import Interval
from tests.policy_versions import shipped
from tests.unit.policy_scenarios import (
    asye,
    directory,
    dues,
    relationship,
    session_after,
    supervisee,
)

ENGLAND = WorkingCalendar()


# ----- the calendar's move --------------------------------------------------------------------


def test_the_domain_guides_example_moves_past_the_weekend_and_may_day():
    """4 weeks after Sat 4 Apr 2026 is Sat 2 May; Sun 3 May and May Day Mon 4 May are not worked
    either, so the deadline is Tue 5 May (DOMAIN.md's example says Mon 4 May: that is May Day)."""
    basis = Interval(weeks=4).basis(date(2026, 4, 4), ENGLAND)
    assert (basis.result, basis.unmoved, basis.moved_because) == (
        date(2026, 5, 5), date(2026, 5, 2), ("weekend", "May Day"))
    assert basis.explain() == ("4 weeks after Sat 4 Apr 2026 = Sat 2 May 2026, moved to "
                               "Tue 5 May 2026 (weekend, May Day)")


def test_a_deadline_on_a_working_day_is_not_moved_and_its_basis_says_nothing_of_a_move():
    """A month after Mon 2 Mar 2026 is Thu 2 Apr, a working day."""
    basis = Interval(months=1).basis(date(2026, 3, 2), ENGLAND)
    assert (basis.result, basis.unmoved, basis.moved_because) == (date(2026, 4, 2), None, ())
    assert basis.explain() == "2026-03-02 + 1 month = 2026-04-02"


def test_the_previous_convention_moves_back_to_the_working_day_before():
    """4 weeks after Sat 4 Apr 2026 is Sat 2 May; the working day before is Fri 1 May."""
    basis = Interval(weeks=4, non_working_day="previous").basis(date(2026, 4, 4), ENGLAND)
    assert (basis.result, basis.unmoved) == (date(2026, 5, 1), date(2026, 5, 2))
    assert basis.explain().endswith("moved back to Fri 1 May 2026 (weekend)")


def test_the_none_convention_leaves_the_date_where_the_arithmetic_put_it():
    """Sat 2 May 2026 stays Sat 2 May."""
    basis = Interval(weeks=4, non_working_day="none").basis(date(2026, 4, 4), ENGLAND)
    assert (basis.result, basis.unmoved) == (date(2026, 5, 2), None)


def test_a_working_day_count_is_never_moved_even_from_a_saturday():
    """0 working days from Sat 28 Mar 2026 is that Saturday (day 0 is the start itself)."""
    assert Interval(working_days=0).basis(date(2026, 3, 28), ENGLAND).result == date(2026, 3, 28)


def test_a_closure_day_moves_a_deadline_and_is_named():
    """A month after Tue 24 Nov 2026 is Thu 24 Dec; closed that day, the deadline is Tue 29 Dec
    (Fri 25 Christmas Day, Sat 26 Boxing Day, Sun 27, Mon 28 Boxing Day observed)."""
    calendar = WorkingCalendar(closures=frozenset({date(2026, 12, 24)}))
    basis = Interval(months=1).basis(date(2026, 11, 24), calendar)
    assert basis.result == date(2026, 12, 29)
    assert basis.moved_because == ("authority closure day", "Christmas Day", "Boxing Day",
                                   "weekend", "Boxing Day (observed)")


# ----- today's findings under the shipped policies ---------------------------------------------


def test_monthly_supervision_due_sat_2_may_2026_is_due_tue_5_may(lifeline):
    """Sunderland, monthly: held Thu 2 Apr 2026, a month on is Sat 2 May; Sun 3 May and May Day
    Mon 4 May skipped: due Tue 5 May. The basis keeps the unmoved date and the reason."""
    line = relationship(lifeline, "sunderland", supervisee("qualified_social_worker"))
    task = session_after(line, date(2026, 4, 2))
    assert task.due == date(2026, 5, 5)
    assert (task.basis.start, task.basis.unmoved, task.basis.moved_because) == (
        date(2026, 4, 2), date(2026, 5, 2), ("weekend", "May Day"))
    assert task.basis.explain() == ("1 month after Thu 2 Apr 2026 = Sat 2 May 2026, moved to "
                                    "Tue 5 May 2026 (weekend, May Day)")


def test_the_next_session_counts_from_the_day_it_was_held_not_from_the_moved_date(lifeline):
    """Due Tue 5 May (moved from Sat 2 May) and held that Tuesday: next due Fri 5 Jun, a month
    after the session, not Tue 2 Jun (a month after the unmoved date)."""
    line = relationship(lifeline, "sunderland", supervisee("qualified_social_worker"))
    session_after(line, date(2026, 4, 2))
    task = session_after(line, date(2026, 5, 5))
    assert (task.basis.start, task.due, task.basis.unmoved) == (
        date(2026, 5, 5), date(2026, 6, 5), None)


def test_supervision_due_on_easter_monday_2027_is_due_the_tuesday(lifeline):
    """Surrey, 4-weekly: held Mon 1 Mar 2027, 4 weeks on is Easter Monday 29 Mar 2027: due
    Tue 30 Mar."""
    line = relationship(lifeline, "surrey", supervisee("qualified_social_worker"))
    task = session_after(line, date(2027, 3, 1))
    assert (task.due, task.basis.unmoved, task.basis.moved_because) == (
        date(2027, 3, 30), date(2027, 3, 29), ("Easter Monday",))


def test_asye_reviews_due_on_sundays_are_due_the_next_working_day(lifeline):
    """Surrey, enrolled Mon 5 Jan 2026: 3 months is Easter Sunday 5 Apr (Easter Monday skipped):
    Tue 7 Apr; 6 months is Sun 5 Jul: Mon 6 Jul; the final, Tue 5 Jan 2027, is not moved."""
    line = asye(lifeline, "surrey")
    found = {key: due for key, due in dues(line).items() if not key.startswith("supervision")}
    assert found == {"review:three_month": date(2026, 4, 7), "review:six_month": date(2026, 7, 6),
                     "final:1": date(2027, 1, 5)}
    review = next(t for t in line.step.opened if t.key == "review:three_month")
    assert (review.basis.unmoved, review.basis.moved_because) == (
        date(2026, 4, 5), ("weekend", "Easter Monday"))


def _sunderland_child(lifeline):
    line = lifeline(ChildSupervision, "c1", policy=load_policy("sunderland"),
                    directory=directory(supervisee("qualified_social_worker")))
    line.begin(ChildAllocated(on=date(2026, 3, 2), child="c1", worker="sw", manager="tm1",
                              case_type="cin"))
    return line


@pytest.mark.parametrize(("decided", "due", "skipped"), [
    (date(2026, 3, 12), date(2026, 3, 13), ()),                  # Thu: Fri 13 Mar, not moved
    (date(2026, 3, 13), date(2026, 3, 16), ("weekend",)),        # Fri: Sat 14 → Mon 16 Mar
    # Thu 24 Dec: Fri 25 Christmas Day, Sat 26 Boxing Day, Sun 27, Mon 28 observed → Tue 29 Dec.
    (date(2026, 12, 24), date(2026, 12, 29),
     ("Christmas Day", "Boxing Day", "weekend", "Boxing Day (observed)")),
])
def test_sunderland_s5_3_decisions_within_24_hours_are_due_the_next_working_day(
        lifeline, decided, due, skipped):
    """A decision on a working day is due on the record by the end of the next working day."""
    line = _sunderland_child(lifeline)
    step = line.apply(ChildSupervisionHeld(on=decided, child="c1", worker="sw"))
    [task] = [t for t in step.opened if t.type == "decisions_on_record"]
    assert (task.due, task.basis.moved_because) == (due, skipped)
    assert (task.rule.authority, task.rule.section) == ("sunderland", "5.3")


def test_hull_s3_within_5_days_of_the_return_moves_off_christmas(lifeline):
    """Back Mon 21 Dec 2026: 5 days on is Sat 26 Dec (Boxing Day); Sun 27 and Mon 28 (observed)
    skipped: the rescheduled session is due Tue 29 Dec."""
    line = lifeline(SupervisionSession, "s1", policy=load_policy("hull"),
                    directory=directory(supervisee("qualified_social_worker")))
    line.begin(SessionPlanned(on=date(2026, 12, 1), session="s1", supervisor="tm1",
                              supervisee="sw", for_date=date(2026, 12, 14)))
    step = line.apply(SessionCancelled(on=date(2026, 12, 10), session="s1", reason="sickness",
                                       returned_on=date(2026, 12, 21)))
    [task] = [t for t in step.opened if t.type == "reschedule_session"]
    assert (task.due, task.basis.unmoved) == (date(2026, 12, 29), date(2026, 12, 26))


# ----- the policy file's say --------------------------------------------------------------------


def _sunderland(edit) -> Policy:
    mapping = shipped("sunderland")
    edit(mapping)
    return Policy.from_mapping(mapping, source="test")


def test_a_file_that_says_previous_moves_every_deadline_back(lifeline):
    """calendar.non_working_day: previous — held Thu 2 Apr 2026, due Fri 1 May (Sat 2 May back)."""
    policy = _sunderland(lambda m: m["calendar"].update(non_working_day="previous"))
    basis = policy.personal_supervision.roles["qualified_social_worker"].every.basis(
        date(2026, 4, 2), policy.working_calendar())
    assert (basis.result, basis.unmoved) == (date(2026, 5, 1), date(2026, 5, 2))


def test_one_rule_may_keep_its_date_while_the_file_moves_the_rest():
    """A rule's non_working_day: none keeps Sat 2 May; the agreement review still moves."""
    def edit(mapping):
        mapping["calendar"]["non_working_day"] = "next"
        mapping["personal_supervision"]["roles"]["qualified_social_worker"][
            "non_working_day"] = "none"
    policy = _sunderland(edit)
    calendar = policy.working_calendar()
    cadence = policy.personal_supervision.roles["qualified_social_worker"]
    assert cadence.every is not None and cadence.every.non_working_day == "none"
    assert cadence.every.basis(date(2026, 4, 2), calendar).result == date(2026, 5, 2)
    # Six months after Mon 2 Nov 2026 is Sun 2 May 2027; May Day is Mon 3 May: Tue 4 May.
    review = policy.relationship.agreement
    assert review is not None and review.review_every is not None
    assert review.review_every.basis(date(2026, 11, 2), calendar).result == date(2027, 5, 4)


def test_an_unknown_convention_is_refused_naming_the_key():
    """non_working_day: later is not one of next, previous, none."""
    with pytest.raises(PolicyError) as refused:
        _sunderland(lambda m: m["calendar"].update(non_working_day="later"))
    assert refused.value.key == "calendar.non_working_day"
