"""One ``transitions.Machine`` per kind and policy version, shared by every entity of the kind.

A model is never attached to it (``add_model`` binds some twenty methods per model, and a sweep
loads hundreds of entities a second): a step calls the machine's event with the model, which is
all an attached model's trigger method does. That holds because every transition is plain data
(trigger, source, dest) with no conditions or callbacks, which :func:`machine_for` checks.
A step works on its own copy of the entity's data (:func:`copy_data`), so a refused step leaves
the loaded data as it was.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar, Protocol

from transitions import Event, Machine

from oversight.states.policy.model import Policy


class Definition(Protocol):
    """What a machine is built from: a lifecycle class's data (``Lifecycle`` has it), named
    here as a protocol so this module needs nothing of the lifecycles that use it."""

    kind: ClassVar[str]
    states: ClassVar[list[str]]
    initial: ClassVar[str]
    transitions: ClassVar[list[dict[str, Any]]]

RETRACTED = "retracted"
"""The state of an entity whose every creating record was retracted: it never existed. Not a
state of any machine: no event or timer reaches it (its tasks are withdrawn, its timers gone),
and a new record that starts it re-derives it from its log (``workflows/rederive``)."""

_MACHINES: dict[tuple[type, str, str], Machine] = {}

PLAIN_MOVE = frozenset({"trigger", "source", "dest"})
"""What a transition may say. With no conditions or callbacks an event's table of sources is
the whole answer to "may this trigger fire now?", and no callback needs the model attached."""


def machine_for(kind: type[Definition], policy: Policy) -> Machine:
    """The single Machine shared by every entity of one kind under one policy version."""
    key = (kind, policy.authority, policy.version)
    machine = _MACHINES.get(key)
    if machine is None:
        for move in kind.transitions:
            if set(move) - PLAIN_MOVE:
                raise TypeError(f"{kind.kind}: transition {move['trigger']!r} has "
                                f"{sorted(set(move) - PLAIN_MOVE)}; a move has only "
                                f"{sorted(PLAIN_MOVE)}")
        machine = Machine(model=None, states=list(kind.states), initial=kind.initial,
                          transitions=copy.deepcopy(kind.transitions), auto_transitions=False)
        _MACHINES[key] = machine
    return machine


def event_of(kind: type[Definition], policy: Policy, trigger: str) -> Event:
    """The machine's event ``trigger``: ``event.trigger(model)`` steps the model (raising
    ``MachineError`` from a state it does not leave); ``event.transitions`` is keyed by the
    states it leaves."""
    event = machine_for(kind, policy).events.get(trigger)
    if event is None:  # what an attached model's missing trigger method raised
        raise AttributeError(f"Do not know event named '{trigger}'.")
    return event


def check_state(kind: type[Definition], policy: Policy, state: str) -> None:
    """Refuse a stored state the machine does not have, as attaching the model did."""
    if state not in machine_for(kind, policy).states:
        raise ValueError(f"State '{state}' is not a registered state.")


def copy_data(value: Any) -> Any:
    """An entity's data copied as the store would give it back: new dicts and lists all the way
    down, the immutable leaves shared. Several times faster than ``copy.deepcopy`` on the same
    JSON-shaped data; anything else (never in stored data) is deep-copied."""
    kind = type(value)
    if kind is dict:
        return {key: copy_data(item) for key, item in value.items()}
    if kind is list:
        return [copy_data(item) for item in value]
    if kind in _LEAVES:
        return value
    return copy.deepcopy(value)


_LEAVES = frozenset({str, int, float, bool, type(None)})
