"""An event type's declaration is checked when it is made, and what is derived from it fails
early: a second primary lifecycle, a handler the machine lacks, a rule no routing module has."""

from __future__ import annotations

from typing import Literal

import pytest

from oversight.states.events import TeamActivityHeld
from oversight.states.events.base import DomainEvent, Identifier
from oversight.states.events.declaration import Declarations, EventType, Reaches, by_id, by_rule
from oversight.states.events.registry import DECLARATIONS
from oversight.states.machines import KINDS, SupervisionSession, TeamCadence
from oversight.workflows.recording.routing import Router


class TeamActivityMoved(DomainEvent):
    """An activity taken over by another owner."""

    type: Literal["team_activity_moved"] = "team_activity_moved"
    activity: Identifier
    owner: Identifier


OWNERS_ACTIVITY = by_id("activity", "owner", how="The owner's activity.")


def test_an_event_type_reaching_two_lifecycles_as_its_own_is_refused():
    """Only the first lifecycle is the event's own (primary); a second primary is an error."""
    with pytest.raises(ValueError, match="its own lifecycle comes first, the only primary one"):
        EventType(TeamActivityMoved, (
            Reaches("team_activity", OWNERS_ACTIVITY, handler="record_held"),
            Reaches("session", by_rule("held"), handler="record_held"),
        ))


def test_a_lifecycle_reached_that_neither_handles_nor_starts_the_event_is_refused():
    """A reach with no handler and no start would route an event nothing applies."""
    with pytest.raises(ValueError, match="neither handles nor starts it"):
        EventType(TeamActivityMoved, (Reaches("team_activity", OWNERS_ACTIVITY),))


def test_a_finding_names_the_ids_fields_or_a_rule_not_both():
    """``by_id`` and ``by_rule`` are the two ways; a finding with neither says nothing."""
    with pytest.raises(ValueError, match="either the id's fields or a rule"):
        Reaches("team_activity", by_id(how="nothing"), handler="record_held")


def test_a_type_declared_twice_is_refused():
    """``team_activity_held`` is the product's already; declaring it again is an error."""
    again = EventType(TeamActivityHeld, (
        Reaches("team_activity", OWNERS_ACTIVITY, handler="record_held"),))
    with pytest.raises(ValueError, match="'team_activity_held' is declared twice"):
        DECLARATIONS.extended(again)


def test_a_machine_without_the_method_its_declaration_names_is_refused_when_made():
    """The handler is derived from the declaration; a missing method fails at class creation."""
    moved = EventType(TeamActivityMoved, (
        Reaches("team_activity", OWNERS_ACTIVITY, handler="record_move"),))
    with pytest.raises(TypeError, match=r"no method \['record_move'\]"):
        class Movable(TeamCadence):
            declarations = DECLARATIONS.extended(moved)


def test_a_rule_no_routing_module_lists_fails_when_the_route_table_is_built():
    """``by_rule`` names a finder of the lifecycle's module; an unknown name is one clear error."""
    moved = EventType(TeamActivityMoved, (
        Reaches("team_activity", by_rule("moved_activity"), handler="record_held"),))
    with pytest.raises(RuntimeError, match="team_activity has no finder 'moved_activity'"):
        Router(DECLARATIONS.extended(moved), KINDS)


def test_the_sessions_derived_starts_are_its_planned_held_and_cancelled_events():
    """session_planned creates it; supervision_held and session_cancelled may start one too."""
    assert SupervisionSession.creates_on == "session_planned"
    assert SupervisionSession.also_starts_on == {"supervision_held", "session_cancelled"}
    assert Declarations([]).handlers("session") == {}
