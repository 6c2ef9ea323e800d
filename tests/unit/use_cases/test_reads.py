"""The read models on the in-memory store: the store's queries (queries.py), the compliance
report (compliance.py), the sessions ahead and their calendar SEQUENCEs (planner.py) and the
ASYE journeys (progress.py).

tm1 starts supervising w0 on Mon 5 Jan 2026 (agreement due that day, surrey §6; first
supervision Mon 2 Feb, §4.1 4-weekly) and the sweep of Wed 7 Jan escalates the unsigned
agreement to hos1, due Tue 13 Jan (Wed 7, Thu 8, Fri 9, Mon 12, Tue 13; the weekend skipped).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from oversight.states.errors import UnknownEntity
from oversight.states.values import EntityRef
from oversight.workflows.reads import compliance, planner, progress, queries
from tests.unit.use_cases.conftest import (
    AGREEMENT,
    ESCALATION,
    NOW,
    STARTED,
    SUPERVISION,
    record,
)


@pytest.fixture
def swept(service):
    """The relationship started and the sweep of Wed 7 Jan run."""
    record(service, **STARTED)
    service.fire_due(date(2026, 1, 7), now=NOW, limit=10)
    return service


def test_the_task_queries_give_each_task_its_state_rule_and_arithmetic(swept, store):
    """Three tasks in the order raised; the escalation's rule is §4.3 and its due date the
    agreement's breach day plus 5 working days; ``escalated`` alone asks for the agreement."""
    assert [t["id"] for t in queries.tasks(store)] == [AGREEMENT, SUPERVISION, ESCALATION]
    assert [t["id"] for t in queries.tasks(store, states=["escalated"])] == [AGREEMENT]
    one = queries.task(store, ESCALATION)
    assert one is not None
    assert (one["due"], one["for"], one["escalates"], one["rule_detail"]["section"]) == (
        "2026-01-13", "hos1", AGREEMENT, "4.3")
    assert one["basis"]["explain"] == "2026-01-06 + 5 working days = 2026-01-13"
    assert queries.task(store, "relationship:tm1:w0:nothing") is None
    found = queries.task_with_entity(store, SUPERVISION)
    assert found is not None and (found[1]["subject"], found[1]["party"]) == ("w0", "tm1")


def test_the_store_queries_answer_events_entities_history_and_counts(swept, store):
    """hr-1 applied, hr-2 not; the relationship exists; its audit is the start then the breach;
    one entity, two timers, three tasks, four messages, one event claimed."""
    assert (queries.event_applied(store, "hr-1"), queries.event_applied(store, "hr-2")) == (
        True, False)
    ref = EntityRef("relationship", "tm1:w0")
    assert queries.entity_exists(store, ref)
    assert not queries.entity_exists(store, EntityRef("relationship", "tm1:w9"))
    assert [line["trigger"] for line in queries.transitions(store, ref)] == [
        "relationship started", "breach supervision_agreement"]
    assert queries.counts(store) == {"entities": 1, "timers": 2, "audit": 2, "tasks": 3,
                                     "outbox": 4, "processed_events": 1}
    status = queries.store_status(store, timers=1)
    assert (status.entities, status.tasks, status.messages) == (
        [("relationship", "agreement_pending", 1)], {"escalated": 1, "open": 2},
        {"pending": 4})
    assert [(t["name"], t["fires_on"]) for t in status.upcoming] == [
        ("task:agreement^", date(2026, 1, 14))]


def test_the_summary_by_rule_counts_the_breach_the_late_escalation_and_the_open_session(
        swept, store):
    """As of Sat 31 Jan: the agreement (§6) breached, the escalation (due Tue 13 Jan, unmet)
    late, the supervision (due Mon 2 Feb) open."""
    summary = {line["rule"]: (line["raised"], line["met"], line["breached"], line["late"],
                              line["open"])
               for line in queries.summary_by_rule(queries.tasks(store), date(2026, 1, 31))}
    assert summary == {"relationship.agreement": (1, 0, 1, 0, 0), "escalation": (1, 0, 0, 1, 0),
                       "personal_supervision.roles.qualified_social_worker": (1, 0, 0, 0, 1)}


def test_the_compliance_report_of_january_counts_the_agreement_breached(swept, store):
    """Due in Jan 2026, escalations left out: the agreement alone, breached, 0 % on time; the
    supervision (due 2 Feb) is February's, pending as of Mon 2 Feb in a Feb report."""
    january = compliance.compliance(store, compliance.Period(date(2026, 1, 1),
                                                             date(2026, 1, 31)))
    assert january["totals"] == {"due": 1, "on_time": 0, "breached": 1, "pending": 0,
                                 "percent_on_time": 0.0}
    assert january["breaches"] == [{"authority": "surrey", "section": "6",
                                    "rule": "relationship.agreement", "category": "other",
                                    "breached": 1}]
    february = compliance.compliance(store, compliance.Period(date(2026, 2, 1),
                                                              date(2026, 2, 28)),
                                     as_of=date(2026, 2, 2))
    assert february["totals"]["pending"] == 1


