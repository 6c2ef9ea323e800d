"""The staff import's use case on the in-memory store: counts of added, updated and unchanged
staff, and a dry run that writes nothing."""

from __future__ import annotations

from datetime import date

from oversight.workflows.ports.store import StaffRecord
from oversight.workflows.recording.staff_records import import_staff, line_managers
from tests.fakes import FakeStore

HOS1 = StaffRecord("hos1", "head_of_service", date(2020, 1, 6), None, None, False, False, None)
TM1 = StaffRecord("tm1", "team_manager", date(2021, 3, 1), "hos1", None, False, False, "north")


def test_a_first_import_adds_each_member_and_a_second_changes_nothing() -> None:
    """hos1 and tm1 are added, then the same file again leaves both unchanged."""
    store = FakeStore()
    assert import_staff(store, [HOS1, TM1]) == {"added": 2, "updated": 0, "unchanged": 0}
    assert import_staff(store, [HOS1, TM1]) == {"added": 0, "updated": 0, "unchanged": 2}
    assert line_managers(store) == {"hos1": None, "tm1": "hos1"}


def test_a_new_line_manager_is_an_update() -> None:
    """tm1 moves under tm0 (a new member): tm0 added, tm1 updated, hos1 unchanged."""
    store = FakeStore()
    import_staff(store, [HOS1, TM1])
    tm0 = StaffRecord("tm0", "team_manager", date(2019, 5, 7), "hos1", None, False, False, None)
    moved = StaffRecord("tm1", "team_manager", date(2021, 3, 1), "tm0", None, False, False,
                        "north")
    assert import_staff(store, [HOS1, tm0, moved]) == {"added": 1, "updated": 1, "unchanged": 1}
    assert line_managers(store)["tm1"] == "tm0"


def test_a_dry_run_counts_what_it_would_do_and_writes_nothing() -> None:
    """Two would be added; the store still holds nobody."""
    store = FakeStore()
    assert import_staff(store, [HOS1, TM1], dry_run=True) == {"added": 2, "updated": 0,
                                                               "unchanged": 0}
    assert line_managers(store) == {}
