"""What an event names must be held: a child discussed at a session is one the store has a
lifecycle about (issue 20). The edges ask this before they record (the API answers a 409, the
CLI one line); closing a task asks the same through its references.

A person closing a task through the API may name only records their token can see
(:func:`unseen_or_not_held`): a session or child it cannot see gets the answer one that is not
there gets, so a token cannot learn whether another team's session exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from oversight.workflows.ports.repositories import Entities
from oversight.workflows.ports.store import StoredEntity, UnitOfWork, UnitOfWorkFactory
from oversight.workflows.reads.access import CHILD_KINDS, READERS, Scope, scope_for

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


UNSEEN = "unseen"
"""What :func:`unseen_or_not_held` answers for a record the token cannot see (or that is not
there: the same answer)."""


def unseen_or_not_held(store: UnitOfWorkFactory, role: str, person: str | None,
                       fields: Mapping[str, Any]) -> str | list[str] | None:
    """Whether a token with ``role`` (for ``person``) may name what ``fields`` names:
    :data:`UNSEEN` for a ``session`` or one of the ``children_discussed`` it cannot see; for
    a token that may name any record (system, or a scope of everything), the children the
    store does not hold, if any; None when nothing is refused."""
    with store() as uow:
        scope = scope_for(uow, role, person) if role in READERS else Scope()
        children = fields.get("children_discussed")
        if scope.everything or role == "system":
            # Writers that post any event may name any record the store holds, as posting an
            # event does; a child it does not hold is refused there and here alike.
            if isinstance(children, list):
                missing = children_not_held_in(uow, [c for c in children if isinstance(c, str)])
                return missing or None
            return None
        session = fields.get("session")
        if session is not None and not (isinstance(session, str) and _sees_any(
                scope, _session(uow, session))):
            return UNSEEN
        if not isinstance(children, list):
            return None  # none named, or the event's own validation refuses it
        for child in children:
            if not (isinstance(child, str) and _sees_any(scope, _about_child(uow, child))):
                return UNSEEN
        return None


def _session(uow: UnitOfWork, session: str) -> list[StoredEntity]:
    found = uow.entities.get("session", session)
    return [found] if found is not None else []


def _about_child(uow: UnitOfWork, child: str) -> list[StoredEntity]:
    return uow.entities.listing(sorted(CHILD_KINDS), subjects=[child])


def _sees_any(scope: Scope, rows: list[StoredEntity]) -> bool:
    return any(scope.sees_entity(row.kind, row.subject, row.party, row.data) for row in rows)


__all__ = ["NOT_HELD", "UNSEEN", "children_not_held", "children_not_held_in",
           "unseen_or_not_held"]
