"""A breach is a fact about dates: the same events give the same tasks with or without a sweep.

Surrey (surrey §4.1): a qualified social worker is supervised 4-weekly; a missed session is
escalated the day after it was due to the supervisor's line manager (tm1 → hos1), who has 5
working days to act (the file's choice, surrey §4.3); hos1 has no line manager, so a missed
escalation is breached. The team: hos1 above tm1, who supervises w0 (tests/integration/team.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from oversight.adapters.cli.app import app as cli
from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.integration.test_late_records import at, messages, record, sweep, tasks

STARTED = date(2026, 9, 22)  # Tue: the first session due Tue 20 Oct (22 Sep + 4 weeks)
HELD = date(2026, 11, 10)  # Tue: three weeks late


def _start(app: App) -> None:
    record(app, STARTED, "relationship_started", when=at(STARTED), supervisor="tm1",
           supervisee="w0")
    record(app, STARTED, "agreement_signed", when=at(STARTED), supervisor="tm1",
           supervisee="w0")


def _standing(app: App) -> list[tuple[Any, ...]]:
    return [(r["type"], r["assignee"], r["raised_on"], r["due"], r["state"], r["breached_on"],
             r["closed_on"]) for r in tasks(app) if r["state"] != "withdrawn"]


EXPECTED = [
    # The agreement, due and signed on the day the relationship began.
    ("supervision_agreement", "tm1", STARTED, STARTED, "closed", None, STARTED),
    # Due Tue 20 Oct, held Tue 10 Nov: met late, breached Wed 21 Oct.
    ("personal_supervision", "tm1", STARTED, date(2026, 10, 20), "closed",
     date(2026, 10, 21), HELD),
    # Raised Wed 21 Oct, due Wed 28 Oct (Thu 22, Fri 23, Mon 26, Tue 27, Wed 28: 5 working
    # days); missed, breached Thu 29 Oct (hos1 has no line manager to go to); ended with its
    # task on 10 Nov.
    ("escalation", "hos1", date(2026, 10, 21), date(2026, 10, 28), "closed",
     date(2026, 10, 29), HELD),
    # The next session, due Tue 8 Dec (10 Nov + 4 weeks).
    ("personal_supervision", "tm1", HELD, date(2026, 12, 8), "open", None, None),
]


def test_a_session_held_three_weeks_late_with_no_sweep_between_is_met_late_and_escalated(
        app: App) -> None:
    """Recorded in date order, on their days, and no sweep ran: the session due Tue 20 Oct and
    held Tue 10 Nov was breached on Wed 21 Oct, and escalated to hos1 that day."""
    _start(app)
    record(app, HELD, "supervision_held", when=at(HELD, 17), supervisor="tm1", supervisee="w0")
    assert _standing(app) == EXPECTED


def test_the_same_events_end_the_same_with_a_sweep_every_day_or_recorded_newest_first(
        app: App) -> None:
    """A sweep every morning from 22 Sep to 10 Nov, then the session: the same tasks, breaches
    and escalation as with no sweep at all."""
    _start(app)
    day = STARTED
    while day <= HELD:
        sweep(app, day)
        day = date.fromordinal(day.toordinal() + 1)
    record(app, HELD, "supervision_held", when=at(HELD, 17), supervisor="tm1", supervisee="w0")
    assert _standing(app) == EXPECTED


def test_why_says_the_late_session_was_met_late_and_when_it_was_breached(app: App) -> None:
    """``why`` for the session due 20 Oct: closed on 10 Nov, breached on 21 Oct."""
    _start(app)
    record(app, HELD, "supervision_held", when=at(HELD, 17), supervisor="tm1", supervisee="w0")
    first = next(r for r in tasks(app) if r["due"] == date(2026, 10, 20))
    shown = CliRunner().invoke(cli, ["why", first["id"]])
    assert shown.exit_code == 0, shown.output
    assert "State: closed on 2026-11-10, late (breached 2026-10-21)" in shown.output


def test_an_escalation_already_over_is_recorded_and_one_still_standing_is_raised(
        app: App) -> None:
    """No sweep, no agreement signed: the session held Tue 10 Nov ends the session due 20 Oct
    and its escalation, so hos1 is sent nothing for that escalation (it was over before anyone
    knew) and tm1 only that the task was closed; the agreement due Tue 22 Sep, escalated Wed 23
    Sep, is still not met, so its escalation (due Wed 30 Sep: Thu 24, Fri 25, Mon 28, Tue 29,
    Wed 30) is raised and its breach of Thu 1 Oct sent."""
    record(app, STARTED, "relationship_started", when=at(STARTED), supervisor="tm1",
           supervisee="w0")
    record(app, HELD, "supervision_held", when=at(HELD, 17), supervisor="tm1", supervisee="w0")
    rows = {(r["type"], r["due"]): r for r in tasks(app)}
    session = rows[("personal_supervision", date(2026, 10, 20))]
    over = rows[("escalation", date(2026, 10, 28))]
    agreement = rows[("supervision_agreement", STARTED)]
    standing = rows[("escalation", date(2026, 9, 30))]
    assert (over["state"], over["breached_on"], over["closed_on"]) == (
        "closed", date(2026, 10, 29), HELD)
    assert (standing["state"], standing["breached_on"]) == ("breached", date(2026, 10, 1))
    assert messages(app, session["id"]) == ["uk.oversight.task.opened",
                                            "uk.oversight.task.closed"]
    assert messages(app, over["id"]) == []
    assert messages(app, agreement["id"]) == ["uk.oversight.task.opened",
                                              "uk.oversight.task.escalated"]
    assert messages(app, standing["id"]) == ["uk.oversight.task.opened",
                                             "uk.oversight.task.breached"]


def test_a_leaving_recorded_with_no_sweep_leaves_the_session_missed_before_it_breached(
        app: App) -> None:
    """w0 leaves Tue 10 Nov and no sweep ran: the session due Tue 20 Oct was missed before the
    leaving day, so it was breached on Wed 21 Oct and escalated to hos1 (breached Thu 29 Oct),
    as with a sweep every morning; the relationship is ended (as left), every task withdrawn on the
    leaving day with its breach kept."""
    _start(app)
    record(app, HELD, "staff_left", when=at(HELD, 17), person="w0")
    first = next(r for r in tasks(app) if r["due"] == date(2026, 10, 20))
    assert (first["state"], first["breached_on"], first["closed_on"]) == (
        "withdrawn", date(2026, 10, 21), HELD)
    escalation = next(r for r in tasks(app) if r["type"] == "escalation")
    assert (escalation["assignee"], escalation["raised_on"], escalation["breached_on"],
            escalation["state"]) == ("hos1", date(2026, 10, 21), date(2026, 10, 29), "withdrawn")
    with app.engine.connect() as connection:
        assert connection.execute(select(t.entities.c.state).where(
            t.entities.c.id == "tm1:w0")).scalar_one() == "ended"
