"""What a group of events and a batch of timers read: the staff they name at once, each entity
an event's routes look for once, and the same rows as when each is recorded alone.

The counts come from a fake store whose staff and entity reads are counted (the rows are the
fake's, nothing is mocked away); the comparisons run on real SQLite files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from oversight.adapters.policy_files import load_policy_book
from oversight.states.directory import StaffMember
from oversight.states.events import parse_event
from oversight.workflows.ports.store import StoredEntity
from oversight.workflows.recording.service import OversightService
from oversight.workflows.recording.stepping import StaffDirectory
from tests.fakes import FakeStore, FakeUnitOfWork
from tests.integration import team
from tests.integration.contract_stores import surrey_service
from tests.integration.store_snapshot import first_difference, snapshot

NOW = datetime(2026, 1, 12, 6, 0, tzinfo=UTC)
"""Mon 12 Jan 2026, 06:00: after every event below."""


class CountedStaff:
    """A unit of work's staff, each read counted by method."""

    def __init__(self, staff: Any, reads: Counter[str]):
        self._staff, self.reads = staff, reads

    def member(self, person: str) -> StaffMember | None:
        self.reads["member"] += 1
        return self._staff.member(person)

    def members(self, people: Iterable[str]) -> dict[str, StaffMember]:
        self.reads["members"] += 1
        return self._staff.members(people)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._staff, name)


class CountedEntities:
    """A unit of work's entities, each ``get`` and ``find`` counted with what it asked."""

    def __init__(self, entities: Any, reads: Counter[str]):
        self._entities, self.reads = entities, reads

    def get(self, kind: str, entity_id: str) -> StoredEntity | None:
        self.reads[f"get {kind}:{entity_id}"] += 1
        return self._entities.get(kind, entity_id)

    def find(self, kind: str, *, subject: str | None = None,
             party: str | None = None) -> list[StoredEntity]:
        self.reads[f"find {kind} subject={subject} party={party}"] += 1
        return self._entities.find(kind, subject=subject, party=party)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._entities, name)


class CountingStore(FakeStore):
    """The fake store, its units of work counting their staff and entity reads in ``reads``."""

    def __init__(self, staff: Iterable[StaffMember] = ()):
        super().__init__(staff)
        self.reads: Counter[str] = Counter()

    def __call__(self) -> FakeUnitOfWork:
        uow = super().__call__()
        uow.staff = CountedStaff(uow.staff, self.reads)  # type: ignore[assignment]  # counted
        uow.entities = CountedEntities(uow.entities, self.reads)  # type: ignore[assignment]
        return uow


def events(*items: dict[str, Any]) -> list[Any]:
    return [parse_event(item) for item in items]


def started(supervisee: str, on: str = "2026-01-05") -> dict[str, Any]:
    return {"type": "relationship_started", "on": on, "supervisor": "tm1",
            "supervisee": supervisee}


def test_a_group_of_events_reads_the_staff_it_names_in_one_query() -> None:
    """Two relationships started and an agreement signed (Mon 5 Jan) name tm1, w0 and w1: read
    together once for the group, and no member asked about one at a time."""
    store = CountingStore(team.staff(2, asyes=0))
    service = OversightService(uow_factory=store, policy=load_policy_book("surrey"))
    signed = {"type": "agreement_signed", "on": "2026-01-05", "supervisor": "tm1",
              "supervisee": "w0"}
    group = events(started("w0"), signed, started("w1"))
    results = service.record_each([(event, NOW) for event in group])
    assert [getattr(r, "applied", r) for r in results] == [1, 1, 1]
    assert (store.reads["members"], store.reads["member"]) == (1, 0)


def test_recording_one_event_reads_the_staff_it_asks_about_one_by_one() -> None:
    """Outside a group nothing is preloaded: a relationship started checks that tm1 and w0 are
    staff, one read each, and the machine's own questions about them are answered from those."""
    store = CountingStore(team.staff(1, asyes=0))
    service = OversightService(uow_factory=store, policy=load_policy_book("surrey"))
    service.record(parse_event(started("w0")), now=NOW)
    assert (store.reads["members"], store.reads["member"]) == (0, 2)