def test_a_teams_report_names_the_manager_and_everyone_below_and_refuses_a_stranger(store):
    """tm1's team: tm1, w0, w1 and a0 (hos1 is above); nobody called x9 manages anyone."""
    assert compliance.team_members(store, "tm1") == ["a0", "tm1", "w0", "w1"]
    with pytest.raises(UnknownEntity, match="no staff member 'x9'"):
        compliance.team_members(store, "x9")


def test_the_sessions_ahead_are_the_due_one_then_every_four_weeks(swept, service, store):
    """From Mon 5 Jan, three months: due Mon 2 Feb, projected Mon 2 Mar and Mon 30 Mar (each
    28 days on), each citing surrey §4.1 and numbered in the series."""
    ahead = planner.sessions_ahead(store, service.policy, "w0", today=date(2026, 1, 5),
                                   months=3)
    assert [(s.on, s.status, s.rule, s.obligation.rsplit(":", 1)[1]) for s in ahead] == [
        (date(2026, 2, 2), "due", "surrey §4.1", "1"),
        (date(2026, 3, 2), "projected", "surrey §4.1", "2"),
        (date(2026, 3, 30), "projected", "surrey §4.1", "3")]


def test_a_session_whose_date_moves_is_published_with_the_next_sequence(swept, service, store):
    """Published from Mon 5 Jan: session 2 projected Mon 2 Mar, SEQUENCE 0. After session 1 is
    held Tue 20 Jan, session 2 is due Tue 17 Feb (20 Jan + 28 days): SEQUENCE 1."""
    second = "relationship:tm1:w0:personal_supervision:2"
    _, first = planner.published_sessions(store, service.policy, "w0", today=date(2026, 1, 5),
                                          months=2)
    assert first[second] == 0
    record(service, type="supervision_held", on="2026-01-20", supervisor="tm1",
           supervisee="w0")
    sessions, again = planner.published_sessions(store, service.policy, "w0",
                                                 today=date(2026, 1, 20), months=2)
    assert {s.obligation: s.on for s in sessions}[second] == date(2026, 2, 17)
    assert again[second] == 1


def test_an_asye_journey_shows_the_weekly_phase_and_the_sessions_missed(service, store):
    """a0 enrolled Mon 5 Jan (weekly for 3 months, §4.1): as of Mon 2 Feb the sessions due
    Mon 12, 19 and 26 Jan are gaps, the fortnightly phase starts Sun 5 Apr, the final
    assessment is planned for Tue 5 Jan 2027."""
    record(service, type="relationship_started", on="2026-01-05", supervisor="tm1",
           supervisee="a0")
    record(service, type="asye_enrolled", on="2026-01-05", worker="a0", supervisor="tm1")
    journey = progress.journey(store, service.policy, "a0", as_of=date(2026, 2, 2))
    assert journey is not None
    assert (journey.phase, journey.next_phase, journey.next_phase_starts) == (
        "weekly", "fortnightly", date(2026, 4, 5))
    assert journey.phases[0].gaps == [date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 26)]
    assert journey.final.planned == date(2027, 1, 5)
    assert progress.journey(store, service.policy, "w0", as_of=date(2026, 2, 2)) is None


def test_the_store_today_is_londons_date_or_the_stores_last_day_if_later(swept, store):
    """Recorded Mon 5 Jan 23:30 UTC is Mon 5 Jan in London (GMT); the breach of Tue 6 Jan is
    the store's last change, so its today is Tue 6 Jan; told Wed 7 Jan, Wed 7 Jan."""
    assert compliance.store_today(store, datetime(2026, 1, 5, 23, 30, tzinfo=UTC)) == \
        date(2026, 1, 6)
    assert compliance.store_today(store, datetime(2026, 1, 7, 9, 0, tzinfo=UTC)) == \
        date(2026, 1, 7)


def test_a_quarters_trend_has_a_line_a_month_and_its_flat_table_every_line(swept, store):
    """Jan to Mar 2026: January's agreement breached, February's supervision (due Mon 2 Feb)
    pending as of Sun 1 Feb, nothing due in March (a line all the same); the flat table
    holds the categories, the two rules and the two months with something due."""
    report = compliance.compliance(store, compliance.Period(date(2026, 1, 1),
                                                            date(2026, 3, 31)),
                                   as_of=date(2026, 2, 1))
    assert [(m["month"], m["due"], m["breached"], m["pending"])
            for m in compliance.monthly_trend(report)] == [
        ("2026-01", 1, 1, 0), ("2026-02", 1, 0, 1), ("2026-03", 0, 0, 0)]
    flat = compliance.flat_rows(report)
    assert [line["table"] for line in flat].count("rule") == 2
    assert [(line["month"], line["due"]) for line in flat if line["table"] == "month"] == [
        ("2026-01", 1), ("2026-02", 1)]
    assert list(flat[0]) == compliance.FLAT_COLUMNS
