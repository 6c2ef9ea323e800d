"""One declaration per event type: its fields, the lifecycles it reaches, how each entity is found.

An :class:`EventType` is pure data, written next to its lifecycle's events: the pydantic class
(the fields), then one :class:`Reaches` per lifecycle it reaches, its own first. Each says which
method of the machine applies it (``handler``), whether it starts an entity (``starts``), and how
the entity is found (a :class:`Finding`). The registry (:mod:`~oversight.states.events.registry`),
the machines' ``handlers`` and ``also_starts_on`` and the route table
(:mod:`oversight.workflows.recording.routing`) are all derived from the declarations; ``states``
reads no store, so a finding is data the routing interprets with the store's repositories.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from oversight.states.events.base import DomainEvent, snake_case


@dataclass(frozen=True)
class Finding:
    """How a route finds its entity: by an id made of the event's fields, or by a named rule.

    ``fields``: the event's fields whose values, joined by ``:``, are the entity's id (a
    relationship's ``supervisor:supervisee``). ``creates``: the event makes a new entity with that
    id (refused if one exists). ``staff``: the fields that must name a member of staff (one left
    empty is not checked). ``rule``: instead of an id, the name of a finder of the lifecycle's
    routing module, for what data cannot say (an entity found by its people, a fan-out to each
    live child of a supervisee); ``fans_out`` says it may find several. ``how``: the line
    ``oversight events`` shows (for a rule, its finder's docstring when left empty).
    """

    fields: tuple[str, ...] = ()
    creates: bool = False
    staff: tuple[str, ...] = ()
    rule: str | None = None
    fans_out: bool = False
    how: str = ""

    def __post_init__(self) -> None:
        if bool(self.fields) == bool(self.rule):
            raise ValueError("a finding names either the id's fields or a rule, not both")


def by_id(*fields: str, creates: bool = False, staff: tuple[str, ...] = (),
          how: str) -> Finding:
    """The entity whose id is these fields' values (a new one if ``creates``)."""
    return Finding(fields=fields, creates=creates, staff=staff, how=how)


def by_rule(name: str, *, fans_out: bool = False) -> Finding:
    """The entities the lifecycle's routing finder ``name`` finds."""
    return Finding(rule=name, fans_out=fans_out)


@dataclass(frozen=True)
class Reaches:
    """One lifecycle an event type reaches: the entity found, and what the machine does."""

    lifecycle: str
    """The lifecycle's ``kind`` (``relationship``): ``states.events`` does not import machines."""
    found: Finding
    handler: str | None = None
    """The machine's method that applies it to an entity the store holds."""
    starts: bool = False
    """Whether the machine's ``start`` takes it (when the store holds no entity)."""
    primary: bool = True
    """The event's own lifecycle: it must find an entity or raise. Others may find none."""


@dataclass(frozen=True)
class EventType:
    """An event type, declared once: its class (the fields), and the lifecycles it reaches."""

    model: type[DomainEvent]
    reaches: tuple[Reaches, ...]

    @property
    def type(self) -> str:
        return str(self.model.model_fields["type"].default)

    def __post_init__(self) -> None:
        if self.type != snake_case(self.model.__name__):
            raise ValueError(f"{self.model.__name__}'s type is {self.type!r}, not its snake_case")
        if [r.primary for r in self.reaches] != [True] + [False] * (len(self.reaches) - 1):
            raise ValueError(f"{self.type}: its own lifecycle comes first, the only primary one")
        if len({r.lifecycle for r in self.reaches}) != len(self.reaches):
            raise ValueError(f"{self.type} reaches one lifecycle twice")
        if any(r.handler is None and not r.starts for r in self.reaches):
            raise ValueError(f"{self.type}: a lifecycle it reaches neither handles nor starts it")


class Declarations:
    """Every declared event type by its ``type``, in order; what is derived from them."""

    def __init__(self, declared: Iterable[EventType]):
        self.by_type: dict[str, EventType] = {}
        for one in declared:
            if one.type in self.by_type:
                raise ValueError(f"event type {one.type!r} is declared twice")
            self.by_type[one.type] = one

    def extended(self, *more: EventType) -> Declarations:
        """These declarations and ``more`` (a lifecycle extended in a test, a new event type)."""
        return Declarations([*self.by_type.values(), *more])

    @property
    def models(self) -> dict[str, type[DomainEvent]]:
        return {kind: one.model for kind, one in self.by_type.items()}

    def union(self) -> Any:
        """Every declared class in one union, by class name: the API's event body (the OpenAPI
        document lists one schema per type in this order) and what :meth:`parse` validates."""
        classes = tuple(sorted(self.models.values(), key=lambda cls: cls.__name__))
        return Union[classes]  # noqa: UP007 - a union found at run time has no | spelling

    @cached_property
    def body(self) -> TypeAdapter[DomainEvent]:
        """The union, told apart by ``type``: one event's body, parsed once for every entry."""
        # A union built at run time is no static type form (Any): each member is a DomainEvent.
        told_apart: Any = Annotated[self.union(), Field(discriminator="type")]
        return TypeAdapter(told_apart)

    def reaching(self, lifecycle: str) -> list[tuple[str, Reaches]]:
        """The event types that reach ``lifecycle``, with how, in declaration order."""
        return [(kind, reach) for kind, one in self.by_type.items() for reach in one.reaches
                if reach.lifecycle == lifecycle]

    def handlers(self, lifecycle: str) -> dict[str, str]:
        """Event type → the machine's method that applies it: a machine's ``handlers``."""
        return {kind: reach.handler for kind, reach in self.reaching(lifecycle) if reach.handler}

    def starting(self, lifecycle: str) -> frozenset[str]:
        """The event types a machine's ``start`` takes."""
        return frozenset(kind for kind, reach in self.reaching(lifecycle) if reach.starts)

    def of_machine(self, name: str, lifecycle: str, creates_on: str | None,
                   methods: set[str]) -> tuple[dict[str, str], frozenset[str]]:
        """A machine's ``handlers`` and ``also_starts_on``, or a ``TypeError`` when it lacks a
        handler's method or its ``creates_on`` is not declared to start it (a machine no event
        reaches, as in a test, may have no ``creates_on``)."""
        handlers, starting = self.handlers(lifecycle), self.starting(lifecycle)
        missing = sorted(set(handlers.values()) - methods)
        if missing:
            raise TypeError(f"{name} has no method {missing} for its declared events")
        if creates_on is not None and creates_on not in starting:
            raise TypeError(f"{name}: {creates_on} is not declared to start it")
        return handlers, starting - {creates_on}


__all__ = ["Declarations", "EventType", "Finding", "Reaches", "by_id", "by_rule"]
