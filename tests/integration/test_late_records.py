"""Late records on a real store: applied in date order, the entity re-derived as if in time.

Surrey (surrey §4.1): a qualified social worker is supervised 4-weekly; a missed session's task
is escalated the day after it was due to the supervisor's line manager (tm1 → hos1, the head of
service). The team: hos1 above tm1, who supervises w0… (tests/integration/team.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def record(app: App, day: date, type_: str, *, when: datetime, **fields: Any) -> None:
    app.service.record(parse_event({"type": type_, "on": day.isoformat(), **fields}), now=when)


def sweep(app: App, as_of: date) -> None:
    while (batch := app.service.fire_due(as_of, now=at(as_of, 6), limit=100)).claimed:
        assert not batch.failed, batch.errors  # a failing timer stays due: never loop on it


def tasks(app: App, entity_id: str = "tm1:w0") -> list[dict[str, Any]]:
    with app.engine.connect() as connection:
        rows = connection.execute(select(t.tasks).where(t.tasks.c.entity_id == entity_id)
                                  .order_by(t.tasks.c.raised_on, t.tasks.c.id)).mappings()
        return [dict(row) for row in rows]


def messages(app: App, task_id: str) -> list[str]:
    with app.engine.connect() as connection:
        return list(connection.execute(select(t.outbox.c.type).where(
            t.outbox.c.task_id == task_id).order_by(t.outbox.c.seq)).scalars())


def _start(app: App, day: date) -> None:
    record(app, day, "relationship_started", when=at(day), supervisor="tm1", supervisee="w0")
    record(app, day, "agreement_signed", when=at(day), supervisor="tm1", supervisee="w0")


def _never_closed_before_raised(app: App) -> None:
    for row in tasks(app):
        assert row["closed_on"] is None or row["closed_on"] >= row["raised_on"], row["id"]


def test_a_session_held_on_time_but_recorded_after_the_sweep_is_met_late_escalation_withdrawn(
        app: App) -> None:
    """Started Mon 7 Sep 2026, the session is due Mon 5 Oct (7 Sep + 4 weeks); the sweep of Tue
    6 Oct escalates it to hos1. The session held Fri 2 Oct is recorded Thu 8 Oct: the task is
    met, recorded late (closed 2 Oct, recorded 8 Oct, no breach), the escalation is withdrawn on
    8 Oct with a message to its receivers, and the next session is due Fri 30 Oct (2 Oct + 4
    weeks)."""
    _start(app, date(2026, 9, 7))
    sweep(app, date(2026, 10, 6))
    first = next(r for r in tasks(app) if r["type"] == "personal_supervision")
    assert (first["due"], first["state"]) == (date(2026, 10, 5), "escalated")
    escalation = next(r for r in tasks(app) if r["type"] == "escalation")
    assert (escalation["assignee"], escalation["raised_on"]) == ("hos1", date(2026, 10, 6))

    record(app, date(2026, 10, 2), "supervision_held", when=at(date(2026, 10, 8)),
           supervisor="tm1", supervisee="w0")

    rows = {r["id"]: r for r in tasks(app)}
    met = rows[first["id"]]
    assert (met["state"], met["closed_on"], met["breached_on"]) == (
        "closed", date(2026, 10, 2), None)
    assert met["recorded_at"].replace(tzinfo=UTC) == at(date(2026, 10, 8))
    withdrawn = rows[escalation["id"]]
    assert (withdrawn["state"], withdrawn["closed_on"]) == ("withdrawn", date(2026, 10, 8))
    assert "recorded late" in withdrawn["withdrawn_because"]
    assert messages(app, escalation["id"]) == ["uk.oversight.task.opened",
                                              "uk.oversight.task.withdrawn"]
    assert messages(app, first["id"])[-1] == "uk.oversight.task.closed"
    following = [r for r in rows.values() if r["type"] == "personal_supervision"
                 and r["state"] == "open"]
    assert [(r["raised_on"], r["due"]) for r in following] == [
        (date(2026, 10, 2), date(2026, 10, 30))]
    _never_closed_before_raised(app)


def test_an_older_session_recorded_after_a_later_one_never_moves_the_schedule_backwards(
        app: App) -> None:
    """Started Mon 5 Oct 2026 (first session due Mon 2 Nov, escalated by the sweep of Tue 3
    Nov); held Fri 20 Nov, recorded that day: the next is due Fri 18 Dec (20 Nov + 4 weeks).
    Then the session held Mon 2 Nov is recorded on Mon 23 Nov: the task raised on 20 Nov stays
    open, due 18 Dec, and never shows closed 2 Nov; the first task was met on 2 Nov after all
    (met late), and its escalation is withdrawn."""
    _start(app, date(2026, 10, 5))
    sweep(app, date(2026, 11, 3))
    record(app, date(2026, 11, 20), "supervision_held", when=at(date(2026, 11, 20)),
           supervisor="tm1", supervisee="w0")
    raised_20th = next(r for r in tasks(app) if r["type"] == "personal_supervision"
                       and r["state"] == "open")
    assert raised_20th["due"] == date(2026, 12, 18)

    record(app, date(2026, 11, 2), "supervision_held", when=at(date(2026, 11, 23)),
           supervisor="tm1", supervisee="w0")

    rows = {r["id"]: r for r in tasks(app)}
    after = rows[raised_20th["id"]]
    assert (after["state"], after["closed_on"], after["raised_on"], after["due"]) == (
        "open", None, date(2026, 11, 20), date(2026, 12, 18))
    first = next(r for r in rows.values() if r["type"] == "personal_supervision"
                 and r["due"] == date(2026, 11, 2))
    assert (first["state"], first["closed_on"], first["breached_on"]) == (
        "closed", date(2026, 11, 2), None)
    assert next(r for r in rows.values() if r["type"] == "escalation")["state"] == "withdrawn"
    # The session due Mon 30 Nov (2 Nov + 4 weeks) that the 20 Nov one met, now on record.
    assert [(r["raised_on"], r["due"], r["closed_on"]) for r in rows.values()
            if r["due"] == date(2026, 11, 30)] == [
        (date(2026, 11, 2), date(2026, 11, 30), date(2026, 11, 20))]
    with app.engine.connect() as connection:
        timers = connection.execute(select(t.timers.c.name, t.timers.c.fires_on).where(
            t.timers.c.entity_id == "tm1:w0", t.timers.c.name.like("task:supervision%"))).all()
    assert [fires for _, fires in timers] == [date(2026, 12, 19)]  # the day after 18 Dec
    _never_closed_before_raised(app)


def test_the_late_event_is_in_the_log_and_the_audit_with_its_date_and_its_recording_time(
        app: App) -> None:
    """The audit line of the re-derivation carries the event's date (2 Oct) and the moment it
    was recorded (8 Oct); the event log keeps the event with both."""
    _start(app, date(2026, 9, 7))
    sweep(app, date(2026, 10, 6))
    record(app, date(2026, 10, 2), "supervision_held", when=at(date(2026, 10, 8)),
           supervisor="tm1", supervisee="w0", event_id="lcs-77")
    with app.engine.connect() as connection:
        logged = connection.execute(select(t.event_log.c.on, t.event_log.c.recorded_at).where(
            t.event_log.c.record_id == "lcs-77")).all()
        audit = connection.execute(select(t.audit.c.on, t.audit.c.recorded_at).where(
            t.audit.c.trigger == "rederive")).all()
    assert [(on, at_.replace(tzinfo=UTC)) for on, at_ in logged] == [
        (date(2026, 10, 2), at(date(2026, 10, 8)))]
    assert [(on, at_.replace(tzinfo=UTC)) for on, at_ in audit] == [
        (date(2026, 10, 2), at(date(2026, 10, 8)))]


def test_retracting_the_late_record_raises_the_withdrawn_escalation_again_under_its_id(
        app: App) -> None:
    """The 2 Oct session (recorded 8 Oct) is retracted on Fri 9 Oct: the task due Mon 5 Oct is
    open again with its timer of Tue 6 Oct; the sweep of 9 Oct fires it, so the escalation
    withdrawn on 8 Oct is raised again under the same id, dated 6 Oct as in time, and its
    receivers get a new message after the withdrawal."""
    from oversight.workflows.recording.retraction import Corrections

    _start(app, date(2026, 9, 7))
    sweep(app, date(2026, 10, 6))
    record(app, date(2026, 10, 2), "supervision_held", when=at(date(2026, 10, 8)),
           supervisor="tm1", supervisee="w0", event_id="lcs-5")
    Corrections(app.service).retract("lcs-5", reason="not held after all", actor="os:ops",
                                     now=at(date(2026, 10, 9)))
    sweep(app, date(2026, 10, 9))
    rows = {r["key"]: r for r in tasks(app)}
    first = next(r for r in rows.values() if r["type"] == "personal_supervision"
                 and r["due"] == date(2026, 10, 5))
    assert first["state"] == "escalated"
    again = rows[first["key"] + "^"]
    assert (again["state"], again["raised_on"], again["assignee"]) == (
        "open", date(2026, 10, 6), "hos1")
    assert messages(app, again["id"]) == ["uk.oversight.task.opened",
                                          "uk.oversight.task.withdrawn",
                                          "uk.oversight.task.opened"]


def test_a_late_event_for_an_entity_older_than_the_event_log_is_refused_store_unchanged(
        app: App) -> None:
    """A relationship whose events predate revision 0007 (its log rows gone) cannot be
    re-derived: a late session is refused with the reason, and nothing changes."""
    from sqlalchemy import delete

    from oversight.states.errors import EventRejected
    from tests.integration.helpers import snapshot

    _start(app, date(2026, 9, 7))
    sweep(app, date(2026, 10, 6))
    with app.engine.begin() as connection:
        connection.execute(delete(t.event_log))
    before = snapshot(app.engine)
    try:
        record(app, date(2026, 10, 2), "supervision_held", when=at(date(2026, 10, 8)),
               supervisor="tm1", supervisee="w0")
    except EventRejected as refused:
        assert "before the event log began" in str(refused)
    else:
        raise AssertionError("the late event was applied")
    assert snapshot(app.engine) == before
