"""What a close may name, checked by the use case on the in-memory store: a supervisor names
only their own team's session and children; a writer may name any child the store holds, and
is told which it does not (workflows/recording/references.py)."""

from __future__ import annotations

from datetime import date

from oversight.states.directory import StaffMember
from oversight.workflows.ports.store import StoredEntity
from oversight.workflows.recording.references import UNSEEN, unseen_or_not_held
from tests.fakes import FakeStore

MONDAY = date(2026, 3, 2)  # Monday 2 March 2026: every row below starts and moves on it


def _entity(kind: str, ident: str, subject: str, party: str | None,
            state: str = "active") -> StoredEntity:
    return StoredEntity(kind, ident, "surrey", "1", state, 1, subject, party, MONDAY, MONDAY, {})


def _store() -> FakeStore:
    """tm1 supervises sw1, who holds child c1; tm2 supervises sw3, who holds c2 and has the
    booked session west-s1."""
    store = FakeStore(staff=[
        StaffMember("tm1", "manager", date(2018, 4, 3), None, date(2012, 7, 1)),
        StaffMember("tm2", "manager", date(2019, 4, 1), None, date(2013, 7, 1))])
    for row in (_entity("relationship", "tm1:sw1", "sw1", "tm1"),
                _entity("relationship", "tm2:sw3", "sw3", "tm2"),
                _entity("assessment", "c1", "c1", "sw1"),
                _entity("assessment", "c2", "c2", "sw3"),
                _entity("session", "west-s1", "sw3", "tm2", state="planned")):
        store.rows.entities[(row.kind, row.id)] = row
    return store


def test_a_supervisor_may_name_their_own_teams_child():
    """tm1 names c1 (sw1's, whom tm1 supervises): nothing refused."""
    assert unseen_or_not_held(_store(), "supervisor", "tm1",
                              {"children_discussed": ["c1"]}) is None


def test_a_supervisor_naming_another_teams_session_is_told_it_is_unseen():
    """tm1 names west-s1 (tm2's session with sw3): the same answer as for no session."""
    store = _store()
    assert unseen_or_not_held(store, "supervisor", "tm1", {"session": "west-s1"}) == UNSEEN
    assert unseen_or_not_held(store, "supervisor", "tm1", {"session": "nowhere"}) == UNSEEN


def test_a_supervisor_naming_another_teams_child_is_told_it_is_unseen():
    """tm1 names c1 then c2 (sw3's): refused at c2, naming nothing."""
    assert unseen_or_not_held(_store(), "supervisor", "tm1",
                              {"children_discussed": ["c1", "c2"]}) == UNSEEN


def test_a_writer_is_told_only_the_children_the_store_does_not_hold():
    """system names c2, c9 and c1, then c9 again: c9 alone is not held, named once."""
    assert unseen_or_not_held(_store(), "system", None,
                              {"children_discussed": ["c2", "c9", "c1", "c9"]}) == ["c9"]
