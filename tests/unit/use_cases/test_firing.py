"""Firing timers (``fire_due``, ``fire``, ``fire_many``, ``due_timer_ids``: firing.py) and
catching up before an event (catching_up.py) on the in-memory store.

tm1 starts supervising w0 on Mon 5 Jan 2026: the agreement is due that day (surrey §6) and its
timer fires Tue 6 Jan. Unsigned then, it is breached on 6 Jan and escalated to tm1's line
manager hos1 with 5 working days (§4.3): Wed 7, Thu 8, Fri 9, Mon 12, Tue 13 Jan (the weekend
of 10–11 Jan skipped), so the escalation is due Tue 13 Jan and its own timer fires Wed 14 Jan.
hos1 has no line manager: the escalation, unmet by then, is breached and goes no higher.
"""

from __future__ import annotations

from datetime import date

from tests.unit.use_cases.conftest import (
    AGREEMENT,
    ESCALATION,
    NOW,
    STARTED,
    SUPERVISION,
    record,
    task_states,
)

WED_7_JAN = date(2026, 1, 7)


def test_a_sweep_before_the_timer_is_due_claims_nothing(service, store):
    """As of Mon 5 Jan the agreement is due but not late: its timer waits for Tue 6 Jan."""
    record(service, **STARTED)
    batch = service.fire_due(date(2026, 1, 5), now=NOW, limit=10)
    assert (batch.claimed, batch.outcome.fired) == (0, 0)
    assert task_states(store)[AGREEMENT] == ("open", "2026-01-05")


def test_the_agreements_timer_breaches_it_and_opens_the_escalation_for_hos1(service, store):
    """As of Wed 7 Jan: breached on Tue 6 Jan, escalation due Tue 13 Jan for hos1, its timer
    armed for Wed 14 Jan; the supervision (due Mon 2 Feb) untouched."""
    record(service, **STARTED)
    batch = service.fire_due(WED_7_JAN, now=NOW, limit=10)
    assert (batch.claimed, batch.failed, batch.outcome.fired) == (1, [], 1)
    assert (batch.outcome.tasks_breached, batch.outcome.tasks_opened) == (1, 1)
    assert task_states(store) == {AGREEMENT: ("escalated", "2026-01-05"),
                                  ESCALATION: ("open", "2026-01-13"),
                                  SUPERVISION: ("open", "2026-02-02")}
    assert (store.rows.tasks[AGREEMENT]["breached_on"], store.rows.tasks[ESCALATION]["assignee"],
            store.rows.tasks[ESCALATION]["section"]) == (date(2026, 1, 6), "hos1", "4.3")
    assert sorted((r["fires_on"], r["name"]) for r in store.rows.timers.values()) == [
        (date(2026, 1, 14), "task:agreement^"), (date(2026, 2, 3), "task:supervision:1")]


def test_a_timer_fired_twice_breaches_once(service, store):
    """The sweep of Wed 7 Jan run again claims nothing, and the fired timer's id asked for
    again is stale: one breach line, one ``escalated`` message, one escalation."""
    record(service, **STARTED)
    [(fires_on, timer_id)] = service.due_timer_ids(WED_7_JAN, limit=10)
    assert fires_on == date(2026, 1, 6)
    assert service.fire(timer_id, now=NOW).fired == 1
    again = service.fire(timer_id, now=NOW)
    assert (again.fired, again.stale) == (0, 1)
    assert service.fire_due(WED_7_JAN, now=NOW, limit=10).claimed == 0
    assert [line["trigger"] for line in store.rows.audit].count(
        "breach supervision_agreement") == 1
    assert [m["message"]["type"] for m in store.rows.outbox].count(
        "uk.oversight.task.escalated") == 1
    assert sum(1 for ident in store.rows.tasks if ident.endswith("^")) == 1


def test_timers_fired_one_by_one_do_what_one_sweep_does(service, store):
    """fire_many of the agreement's timer then the escalation's (both due by Wed 14 Jan):
    two fired, the agreement escalated, the escalation breached on Wed 14 Jan."""
    record(service, **STARTED)
    [(_, first)] = service.due_timer_ids(WED_7_JAN, limit=10)
    service.fire(first, now=NOW)
    [(_, second)] = service.due_timer_ids(date(2026, 1, 14), limit=10)
    outcome = service.fire_many([second, first], now=NOW)
    assert (outcome.fired, outcome.stale, outcome.tasks_breached) == (1, 1, 1)
    assert store.rows.tasks[ESCALATION]["breached_on"] == date(2026, 1, 14)
    assert task_states(store)[ESCALATION] == ("breached", "2026-01-13")


def test_a_page_of_due_timers_holds_one_day_only(service, store):
    """As of Wed 14 Jan, with w0's escalation armed (Wed 14 Jan) and w1's agreement started
    on Mon 5 Jan (its timer Tue 6 Jan): the first page is Tue 6 Jan alone, the next Wed 14 Jan."""
    record(service, **STARTED)
    service.fire_due(WED_7_JAN, now=NOW, limit=10)  # arms w0's escalation's timer
    record(service, type="relationship_started", on="2026-01-05", supervisor="tm1",
           supervisee="w1", event_id="hr-9")
    page = service.due_timer_ids(date(2026, 1, 14), limit=10)
    assert [day for day, _ in page] == [date(2026, 1, 6)]
    after = service.due_timer_ids(date(2026, 1, 14), limit=10, after=page[-1])
    assert [day for day, _ in after] == [date(2026, 1, 14)]


def test_an_event_first_fires_the_entitys_timers_due_by_its_day(service, store):
    """A session held Tue 20 Jan with no sweep run: the agreement's timer (Tue 6 Jan) and the
    escalation's (Wed 14 Jan) fire first, then the session closes supervision 1 and opens the
    next, due 4 weeks after the session: Tue 17 Feb (20 Jan + 28 days)."""
    record(service, **STARTED)
    outcome = record(service, type="supervision_held", on="2026-01-20", supervisor="tm1",
                     supervisee="w0", event_id="s-1")
    assert (outcome.fired, outcome.tasks_breached, outcome.tasks_opened) == (2, 2, 2)
    assert task_states(store) == {AGREEMENT: ("escalated", "2026-01-05"),
                                  ESCALATION: ("breached", "2026-01-13"),
                                  SUPERVISION: ("closed", "2026-02-02"),
                                  "relationship:tm1:w0:supervision:2": ("open", "2026-02-17")}
    assert [line["trigger"] for line in store.rows.audit] == [
        "relationship started", "breach supervision_agreement", "breach escalation",
        "hold_supervision"]
    assert [(r["fires_on"], r["name"]) for r in store.rows.timers.values()] == [
        (date(2026, 2, 18), "task:supervision:2")]