def test_an_oversight_recorded_reads_the_childs_oversight_and_assessment_once() -> None:
    """Both routes of oversight_recorded (the assessment's and the oversight's) ask for the
    child's management oversight: it is read once, the child's assessments once."""
    store = CountingStore(team.staff(1, asyes=0))
    service = OversightService(uow_factory=store, policy=load_policy_book("surrey"))
    service.record(parse_event({"type": "assessment_started", "on": "2026-01-05",
                                "child": "c1", "worker": "w0", "manager": "tm1"}), now=NOW)
    store.reads.clear()
    # Mon 5 Jan, the day it is due: no timer of the assessment falls due first.
    outcome = service.record(parse_event({"type": "oversight_recorded", "on": "2026-01-05",
                                          "child": "c1", "point": "allocation"}), now=NOW)
    assert outcome.applied == 1
    entity_reads = {read: n for read, n in store.reads.items() if read.startswith(("get", "find"))}
    assert entity_reads == {"get oversight:c1": 1,
                            "find assessment subject=c1 party=None": 1}


def test_a_batch_of_due_timers_reads_its_peoples_staff_records_together() -> None:
    """The agreements of w0 and w1 (started Mon 5 Jan, due Tue 6 Jan) breach on Wed 7 Jan and
    escalate to tm1's line manager hos1: one staff query for the batch, none one by one."""
    store = CountingStore(team.staff(2, asyes=0))
    service = OversightService(uow_factory=store, policy=load_policy_book("surrey"))
    service.record_each([(event, NOW) for event in events(started("w0"), started("w1"))])
    store.reads.clear()
    batch = service.fire_due(date(2026, 1, 7), now=NOW, limit=10)
    assert (batch.claimed, batch.outcome.tasks_breached) == (2, 2)
    assert (store.reads["members"], store.reads["member"]) == (1, 0)


def test_a_preloaded_directory_remembers_who_is_unknown() -> None:
    """Preloading tm1 and an unknown id reads both at once; asking again reads nothing, and a
    person not preloaded is still read when asked."""
    store = CountingStore(team.staff(1, asyes=0))
    with store() as uow:
        directory = StaffDirectory(uow.staff)
        directory.preload(["tm1", "nobody", "tm1"])
        assert directory.member("nobody") is None
        assert directory.line_manager_of("tm1") == "hos1"
        assert (store.reads["members"], store.reads["member"]) == (1, 0)
        assert directory.line_manager_of("w0") == "tm1"
        assert (store.reads["members"], store.reads["member"]) == (1, 1)


LEAVING = [
    started("w0"), started("w1"),
    {"type": "supervision_held", "on": "2026-01-06", "supervisor": "tm1", "supervisee": "w0"},
    {"type": "staff_left", "on": "2026-01-07", "person": "w0"},
    {"type": "supervision_held", "on": "2026-01-08", "supervisor": "tm1", "supervisee": "w1"},
    {"type": "role_changed", "on": "2026-01-08", "person": "w1", "role": "senior_practitioner"},
    {"type": "agreement_signed", "on": "2026-01-09", "supervisor": "tm1", "supervisee": "w1"},
]
"""A week with a leaver and a change of role among the events."""


def stores_after(folder: Path, record: Any) -> dict[str, list[dict[str, object]]]:
    with surrey_service("sqlite", folder, team.staff(2, asyes=0), name="week") as service:
        record(service, events(*LEAVING))
    return snapshot(folder / "week.db")


def test_a_week_with_a_leaver_recorded_as_one_group_leaves_the_rows_of_one_by_one(
        tmp_path: Path) -> None:
    """The same week recorded as one group (one directory) and event by event (a directory
    each) leaves the same entities, timers, tasks, audit, event log and outbox."""
    def one_by_one(service: OversightService, group: Sequence[Any]) -> None:
        for event in group:
            service.record(event, now=NOW)

    def together(service: OversightService, group: Sequence[Any]) -> None:
        results = service.record_each([(event, NOW) for event in group])
        assert all(getattr(r, "applied", 0) == 1 for r in results), results

    alone = stores_after(tmp_path / "alone", one_by_one)
    grouped = stores_after(tmp_path / "grouped", together)
    assert len(alone["tasks"]) > 4 and any(row["withdrawn_because"] for row in alone["tasks"])
    assert first_difference(alone, grouped) is None
