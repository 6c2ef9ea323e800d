"""Recording events: persisted across processes, applied once, refused without a trace."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from oversight.states.errors import EventRejected, UnknownEntity
from oversight.workflows.bootstrap import App, open_app
from oversight.workflows.settings import Settings
from tests.integration.databases import PostgresStores, SqliteStores
from tests.integration.helpers import Worker, counts, record, rows, snapshot


def test_events_and_timers_written_by_one_process_are_read_and_fired_by_another(
        worker: Worker, stores: SqliteStores | PostgresStores, tmp_path: Path) -> None:
    """A store one process writes is complete for a second, whose fired timers a third reads."""
    url = stores.url()
    [seeded] = worker.run("seed", url, "--workers", "4", "--asyes", "1")
    written = seeded["seeded"]
    # relationships, the ASYE's relationship, assessments, the ASYE
    assert written["entities"] == 4 + 1 + 4 + 1

    # Read by this (third) process before anything fires: every entity and armed timer is there.
    app = open_app(Settings(home=tmp_path, database_url=url))
    assert {name: n for name, n in counts(app.engine).items() if name in written} == written
    entities = {(r["kind"], r["id"]): r for r in rows(app.engine, "entities")}
    assert entities[("assessment", "c0")]["state"] == "completed"
    assert entities[("assessment", "c3")]["state"] == "in_progress"  # allocation oversight recorded
    assert entities[("assessment", "c1")]["state"] == "allocated"
    assert entities[("asye", "a0")]["state"] == "weekly"
    timers = {(r["entity_kind"], r["entity_id"], r["name"]): r for r in rows(app.engine, "timers")}
    # c1's C&F started Tue 3 Feb 2026: day 35 is Tue 24 Mar (7 weeks, no bank holiday between).
    assert timers[("assessment", "c1", "day35")]["fires_on"] == date(2026, 3, 24)
    # The 45 working days are Working Together 2023's, adopted by surrey §4.1.
    limit_rule = timers[("assessment", "c1", "limit")]["rule"]
    assert (limit_rule["section"], limit_rule["adopted_by"]) == ("Chapter 3", "4.1")

    # A second process fires what is due by 1 April; its breaches are visible here afterwards.
    lines = worker.run("sweep", url, "--as-of", "2026-04-01")
    done = lines[-1]["done"]
    assert done["fired"] > 0 and done["stale"] == 0
    after = {(r["kind"], r["id"]): r for r in rows(app.engine, "entities")}
    assert after[("assessment", "c1")]["state"] == "due"
    assert after[("assessment", "c1")]["version"] > entities[("assessment", "c1")]["version"]
    tasks = {r["id"]: r for r in rows(app.engine, "tasks")}
    assert tasks["assessment:c1:mo:day10"]["state"] == "escalated"
    assert tasks["assessment:c1:mo:day10^"]["assignee"] == "hos1"
    assert all(t["fires_on"] > date(2026, 4, 1) for t in rows(app.engine, "timers"))
    fired_audit = [a for a in rows(app.engine, "audit") if a["cause"].startswith("timer:")]
    assert len(fired_audit) >= 1 and all(a["on"] <= date(2026, 4, 1) for a in fired_audit)


def test_a_duplicate_event_id_is_applied_once(app: App) -> None:
    """The same event delivered twice changes the store once; the repeat is counted, not applied."""
    event = dict(type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="w0",
                 event_id="hr-42")
    first = record(app, **event)
    assert (first.applied, first.duplicates) == (1, 0)
    before = snapshot(app.engine)
    again = record(app, **event)
    assert (again.applied, again.duplicates) == (0, 1)
    assert snapshot(app.engine) == before
    # Only the id decides: a different body under a used id is the same delivery repeated.
    session = dict(type="supervision_held", on="2026-01-20", supervisor="tm1", supervisee="w0",
                   event_id="hr-43")
    record(app, **session)
    middle = snapshot(app.engine)
    assert record(app, **{**session, "on": "2026-01-27"}).duplicates == 1
    assert snapshot(app.engine) == middle
    assert [e["event_id"] for e in rows(app.engine, "processed_events")] == ["hr-42", "hr-43"]
    [entity] = rows(app.engine, "entities")
    # Created Mon 5 Jan; the agreement due that day is escalated Tue 6 Jan and the escalation
    # (due Tue 13 Jan, 5 working days) breached Wed 14 Jan, both fired before the session of
    # Tue 20 Jan is applied (a breach is judged by the dates): 1 + 2 firings + 1 session.
    assert entity["version"] == 4


def test_events_without_an_id_are_each_applied(app: App) -> None:
    """Without an event id there is nothing to de-duplicate on: two sessions are two sessions."""
    record(app, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="w0")
    for _ in range(2):
        record(app, type="supervision_held", on="2026-01-20", supervisor="tm1", supervisee="w0")
    [entity] = rows(app.engine, "entities")
    # 1 (created) + 2 firings before the first session (the agreement due Mon 5 Jan escalated
    # Tue 6 Jan, its escalation breached Wed 14 Jan) + 2 sessions.
    assert entity["version"] == 5
    assert rows(app.engine, "processed_events") == []


def test_an_event_the_state_refuses_changes_nothing_in_any_table(seeded: App) -> None:
    """A second signature of a signed agreement is refused and leaves every row as it was."""
    before = snapshot(seeded.engine)
    with pytest.raises(EventRejected, match="'active' and does not accept 'agreement_signed'"):
        record(seeded, type="agreement_signed", on="2026-03-02", supervisor="tm1", supervisee="w0",
               event_id="again")
    assert snapshot(seeded.engine) == before


def test_an_event_refused_by_its_second_entity_leaves_the_first_unchanged(seeded: App) -> None:
    """A session both lifecycles must accept is all-or-nothing: the ASYE's refusal undoes the
    relationship's step."""
    record(seeded, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="a1")
    record(seeded, type="asye_enrolled", on="2026-01-19", worker="a1", supervisor="tm1")
    before = snapshot(seeded.engine)
    # The relationship (from 5 Jan) accepts a session on 12 Jan; the ASYE (from 19 Jan) cannot.
    with pytest.raises(EventRejected, match="before the entity started"):
        record(seeded, type="supervision_held", on="2026-01-12", supervisor="tm1", supervisee="a1",
               event_id="early")
    assert snapshot(seeded.engine) == before


def test_an_event_about_an_unknown_person_changes_nothing(seeded: App) -> None:
    """An event naming someone the staff table lacks is refused, naming them; no rows written."""
    before = snapshot(seeded.engine)
    with pytest.raises(UnknownEntity, match="'nobody'"):
        record(seeded, type="relationship_started", on="2026-01-05", supervisor="tm1",
               supervisee="nobody", event_id="x")
    assert snapshot(seeded.engine) == before


def test_a_refused_event_can_be_delivered_again_once_it_is_valid(app: App) -> None:
    """A refusal does not use up the event id: the same delivery applies once its cause is fixed."""
    session = dict(type="supervision_held", on="2026-01-20", supervisor="tm1", supervisee="w0",
                   event_id="early-session")
    with pytest.raises(UnknownEntity):
        record(app, **session)
    record(app, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="w0")
    assert record(app, **session).applied == 1
    assert [e["event_id"] for e in rows(app.engine, "processed_events")] == ["early-session"]
