"""Mermaid diagrams are drawn from the same transitions the machines run."""

from __future__ import annotations

import re

import pytest

from oversight.states.diagrams import mermaid
from oversight.states.machines import (
    KINDS,
    AsyeJourney,
    ChildAndFamilyAssessment,
    SupervisoryRelationship,
)
from oversight.states.machines.lifecycle import machine_for

EDGE = re.compile(r"^    (\w+) --> (\w+): (\w+)$")
MACHINES = [ChildAndFamilyAssessment, AsyeJourney, SupervisoryRelationship]


def running_edges(kind, policy) -> set[tuple[str, str, str]]:
    """(source, dest, trigger) of every transition of the Machine that runs, self-loops included."""
    machine = machine_for(kind, policy)
    edges = set()
    for trigger, event in machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                if transition.dest is not None:  # None: internal, the state is kept
                    edges.add((source, transition.dest, trigger))
    return edges


def test_the_three_machines_are_registered_by_kind():
    """assessment, asye and relationship name the three classes (later lifecycles add theirs)."""
    assert KINDS.items() >= {"assessment": ChildAndFamilyAssessment, "asye": AsyeJourney,
                             "relationship": SupervisoryRelationship}.items()


@pytest.mark.parametrize("kind", MACHINES, ids=lambda k: k.kind)
def test_a_diagram_starts_as_a_mermaid_state_diagram_from_the_initial_state(kind):
    """The first lines are stateDiagram-v2 and the arrow into the initial state."""
    lines = mermaid(kind).splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert lines[1] == f"    [*] --> {kind.initial}"


@pytest.mark.parametrize("kind", MACHINES, ids=lambda k: k.kind)
def test_a_diagram_draws_exactly_the_non_internal_transitions_of_the_running_machine(kind, surrey):
    """Every edge of the machine that runs is drawn, and nothing else."""
    drawn = {m.groups() for line in mermaid(kind).splitlines() if (m := EDGE.match(line))}
    assert drawn == running_edges(kind, surrey)


@pytest.mark.parametrize("kind", MACHINES, ids=lambda k: k.kind)
def test_a_diagram_leaves_out_internal_transitions_and_ends_the_final_states(kind):
    """Triggers that keep the state are not drawn; final states point to [*]."""
    text = mermaid(kind)
    internal = {t["trigger"] for t in kind.transitions if t["dest"] is None}
    assert internal
    assert not any(f": {trigger}\n" in text for trigger in internal)
    for final in kind.final_states:
        assert f"    {final} --> [*]\n" in text


@pytest.mark.parametrize("kind", MACHINES, ids=lambda k: k.kind)
def test_every_state_of_a_machine_appears_in_its_diagram(kind):
    """No state is left unreachable on the drawing."""
    text = mermaid(kind)
    for state in kind.states:
        assert re.search(rf"\b{state}\b", text), state


def test_the_assessment_diagram_shows_the_path_through_extension_to_overdue():
    """Spot check of three arrows a reader looks for."""
    text = mermaid(ChildAndFamilyAssessment)
    assert "    due --> extended: extend\n" in text
    assert "    extended --> overdue: overrun\n" in text
    assert "    in_progress --> due: reach_day35\n" in text


def test_a_second_extension_of_the_asye_is_drawn_as_a_loop():
    """extended --> extended: extend, because a journey can be extended again."""
    assert "    extended --> extended: extend\n" in mermaid(AsyeJourney)


@pytest.mark.parametrize("kind", ["session", "oversight", "team_activity", "supervision_file"])
def test_a_practice_lifecycle_is_drawn_exactly_as_it_runs_with_every_state(kind, surrey):
    """Sessions, oversight, team activities and files: every running edge and state is drawn."""
    machine = KINDS[kind]
    text = mermaid(machine)
    drawn = {m.groups() for line in text.splitlines() if (m := EDGE.match(line))}
    assert drawn == running_edges(machine, surrey)
    assert all(re.search(rf"\b{state}\b", text) for state in machine.states)
