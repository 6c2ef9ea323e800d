"""A supervisee's supervision file (hull §3 "Storage and Retention of Supervision Records").

sw2's file is opened when tm1 starts supervising sw2 on Mon 2 Mar 2026; tm1's line manager is
hos1. sw2 leaves on Tue 31 Mar 2026.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.errors import EventRejected
from oversight.states.events import (
    DomainEvent,
    RelationshipStarted,
    StaffLeft,
    SupervisionFileArchived,
    SupervisionFileDestroyed,
    SupervisionFileOpened,
    SupervisionFileTransferred,
    parse_event,
)
from oversight.states.machines import KINDS, SupervisionFile
from oversight.states.values import EntityRef, TaskChange

OPENED = date(2026, 3, 2)      # Mon
LEFT = date(2026, 3, 31)       # Tue
ARCHIVED = date(2026, 4, 20)   # Mon
DESTROY_ON = date(2033, 3, 31)  # seven years (84 months) after employment ended


def started(on: date = OPENED) -> RelationshipStarted:
    return RelationshipStarted(on=on, supervisor="tm1", supervisee="sw2")


def transferred(on: date, to: str = "tm2") -> SupervisionFileTransferred:
    return SupervisionFileTransferred(on=on, person="sw2", new_supervisor=to)


def left(on: date = LEFT) -> StaffLeft:
    return StaffLeft(on=on, person="sw2")


def archived(on: date = ARCHIVED, custodian: str | None = None) -> SupervisionFileArchived:
    return SupervisionFileArchived(on=on, person="sw2", custodian=custodian)


def destroyed(on: date) -> SupervisionFileDestroyed:
    return SupervisionFileDestroyed(on=on, person="sw2")


@pytest.fixture
def file(lifeline):
    """sw2's file under Hull's policy, opened by the relationship with tm1."""
    line = lifeline(SupervisionFile, "sw2", policy=load_policy("hull"))
    line.begin(started())
    return line


@pytest.fixture
def leaver(file):
    file.apply(left())
    return file


@pytest.fixture
def archive(leaver):
    leaver.apply(archived())
    return leaver


def refused(line, event: DomainEvent, reason: str) -> None:
    machine = line.load()
    state, data = machine.state, copy.deepcopy(machine.data)
    with pytest.raises(EventRejected, match=reason):
        machine.apply(event)
    assert (machine.state, machine.data) == (state, data)


def test_the_supervision_file_is_registered_as_its_own_kind():
    """``supervision_file`` names SupervisionFile; its events parse by type."""
    assert KINDS["supervision_file"] is SupervisionFile
    event = parse_event({"type": "staff_left", "on": "2026-03-31", "person": "sw2"})
    assert isinstance(event, StaffLeft)


# ----- opening ---------------------------------------------------------------------------------


def test_a_relationship_opens_the_supervisees_file_held_by_the_supervisor(file):
    """open, subject sw2, party tm1; nothing is due while sw2 is employed."""
    step = file.step
    assert step.created and step.state == "open"
    assert step.entity == EntityRef("supervision_file", "sw2")
    assert SupervisionFile.people(step.data) == ("sw2", "tm1")
    assert step.opened == () and step.arm == ()
    [record] = step.transitions
    assert (record.trigger, record.rule.authority, record.rule.section) == ("opened", "hull", "3")


def test_a_file_can_be_opened_explicitly(lifeline):
    """supervision_file_opened names the person and the supervisor."""
    line = lifeline(SupervisionFile, "sw2", policy=load_policy("hull"))
    step = line.begin(SupervisionFileOpened(on=OPENED, person="sw2", supervisor="tm1"))
    assert step.state == "open" and step.data["supervisor"] == "tm1"


@pytest.mark.parametrize("authority, opens", [("hull", True), ("devon", False), ("surrey", False)])
def test_a_relationship_opens_a_file_only_where_the_policy_keeps_files(authority, opens):
    """Only Hull has retention rules; a relationship or a leaving opens a file only there (a
    leaving elsewhere ends the leaver's obligations, workflows/recording/leaving.py); the file's own
    events always reach the machine."""
    policy = load_policy(authority)
    assert SupervisionFile.starts_under(policy, started()) is opens
    assert SupervisionFile.starts_under(policy, left()) is opens


@pytest.mark.parametrize("event", [left(), SupervisionFileOpened(on=OPENED, person="sw2",
                                                                   supervisor="tm1")],
                         ids=["staff_left", "supervision_file_opened"])
def test_a_policy_without_retention_rules_refuses_the_files_events(event, lifeline):
    """Devon's file has no retention section."""
    line = lifeline(SupervisionFile, "sw2", policy=load_policy("devon"))
    with pytest.raises(EventRejected, match="this policy has no retention rules"):
        line.begin(event)


# ----- moving team -----------------------------------------------------------------------------


def test_hull_s3_a_team_move_transfers_the_file_to_the_new_supervisor(file):
    """The file stays open; tm2 holds it and tm1 is kept as the previous supervisor."""
    step = file.apply(transferred(date(2026, 3, 16)))
    assert step.state == "open"
    assert [(r.source, r.dest, r.trigger, r.rule.section) for r in step.transitions] == [
        ("open", "open", "transfer", "3")]
    assert step.data["supervisor"] == "tm2"
    assert step.data["previous_supervisors"] == [{"supervisor": "tm1", "until": "2026-03-16"}]
    assert SupervisionFile.people(step.data) == ("sw2", "tm2")


def test_a_transfer_to_the_supervisor_who_holds_it_is_refused(file):
    """tm1 already holds sw2's file."""
    refused(file, transferred(date(2026, 3, 16), "tm1"), "tm1 already holds the file")


def test_a_policy_that_keeps_files_but_does_not_transfer_them_refuses_a_transfer(lifeline):
    """transfer_on_move: false."""
    hull = load_policy("hull")
    policy = hull.model_copy(update={
        "version": "no-transfer",
        "retention": hull.retention.model_copy(update={"transfer_on_move": False})})
    line = lifeline(SupervisionFile, "sw2", policy=policy)
    line.begin(started())
    refused(line, transferred(date(2026, 3, 16)), "does not transfer the file")


# ----- leaving, archiving, destroying ----------------------------------------------------------


def test_hull_s3_a_leavers_file_is_archived_with_hr_within_one_month(leaver):
    """Left Tue 31 Mar 2026: archived by Thu 30 Apr 2026 (one month, clamped to April's end)."""
    step = leaver.step
    assert step.state == "left" and step.data["employment_ended"] == "2026-03-31"
    [task] = step.opened
    assert (task.key, task.type, task.assignee, task.subject, task.due) == (
        "archive", "archive_supervision_file", "tm1", "supervisee:sw2", date(2026, 4, 30))
    assert (task.rule.authority, task.rule.section, task.rule.rule) == ("hull", "3", "retention")
    assert leaver.armed["task:archive"].fires_on == date(2026, 5, 1)


def test_hull_s3_an_archived_file_is_due_for_destruction_seven_years_after_employment_ended(
        archive):
    """Archived Mon 20 Apr 2026: the destruction timer and task fall on Thu 31 Mar 2033."""
    step = archive.step
    assert step.state == "archived"
    assert step.changed == (TaskChange("archive", "closed", ARCHIVED),)
    assert {t.name: t.fires_on for t in step.arm} == {
        "destruction": DESTROY_ON, "task:destroy": date(2033, 4, 1)}
    [task] = step.opened
    assert (task.key, task.type, task.assignee, task.assignee_role, task.due) == (
        "destroy", "destroy_supervision_file", "tm1", "custodian", DESTROY_ON)
    assert task.basis.start == LEFT and task.basis.interval == "84 months"
    assert step.data["destroy_on"] == "2033-03-31"


def test_the_archive_names_who_holds_it_and_will_destroy_it(leaver):
    """custodian hos1 (standing in for HR) gets the destruction task."""
    step = leaver.apply(archived(custodian="hos1"))
    assert step.opened[0].assignee == "hos1" and step.data["custodian"] == "hos1"


def test_the_destruction_timer_makes_the_file_due_for_destruction(archive):
    """archived → due_for_destruction on Thu 31 Mar 2033; firing again changes nothing."""
    step = archive.fire("destruction")
    assert step.state == "due_for_destruction"
    assert [(r.source, r.dest, r.trigger) for r in step.transitions] == [
        ("archived", "due_for_destruction", "reach_destruction_date")]
    again = archive.load().fire("destruction", DESTROY_ON)
    assert again.state == "due_for_destruction" and again.transitions == ()


def test_destroying_the_file_on_its_date_closes_the_task(archive):
    """due_for_destruction → destroyed; nothing left armed."""
    archive.fire("destruction")
    step = archive.apply(destroyed(DESTROY_ON))
    assert step.state == "destroyed"
    assert step.changed == (TaskChange("destroy", "closed", DESTROY_ON),)
    assert archive.tasks == {} and archive.armed == {}


def test_a_file_destroyed_before_the_sweep_reached_its_date_disarms_the_timer(archive):
    """archived → destroyed directly on the day; the destruction timer is disarmed."""
    step = archive.apply(destroyed(DESTROY_ON))
    assert step.state == "destroyed" and "destruction" in step.disarm


def test_hull_s3_a_file_is_not_destroyed_before_its_seven_years(archive):
    """Destroying it on Wed 30 Mar 2033 is refused, naming the date."""
    refused(archive, destroyed(date(2033, 3, 30)), "kept until 2033-03-31 \\(hull §3\\)")


def test_an_archive_missed_is_escalated_to_the_supervisors_line_manager(leaver):
    """Fri 1 May 2026: the archive task is escalated to hos1; archiving later closes both."""
    step = leaver.fire("task:archive")
    assert [(t.key, t.assignee) for t in step.opened] == [("archive^", "hos1")]
    late = leaver.apply(archived(date(2026, 5, 6)))
    assert {c.key for c in late.changed} == {"archive", "archive^"}


def test_a_leaver_the_store_held_no_file_for_gets_one_opened_and_left(lifeline):
    """staff_left first: opened with sw2's line manager as holder, and the archive is due."""
    line = lifeline(SupervisionFile, "sw2", policy=load_policy("hull"))
    step = line.begin(left())
    assert step.created and step.state == "left"
    assert step.data["supervisor"] == "tm1"
    assert [r.trigger for r in step.transitions] == ["opened", "leave"]
    assert step.opened[0].due == date(2026, 4, 30)


def test_a_transfer_to_a_file_never_opened_opens_it_with_the_new_supervisor(lifeline):
    """supervision_file_transferred first: the file starts with tm2."""
    line = lifeline(SupervisionFile, "sw2", policy=load_policy("hull"))
    step = line.begin(transferred(date(2026, 3, 16)))
    assert step.state == "open" and step.data["supervisor"] == "tm2"


# ----- refusals --------------------------------------------------------------------------------

ON = date(2034, 1, 2)
EVENTS = {"transferred": transferred(ON), "left": left(ON), "archived": archived(ON),
          "destroyed": destroyed(ON)}
ACCEPTS = {
    "open": {"transferred", "left"},
    "left": {"archived"},
    "archived": {"destroyed"},
    "due_for_destruction": {"destroyed"},
    "destroyed": set(),
}


def file_in(state: str, lifeline):
    line = lifeline(SupervisionFile, "sw2", policy=load_policy("hull"))
    line.begin(started())
    if state != "open":
        line.apply(left())
    if state in ("archived", "due_for_destruction", "destroyed"):
        line.apply(archived())
    if state == "due_for_destruction":
        line.fire("destruction")
    if state == "destroyed":
        line.apply(destroyed(DESTROY_ON))
    assert line.state == state
    return line


@pytest.mark.parametrize("state", list(ACCEPTS))
@pytest.mark.parametrize("name", list(EVENTS))
def test_each_state_accepts_its_events_and_refuses_the_rest_unchanged(state, name, lifeline):
    """A refused event names the state and changes nothing; an accepted one is applied."""
    line = file_in(state, lifeline)
    if name in ACCEPTS[state]:
        line.apply(EVENTS[name])
    else:
        refused(line, EVENTS[name], f"is '{state}'")


def test_an_event_of_another_kind_is_refused_unchanged(file):
    """The file knows nothing of sessions."""
    from oversight.states.events import SessionRecorded

    refused(file, SessionRecorded(on=ON, session="s1"), "not an event of this kind")


def test_only_hulls_policy_file_has_retention_rules_and_its_test_is_above():
    """A file that adds retention rules needs a test of the dates they produce."""
    from oversight.adapters.policy_files import available_policies

    assert [n for n in available_policies() if load_policy(n).retention is not None] == ["hull"]
