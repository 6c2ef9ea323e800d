"""The practice lifecycles end to end: events through routing into a real SQLite store.

A Hull store runs a session, a team activity and a supervision file; a Surrey store runs
management oversight beside the Child and Family Assessment, which shares a point name with it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.directory import StaffMember
from oversight.states.errors import EventRejected, UnknownEntity
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.settings import Settings
from tests.integration.databases import PostgresStores, SqliteStores
from tests.integration.helpers import rows, snapshot, sweep

NOW = datetime(2026, 12, 31, 6, 0, tzinfo=UTC)
STAFF = [
    StaffMember("hos1", "senior_manager", started=date(2012, 9, 3), qualified=date(2004, 7, 1)),
    StaffMember("tm1", "manager", started=date(2018, 4, 3), line_manager="hos1",
                qualified=date(2012, 7, 1)),
    StaffMember("tm2", "manager", started=date(2019, 4, 1), line_manager="hos1",
                qualified=date(2013, 7, 1)),
    StaffMember("sw2", "qualified_social_worker", started=date(2021, 9, 1), line_manager="tm1",
                qualified=date(2020, 7, 1)),
]


def store(home: Path, policy: str, url: str) -> App:
    """An initialised store at ``url`` (files under ``home``) running ``policy``, with the
    four staff."""
    home.mkdir()
    app = initialise(Settings(home=home, database_url=url), policy)
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert(STAFF)
        uow.commit()
    return app


def record(app: App, **fields: Any):  # type: ignore[no-untyped-def]
    return app.service.record(parse_event(fields), now=NOW)


def entities(app: App) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["kind"], r["id"]): r for r in rows(app.engine, "entities")}


def tasks(app: App) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in rows(app.engine, "tasks")}


@pytest.fixture
def hull(tmp_path: Path, stores: SqliteStores | PostgresStores) -> App:
    """A Hull store: sessions, team activities and files, no management oversight."""
    return store(tmp_path / "hull", "hull", stores.migrated("hull"))


@pytest.fixture
def surrey(tmp_path: Path, stores: SqliteStores | PostgresStores) -> App:
    """A Surrey store: management oversight beside the C&F assessment, no files."""
    return store(tmp_path / "surrey", "surrey", stores.migrated("surrey"))


def test_hull_sessions_team_activities_and_files_run_through_routing_and_the_store(hull: App):
    """One event of each new kind reaches its entity; tasks, timers and breaches are stored."""
    # A relationship opens sw2's supervision file (hull §3).
    record(hull, type="relationship_started", on="2026-03-02", supervisor="tm1", supervisee="sw2")
    assert entities(hull)[("supervision_file", "sw2")]["state"] == "open"

    # A planned session held short: held, flagged, its record and signatures due Tue 17 Mar.
    record(hull, type="session_planned", on="2026-03-02", supervisor="tm1", supervisee="sw2",
           session="s1", for_date="2026-03-10")
    record(hull, type="supervision_held", on="2026-03-10", supervisor="tm1", supervisee="sw2",
           session="s1", minutes=45)
    session = entities(hull)[("session", "s1")]
    assert (session["state"], session["subject"], session["party"]) == ("held", "sw2", "tm1")
    assert session["data"]["short"] == {"minutes": 45, "minimum": 60}
    found = tasks(hull)
    assert {k: (found[k]["due"], found[k]["section"]) for k in
            ("session:s1:record", "session:s1:sign")} == {
        "session:s1:record": (date(2026, 3, 17), "3"), "session:s1:sign": (date(2026, 3, 17), "3")}
    assert any(a["trigger"] == "short session: 45 of 60 minutes"
               for a in rows(hull.engine, "audit") if a["entity_id"] == "s1")

    # An unplanned session is kept, already held, because Hull times its record.
    record(hull, type="supervision_held", on="2026-03-24", supervisor="tm1", supervisee="sw2",
           minutes=90)
    assert entities(hull)[("session", "tm1:sw2:2026-03-24")]["state"] == "held"

    # A session cancelled for sickness waits for the return; back Wed 15 Apr, due Mon 20 Apr.
    record(hull, type="session_planned", on="2026-03-24", supervisor="tm1", supervisee="sw2",
           session="s2", for_date="2026-04-02")
    record(hull, type="session_cancelled", on="2026-04-01", session="s2", reason="sickness")
    record(hull, type="returned_to_work", on="2026-04-15", person="sw2")
    assert tasks(hull)["session:s2:reschedule:1"]["due"] == date(2026, 4, 20)
    with pytest.raises(UnknownEntity, match="no session cancelled for sickness waits"):
        record(hull, type="returned_to_work", on="2026-04-16", person="sw2")

    # The team's monthly reflective discussion (hull §3).
    record(hull, type="team_activity_held", on="2026-03-10", activity="reflective_discussion",
           owner="t1", lead="tm1")
    activity = entities(hull)[("team_activity", "reflective_discussion:t1")]
    assert (activity["state"], activity["subject"], activity["party"]) == ("running", "t1", "tm1")
    assert tasks(hull)["team_activity:reflective_discussion:t1:reflective_discussion:1"]["due"] \
        == date(2026, 4, 10)

    # sw2 moves to tm2's team, then leaves: archive by Thu 30 Apr, destroy on Thu 31 Mar 2033.
    record(hull, type="supervision_file_transferred", on="2026-03-16", person="sw2",
           new_supervisor="tm2")
    record(hull, type="staff_left", on="2026-03-31", person="sw2")
    archive = tasks(hull)["supervision_file:sw2:archive"]
    assert (archive["assignee"], archive["due"]) == ("tm2", date(2026, 4, 30))
    record(hull, type="supervision_file_archived", on="2026-04-20", person="sw2")
    file = entities(hull)[("supervision_file", "sw2")]
    # The store indexes the party of an entity as created; the holder now is in its data.
    assert (file["state"], file["data"]["supervisor"]) == ("archived", "tm2")
    timers = {(t["entity_kind"], t["entity_id"], t["name"]): t["fires_on"]
              for t in rows(hull.engine, "timers")}
    assert timers[("supervision_file", "sw2", "destruction")] == date(2033, 3, 31)

    # The sweep breaches what was not done: s1's record was never written.
    sweep(hull, as_of=date(2026, 3, 18))
    assert tasks(hull)["session:s1:record"]["state"] == "escalated"
    assert tasks(hull)["session:s1:record^"]["assignee"] == "hos1"
    assert {m["task_id"] for m in rows(hull.engine, "outbox")} >= {
        "session:s1:record", "supervision_file:sw2:archive"}


def test_a_hull_store_refuses_management_oversight_and_changes_nothing(hull: App):
    """Hull's file has no management_oversight section: the trigger is refused, no row written."""
    before = snapshot(hull.engine)
    with pytest.raises(EventRejected, match="this policy has no management oversight rules"):
        record(hull, type="oversight_triggered", on="2026-03-02", child="c1",
               trigger="significant_incident", manager="tm1")
    assert snapshot(hull.engine) == before


