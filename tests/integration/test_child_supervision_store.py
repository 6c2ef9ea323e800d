"""Child-specific supervision through routing and the store: Devon's policy on a real SQLite file.

tm1 (line manager hos1) supervises sw2 and sw3; c1 is allocated to sw2 on Mon 2 Mar 2026 and
discussed at sw2's personal supervision on Mon 16 Mar; c2 is allocated to sw2 only on 20 Mar.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.directory import StaffMember
from oversight.states.errors import UnknownEntity
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.recording.service import Outcome
from oversight.workflows.settings import Settings
from tests.integration.databases import PostgresStores, SqliteStores
from tests.integration.helpers import rows, snapshot, sweep

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def devon(tmp_path: Path, stores: SqliteStores | PostgresStores,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    """An initialised Devon store with tm1's team, and sw2 and sw3 under supervision."""
    for name in ("OVERSIGHT_DATABASE_URL", "OVERSIGHT_POLICY_DIR", "OVERSIGHT_HOME"):
        monkeypatch.delenv(name, raising=False)
    app = initialise(Settings(home=tmp_path, database_url=stores.migrated("devon")), "devon")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert([
            StaffMember("hos1", "senior_manager", started=date(2012, 9, 3)),
            StaffMember("tm1", "manager", started=date(2018, 4, 3), line_manager="hos1"),
            StaffMember("sw2", "qualified_social_worker", started=date(2021, 9, 1),
                        line_manager="tm1"),
            StaffMember("sw3", "qualified_social_worker", started=date(2021, 9, 1),
                        line_manager="tm1"),
        ])
        uow.commit()
    for supervisee in ("sw2", "sw3"):
        record(app, type="relationship_started", on="2026-03-02", supervisor="tm1",
               supervisee=supervisee)
    yield app


def record(app: App, **event: object) -> Outcome:
    return app.service.record(parse_event(dict(event)), now=NOW)


def tasks(app: App) -> dict[str, dict]:
    return {row["id"]: row for row in rows(app.engine, "tasks")
            if row["entity_kind"] == "child_supervision"}


def test_a_child_allocated_and_discussed_at_a_session_is_kept_through_routing_and_the_store(
        devon: App) -> None:
    """Allocation opens devon §5.1's tasks; the session listing c1 closes them and opens §5.3's."""
    record(devon, type="child_allocated", on="2026-03-02", child="c1", worker="sw2", manager="tm1",
           case_type="cin", risk="high")
    [entity] = [e for e in rows(devon.engine, "entities") if e["kind"] == "child_supervision"]
    assert (entity["id"], entity["state"], entity["subject"], entity["party"]) == \
        ("c1", "allocated", "c1", "sw2")
    opened = tasks(devon)
    assert {k: (t["type"], t["due"], t["section"]) for k, t in opened.items()} == {
        "child_supervision:c1:allocation:1": ("allocation_discussion", date(2026, 3, 5), "5.1"),
        "child_supervision:c1:case_note:1": ("manager_case_note", date(2026, 3, 5), "5.1"),
        "child_supervision:c1:discussion:2": ("child_discussion", date(2026, 4, 2), "5.1"),
    }

    # c2 is allocated after the session's day: the session does not reach it.
    record(devon, type="child_allocated", on="2026-03-20", child="c2", worker="sw2", manager="tm1",
           case_type="cp")
    outcome = record(devon, type="supervision_held", on="2026-03-16", supervisor="tm1",
                     supervisee="sw2", minutes=90, children_discussed=["c1"])
    assert outcome.applied == 1
    entities = {e["id"]: e for e in rows(devon.engine, "entities")
                if e["kind"] == "child_supervision"}
    assert entities["c1"]["state"] == "supervised" and entities["c2"]["version"] == 1
    after = tasks(devon)
    assert after["child_supervision:c1:allocation:1"]["state"] == "closed"
    assert after["child_supervision:c1:discussion:2"]["state"] == "closed"
    # The case note due Thu 5 Mar was not written by the session's day: breached Fri 6 Mar,
    # before the session of Mon 16 Mar is applied, and escalated to tm1's manager.
    assert (after["child_supervision:c1:case_note:1"]["state"],
            after["child_supervision:c1:case_note:1"]["breached_on"]) == (
        "escalated", date(2026, 3, 6))
    fresh = {k: (t["type"], t["due"]) for k, t in after.items()
             if k.startswith("child_supervision:c1:") and t["raised_on"] == date(2026, 3, 16)}
    assert fresh == {"child_supervision:c1:discussion:3": ("child_discussion", date(2026, 4, 16)),
                     "child_supervision:c1:record:4": ("child_supervision_record",
                                                       date(2026, 3, 19))}
    timers = {(t["entity_id"], t["name"]): t["fires_on"] for t in rows(devon.engine, "timers")
              if t["entity_kind"] == "child_supervision"}
    assert timers[("c1", "task:discussion:3")] == date(2026, 4, 17)
    assert ("c1", "task:allocation:1") not in timers
    audit = [a for a in rows(devon.engine, "audit")
             if a["entity_kind"] == "child_supervision" and a["entity_id"] == "c1"]
    # Overdue from Fri 6 Mar (the allocation discussion due Thu 5 Mar missed), then discussed.
    assert ("overdue", "supervised", "discuss") in {(a["source"], a["dest"], a["trigger"])
                                                      for a in audit}
    outbox = [m for m in rows(devon.engine, "outbox") if "child_supervision:c1" in str(m)]
    assert outbox  # the opened and closed tasks are on their way to the receiving systems

    # The record and the case note close the last tasks; a sweep past the due date breaches c1.
    record(devon, type="child_supervision_recorded", on="2026-03-18", child="c1")
    record(devon, type="manager_case_note_recorded", on="2026-03-18", child="c1")
    assert sweep(devon, date(2026, 4, 17))["fired"] > 0
    c1 = next(e for e in rows(devon.engine, "entities")
              if e["kind"] == "child_supervision" and e["id"] == "c1")
    assert c1["state"] == "overdue"
    assert tasks(devon)["child_supervision:c1:discussion:3"]["state"] == "escalated"


def test_a_session_of_a_worker_with_no_children_is_recorded_as_before(devon: App) -> None:
    """sw3 has no allocated child: the session applies to the relationship and fails nothing."""
    outcome = record(devon, type="supervision_held", on="2026-03-16", supervisor="tm1",
                     supervisee="sw3", children_discussed=["c9"])
    assert outcome.applied == 1
    assert not [e for e in rows(devon.engine, "entities") if e["kind"] == "child_supervision"]


def test_events_about_a_child_never_allocated_are_refused_with_the_reason(devon: App) -> None:
    """A discussion of an unknown child names what to record first; nothing is written."""
    before = snapshot(devon.engine)
    with pytest.raises(UnknownEntity, match="record child_allocated first"):
        record(devon, type="child_supervision_held", on="2026-03-16", child="c9", worker="sw2")
    assert snapshot(devon.engine) == before
