"""Corrections and leavers on a real store: a retracted event, an amended one, a leaver, a move.

Surrey (surrey §4.1): a qualified social worker is supervised 4-weekly; tm1 supervises w0…, its
line manager is hos1 (tests/integration/team.py). tm1 and w0 begin on Mon 7 Sep 2026, so the
first session is due Mon 5 Oct (7 Sep + 4 weeks) and its timer fires Tue 6 Oct.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App
from oversight.workflows.recording.retraction import Corrections

STARTED = date(2026, 9, 7)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def record(app: App, day: date, type_: str, *, when: datetime | None = None, **fields: Any
           ) -> None:
    app.service.record(parse_event({"type": type_, "on": day.isoformat(), **fields}),
                       now=when or at(day))


def sweep(app: App, as_of: date) -> None:
    while (batch := app.service.fire_due(as_of, now=at(as_of, 6), limit=100)).claimed:
        assert not batch.failed, batch.errors  # a failing timer stays due: never loop on it


def tasks(app: App, entity_id: str) -> list[dict[str, Any]]:
    with app.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(t.tasks).where(
            t.tasks.c.entity_id == entity_id).order_by(t.tasks.c.raised_on, t.tasks.c.id))
            .mappings()]


def supervision(app: App, entity_id: str = "tm1:w0") -> list[tuple[Any, ...]]:
    return [(r["raised_on"], r["due"], r["state"], r["closed_on"])
            for r in tasks(app, entity_id) if r["type"] == "personal_supervision"]


def _pair(app: App) -> None:
    record(app, STARTED, "relationship_started", supervisor="tm1", supervisee="w0")
    record(app, STARTED, "agreement_signed", supervisor="tm1", supervisee="w0")


def test_a_retracted_session_reopens_the_task_it_met_and_withdraws_the_one_it_raised(
        app: App) -> None:
    """Session 'held' Fri 2 Oct (next due Fri 30 Oct), retracted on Thu 8 Oct: the task due
    Mon 5 Oct is open again (then escalated by the sweep of 8 Oct, as it would have been on 6
    Oct), the one due 30 Oct is withdrawn; the log and the audit keep who, when and why."""
    _pair(app)
    record(app, date(2026, 10, 2), "supervision_held", supervisor="tm1", supervisee="w0",
           event_id="lcs-1")
    assert supervision(app)[-1] == (date(2026, 10, 2), date(2026, 10, 30), "open", None)

    Corrections(app.service).retract("lcs-1", reason="recorded against the wrong worker",
                                     actor="os:ops", now=at(date(2026, 10, 8)))

    assert supervision(app) == [
        (STARTED, date(2026, 10, 5), "open", None),
        (date(2026, 10, 2), date(2026, 10, 30), "withdrawn", date(2026, 10, 8))]
    sweep(app, date(2026, 10, 8))
    assert supervision(app)[0][2] == "escalated"
    with app.engine.connect() as connection:
        logged = connection.execute(select(
            t.event_log.c.retracted_by, t.event_log.c.retract_reason).where(
            t.event_log.c.record_id == "lcs-1")).all()
        audit = connection.execute(select(t.audit.c.cause, t.audit.c.actor).where(
            t.audit.c.trigger == "rederive")).all()
        kinds = connection.execute(select(t.outbox.c.type).where(
            t.outbox.c.task_id == "relationship:tm1:w0:supervision:2")).scalars().all()
    assert logged == [("os:ops", "recorded against the wrong worker")]
    assert [actor for _, actor in audit] == ["os:ops"]
    assert "retracted lcs-1" in audit[0][0] and "wrong worker" in audit[0][0]
    assert kinds == ["uk.oversight.task.opened", "uk.oversight.task.withdrawn"]


def test_an_amended_session_date_is_retracted_and_recorded_in_one_step(app: App) -> None:
    """'Held Fri 2 Oct' amended to Thu 1 Oct: the first task closes on 1 Oct, the next is due
    Thu 29 Oct (1 Oct + 4 weeks), the one the wrong date raised is withdrawn."""
    _pair(app)
    record(app, date(2026, 10, 2), "supervision_held", supervisor="tm1", supervisee="w0",
           event_id="lcs-2")
    corrected = parse_event({"type": "supervision_held", "on": "2026-10-01",
                             "supervisor": "tm1", "supervisee": "w0", "event_id": "lcs-2b"})
    Corrections(app.service).amend("lcs-2", corrected, reason="wrong date",
                                   actor="os:ops", now=at(date(2026, 10, 8)))
    assert supervision(app) == [
        (STARTED, date(2026, 10, 5), "closed", date(2026, 10, 1)),
        (date(2026, 10, 1), date(2026, 10, 29), "open", None),
        (date(2026, 10, 2), date(2026, 10, 30), "withdrawn", date(2026, 10, 8))]


def test_a_leaver_is_no_longer_supervised_and_their_child_goes_to_the_manager(app: App) -> None:
    """w0 leaves on Fri 9 Oct, with a session due Fri 30 Oct and child c0's assessment: the
    relationship ends, its task is withdrawn citing the leaving, no breach follows (swept to
    Mon 30 Nov), and tm1 gets a task to reallocate c0, due that day (surrey §4.1: oversight
    at allocation, 0 working days)."""
    _pair(app)
    record(app, date(2026, 10, 2), "supervision_held", supervisor="tm1", supervisee="w0")
    record(app, date(2026, 10, 5), "assessment_started", child="c0", worker="w0",
           manager="tm1")
    record(app, date(2026, 10, 9), "staff_left", person="w0")
    sweep(app, date(2026, 11, 30))

    with app.engine.connect() as connection:
        state = connection.execute(select(t.entities.c.state).where(
            t.entities.c.id == "tm1:w0")).scalar_one()
        timers = connection.execute(select(t.timers.c.name).where(
            t.timers.c.entity_id == "tm1:w0")).scalars().all()
    assert (state, timers) == ("ended", [])
    assert supervision(app)[-1] == (date(2026, 10, 2), date(2026, 10, 30), "withdrawn",
                                    date(2026, 10, 9))
    withdrawn = [r for r in tasks(app, "tm1:w0") if r["state"] == "withdrawn"]
    assert withdrawn and all(r["withdrawn_because"] == "w0 left on 2026-10-09"
                             for r in withdrawn)
    assert not [r for r in tasks(app, "tm1:w0") if r["state"] in ("breached", "escalated")]
    [reallocate] = [r for r in tasks(app, "c0") if r["type"] == "reallocate_child"]
    assert (reallocate["assignee"], reallocate["due"], reallocate["authority"],
            reallocate["section"]) == ("tm1", date(2026, 10, 9), "surrey", "4.1")


def test_a_move_of_team_carries_on_with_no_false_breach(app: App) -> None:
    """w0 moves from tm1 to hos1 on Fri 9 Oct (ended as moved, a new relationship started and
    its agreement signed):
    the old session task (due Fri 30 Oct) is withdrawn, not breached; the new one is due Fri 6
    Nov (9 Oct + 4 weeks); swept to Thu 5 Nov nothing is breached."""
    _pair(app)
    record(app, date(2026, 10, 2), "supervision_held", supervisor="tm1", supervisee="w0")
    record(app, date(2026, 10, 9), "relationship_ended", supervisor="tm1", supervisee="w0",
           reason="moved")
    record(app, date(2026, 10, 9), "relationship_started", supervisor="hos1", supervisee="w0")
    record(app, date(2026, 10, 9), "agreement_signed", supervisor="hos1", supervisee="w0")
    sweep(app, date(2026, 11, 5))
    assert supervision(app)[-1][2:] == ("withdrawn", date(2026, 10, 9))
    assert supervision(app, "hos1:w0") == [(date(2026, 10, 9), date(2026, 11, 6), "open", None)]
    breached = [r for e in ("tm1:w0", "hos1:w0") for r in tasks(app, e)
                if r["state"] in ("breached", "escalated")]
    assert breached == []


def test_a_leaving_entered_a_week_late_withdraws_the_breach_that_followed_it(app: App) -> None:
    """w0's last day is Fri 23 Oct; the session due Fri 30 Oct (2 Oct + 4 weeks) is escalated
    by the sweep of Sat 31 Oct; HR enters the leaving on Mon 2 Nov. Re-derived from 23 Oct:
    the relationship ended that day, the session task withdrawn on 23 Oct, the escalation to
    hos1 withdrawn with a message."""
    _pair(app)
    record(app, date(2026, 10, 2), "supervision_held", supervisor="tm1", supervisee="w0")
    sweep(app, date(2026, 10, 31))
    [escalation] = [r for r in tasks(app, "tm1:w0") if r["type"] == "escalation"]
    record(app, date(2026, 10, 23), "staff_left", person="w0", when=at(date(2026, 11, 2)))
    assert supervision(app)[-1] == (date(2026, 10, 2), date(2026, 10, 30), "withdrawn",
                                    date(2026, 10, 23))
    rows = {r["id"]: r for r in tasks(app, "tm1:w0")}
    assert rows[escalation["id"]]["state"] == "withdrawn"
    with app.engine.connect() as connection:
        state = connection.execute(select(t.entities.c.state).where(
            t.entities.c.id == "tm1:w0")).scalar_one()
        kinds = connection.execute(select(t.outbox.c.type).where(
            t.outbox.c.task_id == escalation["id"]).order_by(t.outbox.c.seq)).scalars().all()
    assert state == "ended"
    assert kinds == ["uk.oversight.task.opened", "uk.oversight.task.withdrawn"]


def test_a_leaving_supervisor_leaves_their_supervisee_owed_supervision_by_the_line_manager(
        app: App) -> None:
    """tm1 leaves on Fri 9 Oct: the relationship with w0 ends, and hos1 (tm1's line manager)
    gets a task that day to arrange w0's supervision, citing w0's cadence (surrey §4.1)."""
    _pair(app)
    record(app, date(2026, 10, 9), "staff_left", person="tm1")
    [arrange] = [r for r in tasks(app, "tm1:w0") if r["type"] == "arrange_supervision"]
    assert (arrange["assignee"], arrange["due"], arrange["state"], arrange["section"]) == (
        "hos1", date(2026, 10, 9), "open", "4.1")
    assert supervision(app)[-1][2:] == ("withdrawn", date(2026, 10, 9))
