"""One transitions Machine per kind, stepping models it never attaches; one copy of data a step.

The machines step an entity by calling the shared machine's event with it (attaching a model
binds some twenty methods per entity), so these tests hold that shortcut to what an attached
model does, in every state of every kind, and hold a step to leaving its loaded data alone.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest
from transitions import Machine, MachineError

from oversight.states.events import AssessmentStarted
from oversight.states.machines import KINDS, ChildAndFamilyAssessment
from oversight.states.machines.lifecycle import Lifecycle
from oversight.states.machines.shared_machine import copy_data, event_of, machine_for

STARTED = date(2026, 6, 1)  # a Monday: the allocation oversight is due that day


class Attached:
    """A model attached to its own Machine the way transitions documents: the reference."""

    state: str
    trigger: Any  # bound by transitions: trigger(name), may_trigger(name)
    may_trigger: Any


def attached(kind: type[Lifecycle], state: str) -> Attached:
    model = Attached()
    Machine(model=model, states=list(kind.states), initial=state, auto_transitions=False,
            transitions=copy.deepcopy(kind.transitions))
    return model


def triggers_of(kind: type[Lifecycle]) -> list[str]:
    return sorted({move["trigger"] for move in kind.transitions})


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_may_answers_as_an_attached_model_does_in_every_state(kind, surrey, team):
    """For every state and trigger, ``may`` is what an attached model's ``may_trigger`` says
    (the generic one: the oversight's trigger named ``trigger`` shadows its own method)."""
    lifecycle = KINDS[kind]
    for state in lifecycle.states:
        machine = lifecycle("x", policy=surrey, directory=team, state=state)
        model = attached(lifecycle, state)
        for trigger in triggers_of(lifecycle):
            assert machine.may(trigger) == model.may_trigger(trigger), (state, trigger)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_shared_event_moves_a_model_where_an_attached_one_goes(kind, surrey):
    """Every trigger from every state: the same destination, or the same MachineError."""
    lifecycle = KINDS[kind]
    for state in lifecycle.states:
        for trigger in triggers_of(lifecycle):
            reference, model = attached(lifecycle, state), Attached()
            model.state = state
            try:
                reference.trigger(trigger)
            except MachineError:
                with pytest.raises(MachineError):
                    event_of(lifecycle, surrey, trigger).trigger(model)
            else:
                event_of(lifecycle, surrey, trigger).trigger(model)
            assert model.state == reference.state, (state, trigger)


def test_a_trigger_no_transition_has_is_an_attribute_error_as_before(surrey, team):
    """An attached model had no such method: the same error, naming the trigger."""
    machine = ChildAndFamilyAssessment("c1", policy=surrey, directory=team)
    with pytest.raises(AttributeError, match="Do not know event named 'reopen'"):
        machine.may("reopen")


def test_a_stored_state_the_machine_does_not_have_is_refused(surrey, team):
    """A state the kind does not declare is refused before the step, as attaching refused it."""
    machine = ChildAndFamilyAssessment("c1", policy=surrey, directory=team, state="archived",
                                       data={"tasks": {}})
    with pytest.raises(ValueError, match="State 'archived' is not a registered state"):
        machine.fire("day35", date(2026, 7, 20))


def test_a_transition_with_a_condition_is_refused_when_its_machine_is_built(surrey):
    """A condition would make ``may`` wrong; the machine refuses it rather than ignore it."""

    class Guarded(Lifecycle):
        kind = "guarded"
        states = ["open", "shut"]
        initial = "open"
        transitions = [{"trigger": "shut", "source": "open", "dest": "shut",
                        "conditions": "allowed"}]

    with pytest.raises(TypeError, match="guarded: transition 'shut' has \\['conditions'\\]"):
        machine_for(Guarded, surrey)


def test_firing_a_breach_leaves_the_data_it_was_loaded_with_as_it_was(lifeline, surrey, team):
    """The step's data is its own: the allocation oversight escalates there, not in the input."""
    line = lifeline(ChildAndFamilyAssessment, "c1")
    line.begin(AssessmentStarted(on=STARTED, child="c1", worker="sw2", manager="tm1"))
    loaded = line.data
    before = json.loads(json.dumps(loaded))
    machine = ChildAndFamilyAssessment("c1", policy=surrey, directory=team, state=line.state,
                                       data=loaded)
    # due Mon 1 Jun, so its timer fires Tue 2 Jun; tm1's line manager hos1 gets the escalation
    step = machine.fire("task:mo:allocation", date(2026, 6, 2))
    assert loaded == before
    assert loaded["tasks"]["mo:allocation"]["state"] == "open"
    assert step.data["tasks"]["mo:allocation"]["state"] == "escalated"
    assert step.data["tasks"]["mo:allocation^"]["assignee"] == "hos1"
    assert "mo:allocation^" not in loaded["tasks"]


def test_data_without_tasks_gains_them_without_changing_the_callers_dict(surrey, team):
    """The tasks a machine expects are added to its own view of the data only."""
    given: dict[str, Any] = {"child": "c1"}
    machine = ChildAndFamilyAssessment("c1", policy=surrey, directory=team, data=given)
    assert machine.data == {"child": "c1", "tasks": {}}
    assert given == {"child": "c1"}


def test_copied_data_shares_no_dict_or_list_with_the_original():
    """Containers are new all the way down; strings and numbers are the same objects."""
    quote = "At day 10 to discuss the findings from the initial visit"
    original = {"tasks": {"mo:day10": {"rule": {"quote": quote}, "level": 0}},
                "signatures": [["tm1", "2026-06-01"]], "paused": None, "signed": False}
    copied = copy_data(original)
    assert copied == original
    assert copied["tasks"] is not original["tasks"]
    assert copied["tasks"]["mo:day10"]["rule"] is not original["tasks"]["mo:day10"]["rule"]
    assert copied["signatures"][0] is not original["signatures"][0]
    assert copied["tasks"]["mo:day10"]["rule"]["quote"] is quote
    copied["signatures"][0].append("2026-06-02")
    assert original["signatures"] == [["tm1", "2026-06-01"]]


def test_a_value_json_never_holds_is_still_copied_deeply():
    """A set (never in stored data) is deep-copied, not shared."""
    original = {"seen": {"a"}, "pair": ([1], 2)}
    copied = copy_data(original)
    copied["seen"].add("b")
    copied["pair"][0].append(3)
    assert original == {"seen": {"a"}, "pair": ([1], 2)}