def test_surrey_oversight_is_routed_to_whichever_of_assessment_and_oversight_awaits_the_point(
        surrey: App):
    """allocation is both a C&F point and a trigger; a trigger's point needs no assessment."""
    record(surrey, type="assessment_started", on="2026-03-25", child="c1", worker="sw2",
           manager="tm1")
    record(surrey, type="oversight_triggered", on="2026-03-25", child="c1", trigger="allocation",
           manager="tm1", worker="sw2")
    assert entities(surrey)[("oversight", "c1")]["state"] == "awaiting"
    assert tasks(surrey)["oversight:c1:mo:allocation:1"]["due"] == date(2026, 3, 25)

    record(surrey, type="oversight_recorded", on="2026-03-25", child="c1", point="allocation")
    found = entities(surrey)
    assert found[("assessment", "c1")]["state"] == "in_progress"
    assert found[("oversight", "c1")]["state"] == "clear"

    # c2 has no assessment: its trigger's oversight goes to the oversight entity alone.
    record(surrey, type="oversight_triggered", on="2026-03-27", child="c2",
           trigger="significant_event_or_referral", manager="tm1")
    assert tasks(surrey)["oversight:c2:mo:significant_event_or_referral:1"]["due"] == \
        date(2026, 4, 1)
    record(surrey, type="oversight_recorded", on="2026-03-30", child="c2",
           point="significant_event_or_referral")
    assert entities(surrey)[("oversight", "c2")]["state"] == "clear"
    assert ("assessment", "c2") not in entities(surrey)

    # A point nobody awaits still goes to the assessment, which names its own points.
    with pytest.raises(EventRejected, match="unknown oversight point 'vulnerable_learner'"):
        record(surrey, type="oversight_recorded", on="2026-03-30", child="c1",
               point="vulnerable_learner")
    with pytest.raises(EventRejected, match="unknown trigger 'drift_or_delay'; this policy has "
                                            "allocation"):
        record(surrey, type="oversight_triggered", on="2026-03-30", child="c1",
               trigger="drift_or_delay", manager="tm1")


def test_surrey_keeps_no_files_and_no_unplanned_sessions(surrey: App):
    """No retention rule, no recording rule: only the relationship is created, and a leaving
    opens no file (it ends the relationship: workflows/recording/leaving.py)."""
    record(surrey, type="relationship_started", on="2026-03-02", supervisor="tm1", supervisee="sw2")
    record(surrey, type="supervision_held", on="2026-03-10", supervisor="tm1", supervisee="sw2",
           minutes=90)
    assert set(entities(surrey)) == {("relationship", "tm1:sw2")}
    record(surrey, type="staff_left", on="2026-03-31", person="sw2")
    assert set(entities(surrey)) == {("relationship", "tm1:sw2")}
    assert entities(surrey)[("relationship", "tm1:sw2")]["state"] == "ended"
