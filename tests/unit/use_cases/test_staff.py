"""Staff on the in-memory store: a leaver's obligations ending (leaving.py), the HR import and
line managers (staff_records.py), the directory's upsert (``upsert_staff``), and the duties owed
by each member of staff, one by one or the whole staff list (staff_duties.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from oversight.adapters.policy_files import load_policy_book
from oversight.states.directory import StaffMember
from oversight.workflows.ports.store import StaffRecord
from oversight.workflows.recording.service import OversightService
from oversight.workflows.recording.staff_duties import (
    duty_events,
    start_for_staff_list,
    start_staff_duties,
)
from oversight.workflows.recording.staff_records import import_staff, line_managers
from tests.fakes import FakeStore
from tests.unit.use_cases.conftest import (
    AGREEMENT,
    ESCALATION,
    STARTED,
    SUPERVISION,
    record,
    task_states,
)

LEFT_BECAUSE = "w0 left on 2026-01-20"


def test_a_leavers_relationship_ends_and_each_of_its_tasks_is_withdrawn_on_the_leaving_day(
        service, store):
    """w0 leaves Tue 20 Jan: the catch-up first breaches the agreement (Tue 6 Jan) and its
    escalation (Wed 14 Jan, due Tue 13 Jan); then the relationship ends and the agreement,
    escalation and first supervision (due Mon 2 Feb) are withdrawn on 20 Jan, saying why."""
    record(service, **STARTED)
    outcome = record(service, type="staff_left", on="2026-01-20", person="w0", event_id="hr-2")
    assert (outcome.applied, outcome.fired, outcome.tasks_breached) == (1, 2, 2)
    assert task_states(store) == {AGREEMENT: ("withdrawn", "2026-01-05"),
                                  ESCALATION: ("withdrawn", "2026-01-13"),
                                  SUPERVISION: ("withdrawn", "2026-02-02")}
    assert {(row["closed_on"], row["withdrawn_because"]) for row in store.rows.tasks.values()} \
        == {(date(2026, 1, 20), LEFT_BECAUSE)}
    assert store.rows.entities[("relationship", "tm1:w0")].state == "ended"
    assert store.rows.timers == {}
    assert [m["message"]["type"].rsplit(".", 1)[1] for m in store.rows.outbox][-3:] == [
        "withdrawn", "withdrawn", "withdrawn"]


def test_an_hr_import_adds_new_staff_updates_changed_ones_and_leaves_the_same_alone(store):
    """tm1 unchanged, w0 now managed by hos1, n1 new: 1 added, 1 updated, 1 unchanged; a dry
    run of a second new person counts it and keeps nothing."""
    records = [
        StaffRecord("tm1", "manager", date(2018, 4, 3), "hos1", date(2012, 7, 1), False, False,
                    None),
        StaffRecord("w0", "qualified_social_worker", date(2021, 9, 1), "hos1",
                    date(2020, 7, 1), False, False, None),
        StaffRecord("n1", "qualified_social_worker", date(2026, 2, 2), "tm1", date(2025, 7, 1),
                    True, False, "east")]
    assert import_staff(store, records) == {"added": 1, "updated": 1, "unchanged": 1}
    assert line_managers(store)["w0"] == "hos1"
    assert store.rows.staff["n1"] == StaffMember("n1", "qualified_social_worker",
                                                 date(2026, 2, 2), "tm1", date(2025, 7, 1))
    extra = StaffRecord("n2", "asye", date(2026, 3, 2), "tm1", date(2025, 7, 1), False, False,
                        None)
    assert import_staff(store, [extra], dry_run=True)["added"] == 1
    assert "n2" not in store.rows.staff


def test_the_line_managers_are_those_of_the_staff_list(store):
    """hos1 at the top, tm1 under hos1, w0, w1 and a0 under tm1."""
    assert line_managers(store) == {"hos1": None, "tm1": "hos1", "w0": "tm1", "w1": "tm1",
                                    "a0": "tm1"}


def test_upserting_staff_replaces_a_member_and_counts_each_written(service, store):
    """w1 promoted to manager and a new w2: two written, w1's role now manager."""
    written = service.upsert_staff([
        StaffMember("w1", "manager", started=date(2021, 9, 1), line_manager="hos1",
                    qualified=date(2020, 7, 1)),
        StaffMember("w2", "qualified_social_worker", started=date(2026, 1, 5),
                    line_manager="tm1", qualified=date(2025, 7, 1))])
    assert written == 2
    assert (store.rows.staff["w1"].role, len(store.rows.staff)) == ("manager", 6)


def test_each_member_of_staff_is_started_on_devons_per_person_duties_once():
    """Devon asks an appraisal (§8, every 12 months) and a session plan (§4.2) of each staff
    member: recorded on Mon 2 Mar 2026, w0 (with a line manager) gets both, started that day;
    hos1 (none to lead) gets none; run again, the event ids make it change nothing."""
    store = FakeStore([
        StaffMember("hos1", "senior_manager", started=date(2012, 9, 3), qualified=date(2004, 7, 1)),
        StaffMember("w0", "qualified_social_worker", started=date(2021, 9, 1),
                    line_manager="hos1", qualified=date(2020, 7, 1))])
    service = OversightService(uow_factory=store, policy=load_policy_book("devon"))
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    members = [("hos1", date(2012, 9, 3), None), ("w0", date(2021, 9, 1), "hos1")]
    events = duty_events(service, members, today=date(2026, 3, 2))
    assert [(e.activity, e.owner, e.lead, e.on, e.event_id) for e in events] == [
        ("appraisal", "w0", "hos1", date(2026, 3, 2), "staff-duty:appraisal:w0"),
        ("session_plan", "w0", "hos1", date(2026, 3, 2), "staff-duty:session_plan:w0")]
    assert start_staff_duties(service, members, now=now).applied == 2
    assert sorted(key for key in store.rows.entities) == [
        ("team_activity", "appraisal:w0"), ("team_activity", "session_plan:w0")]
    # The appraisal one interval on: Tue 2 Mar 2027; the first plan within 5 working days:
    # Tue 3, Wed 4, Thu 5, Fri 6, Mon 9 Mar 2026 (the weekend of 7-8 Mar skipped). Each is the
    # lead's to hold: hos1.
    assert sorted((row["type"], row["due"], row["assignee"], row["section"])
                  for row in store.rows.tasks.values()) == [
        ("appraisal", date(2027, 3, 2), "hos1", "8"),
        ("session_plan", date(2026, 3, 9), "hos1", "4.2")]
    assert start_staff_duties(service, members, now=now).applied == 0


def test_the_whole_staff_list_is_started_on_its_duties_from_the_day_recorded():
    """start_for_staff_list under Devon, recorded Mon 2 Mar 2026: hos1 leads w0 and w1, so
    each of them gets the appraisal and the session plan (4 starts); hos1, with nobody above,
    none."""
    store = FakeStore([
        StaffMember("hos1", "senior_manager", started=date(2012, 9, 3), qualified=date(2004, 7, 1)),
        *[StaffMember(person, "qualified_social_worker", started=date(2021, 9, 1),
                      line_manager="hos1", qualified=date(2020, 7, 1)) for person in ("w0", "w1")]])
    service = OversightService(uow_factory=store, policy=load_policy_book("devon"))
    outcome = start_for_staff_list(service, now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert outcome.applied == 4
    assert sorted(ident for _, ident in store.rows.entities) == [
        "appraisal:w0", "appraisal:w1", "session_plan:w0", "session_plan:w1"]
