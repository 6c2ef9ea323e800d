"""The one route table: every event type reaches a lifecycle whose machine does something with
it."""

from __future__ import annotations

import pytest

from oversight.states.events import EVENT_TYPES
from oversight.states.machines import KINDS
from oversight.workflows.recording.routing import ROUTE_TABLE, lifecycles_reached, routes_of

PAIRS = [(event_type, one.lifecycle.kind) for event_type, routes in ROUTE_TABLE.items()
         for one in routes]


def test_every_event_type_reaches_at_least_one_lifecycle():
    """No type of the registry is left without a route, and no route names an unknown type."""
    assert {t for t in EVENT_TYPES if not routes_of(t)} == set()
    assert set(ROUTE_TABLE) - set(EVENT_TYPES) == set()


@pytest.mark.parametrize("event_type, kind", PAIRS, ids=[f"{t}->{k}" for t, k in PAIRS])
def test_each_routed_pair_is_handled_by_that_lifecycles_machine(event_type: str, kind: str):
    """A route into a lifecycle is matched by its machine: a handler, or an event it starts on."""
    machine = KINDS[kind]
    starts = {machine.creates_on, *machine.also_starts_on}
    assert event_type in machine.handlers or event_type in starts


def test_every_event_a_machine_handles_is_routed_to_it():
    """A handler no route reaches would be dead: each machine's events are all routed to it."""
    unrouted = [(kind, event_type) for kind, machine in KINDS.items()
                for event_type in [*machine.handlers, machine.creates_on, *machine.also_starts_on]
                if kind not in lifecycles_reached(event_type)]
    assert unrouted == []


def test_each_event_type_has_one_primary_route_listed_first():
    """The route that must find an entity comes first; the others may find none."""
    for event_type, routes in ROUTE_TABLE.items():
        assert [r.primary for r in routes] == [True] + [False] * (len(routes) - 1), event_type


def test_a_session_held_reaches_its_relationship_then_the_asye_the_children_and_the_session():
    """The order the lifecycles of ``supervision_held`` are applied in, worked out from the docs."""
    assert lifecycles_reached("supervision_held") == [
        "relationship", "asye", "child_supervision", "session"]
    assert lifecycles_reached("relationship_started") == ["relationship", "supervision_file"]
    assert lifecycles_reached("session_planned") == ["session"]


def test_every_route_says_how_it_finds_the_entity():
    """Each finder's docstring is the line ``oversight events`` shows for it."""
    assert [(r.event_type, r.lifecycle.kind) for rs in ROUTE_TABLE.values() for r in rs
            if not r.how] == []
