"""What an event names must be held: a child discussed at a session is one the store has a
lifecycle about (issue 20). The edges ask this before they record (the API answers a 409, the
CLI one line); closing a task asks the same through its references.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from oversight.workflows.ports.repositories import Entities
from oversight.workflows.ports.store import UnitOfWorkFactory
from oversight.workflows.reads.access import CHILD_KINDS

NOT_HELD = "children_discussed names children the store does not hold: {}"


def children_not_held(store: UnitOfWorkFactory, children: Iterable[str]) -> list[str]:
    """Those of ``children`` that no lifecycle of the store is about, in the order given."""
    asked = list(dict.fromkeys(children))
    if not asked:
        return []
    with store() as uow:
        return children_not_held_in(uow, asked)


class HoldsEntities(Protocol):
    """What the check reads: a unit of work, or the repositories on an open connection."""

    @property
    def entities(self) -> Entities: ...


def children_not_held_in(uow: HoldsEntities, children: Iterable[str]) -> list[str]:
    """The same, inside a unit of work already open (closing a task checks in its own)."""
    return [child for child in dict.fromkeys(children)
            if not any(uow.entities.find(kind, subject=child) for kind in sorted(CHILD_KINDS))]


__all__ = ["NOT_HELD", "children_not_held", "children_not_held_in"]
