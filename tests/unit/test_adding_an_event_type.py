"""Adding an event type: one declaration plus the lifecycle's transition, nothing else.

The example of docs/event-types.md: devon's team activities (§7, group supervision every month)
extended here, in the test, with ``team_activity_suspended``. Team t1 is led by tm1 (line manager
hos1). The activity starts on Mon 2 Mar 2026, so group supervision 1 is due Thu 2 Apr 2026 (one
month on, a working day) and its timer fires Fri 3 Apr. The team suspends it on Fri 13 Mar 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

import pytest

from oversight.adapters.policy_files import load_policy_book
from oversight.states.directory import StaffMember
from oversight.states.errors import EventRejected, UnknownEntity
from oversight.states.events import TeamActivityStarted
from oversight.states.events.base import DomainEvent, Identifier
from oversight.states.events.declaration import EventType, Reaches, by_id
from oversight.states.events.registry import DECLARATIONS
from oversight.states.machines import KINDS, TeamCadence
from oversight.workflows.recording.routing import Router
from oversight.workflows.recording.service import OversightService
from tests.fakes import FakeStore

STARTED = date(2026, 3, 2)     # Mon
SUSPENDED = date(2026, 3, 13)  # Fri
NOW = datetime(2026, 3, 13, 17, 0, tzinfo=UTC)


class TeamActivitySuspended(DomainEvent):
    """The owner stops keeping the activity for now: what is due of it is withdrawn."""

    type: Literal["team_activity_suspended"] = "team_activity_suspended"
    activity: Identifier
    owner: Identifier


SUSPENDED_DECLARED = EventType(TeamActivitySuspended, (
    Reaches("team_activity", by_id("activity", "owner", how="The owner's activity."),
            handler="record_suspension"),
))
"""The one declaration: its fields (the class), the lifecycle it reaches, how it is found."""


class SuspendableCadence(TeamCadence):
    """TeamCadence and the new event's transition (and the method its declaration names)."""

    declarations = DECLARATIONS.extended(SUSPENDED_DECLARED)
    states = [*TeamCadence.states, "suspended"]
    transitions = [*TeamCadence.transitions, {"trigger": "suspend",
                                              "source": ["started", "running", "overdue"],
                                              "dest": "suspended"}]

    def record_suspension(self, event: TeamActivitySuspended) -> None:
        self.step_to("suspend", self._cite_activity(self._activity(event)))
        self.withdraw_tasks(self.tasks_where(type=self.data["activity"]))


@pytest.fixture
def service() -> OversightService:
    """Devon's service on the in-memory store, routing by the extended declarations."""
    router = Router(SuspendableCadence.declarations,
                    {**KINDS, "team_activity": SuspendableCadence})
    staff = [StaffMember("hos1", "senior_manager", started=date(2012, 9, 3)),
             StaffMember("tm1", "manager", started=date(2018, 4, 3), line_manager="hos1")]
    return OversightService(uow_factory=FakeStore(staff), policy=load_policy_book("devon"),
                            router=router)


def started(service: OversightService) -> None:
    service.record(TeamActivityStarted(on=STARTED, activity="group_supervision", owner="t1",
                                       lead="tm1"), now=NOW)


def test_the_machine_handles_the_declared_event_and_the_product_machine_does_not():
    """The handler is derived from the declaration: the extension has it, TeamCadence not."""
    assert SuspendableCadence.handlers == {"team_activity_held": "record_held",
                                           "team_activity_suspended": "record_suspension"}
    assert TeamCadence.handlers == {"team_activity_held": "record_held"}
    assert "team_activity_suspended" not in DECLARATIONS.by_type


def test_a_suspension_is_routed_through_the_service_to_the_teams_activity_citing_devon_s7(
        service: OversightService):
    """started → suspended on Fri 13 Mar, citing devon §7; group supervision 1 (due Thu 2 Apr)
    withdrawn and its timer (Fri 3 Apr) disarmed."""
    started(service)
    outcome = service.record(TeamActivitySuspended(on=SUSPENDED, activity="group_supervision",
                                                   owner="t1"), now=NOW)
    assert [(t["entity"], t["from"], t["to"], t["trigger"], t["on"], t["rule"]["policy"],
             t["rule"]["section"]) for t in outcome.transitions] == [
        ("team_activity:group_supervision:t1", "started", "suspended", "suspend", "2026-03-13",
         "devon", "7")]
    with service.uow_factory() as uow:
        stored = uow.entities.get("team_activity", "group_supervision:t1")
        [task] = uow.tasks.listing()
        lines = uow.history.lines("team_activity", "group_supervision:t1")
        armed = uow.timers.upcoming(9)
    assert stored is not None and stored.state == "suspended"
    assert (task["key"], task["due"], task["state"]) == (
        "group_supervision:1", date(2026, 4, 2), "withdrawn")
    assert armed == []
    assert [(line["source"], line["dest"], line["cause"], line["rule"]["section"])
            for line in lines][-1] == ("started", "suspended", "event:team_activity_suspended",
                                       "7")


def test_a_suspension_of_an_activity_the_store_does_not_hold_is_one_clear_error(
        service: OversightService):
    """Found by its id (activity:owner) as declared: none held is the by-id finder's error."""
    with pytest.raises(UnknownEntity, match="no team_activity 'group_supervision:t1'"):
        service.record(TeamActivitySuspended(on=SUSPENDED, activity="group_supervision",
                                             owner="t1"), now=NOW)


def test_a_second_suspension_is_refused_by_the_new_transition_and_changes_nothing(
        service: OversightService):
    """suspended has no ``suspend``: the machine refuses the event, the store keeps its row."""
    started(service)
    suspend = TeamActivitySuspended(on=SUSPENDED, activity="group_supervision", owner="t1")
    service.record(suspend, now=NOW)
    with service.uow_factory() as uow:
        before = uow.entities.get("team_activity", "group_supervision:t1")
    with pytest.raises(EventRejected, match="no transition 'suspend' from 'suspended'"):
        service.record(suspend, now=NOW)
    with service.uow_factory() as uow:
        assert uow.entities.get("team_activity", "group_supervision:t1") == before
