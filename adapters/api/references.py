"""What a request may name: records the caller can see, and no actor but its own.

Closing a task takes ``fields`` only a person knows; some of them name other records (the
planned ``session`` a supervision was, the ``children_discussed`` in it). A caller that may not
read everything may name only records it can see, and one it cannot see gets exactly the answer
a record that does not exist gets: the refusal names nothing but what the caller sent, so a
token cannot learn whether another team's session exists, nor who is in it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from oversight.adapters.api.auth import Caller
from oversight.adapters.api.problems import Problem
from oversight.adapters.store import tables as t
from oversight.adapters.store.unit_of_work import SqlRepositories
from oversight.workflows.reads.access import CHILD_KINDS, READERS, Scope
from oversight.workflows.recording.references import children_not_held_in

UNSEEN = ("No such session or child that this token can see: check the ids in `fields`.")
NOT_HELD = "`children_discussed` names children the store does not hold: {}."


def _entities(connection: Connection, kinds: frozenset[str] | set[str], *, subject: str | None
              = None, entity_id: str | None = None) -> list[Any]:
    query = select(t.entities.c.kind, t.entities.c.subject, t.entities.c.party,
                   t.entities.c.data).where(t.entities.c.kind.in_(sorted(kinds)))
    if subject is not None:
        query = query.where(t.entities.c.subject == subject)
    if entity_id is not None:
        query = query.where(t.entities.c.id == entity_id)
    return list(connection.execute(query))


def _sees_any(scope: Scope, rows: list[Any]) -> bool:
    return any(scope.sees_entity(row.kind, row.subject, row.party, row.data) for row in rows)


def unseen_reference(connection: Connection, who: Caller, fields: dict[str, Any]) -> None:
    """Refuse ``fields`` naming a session or child the caller cannot see (or that is not
    there: the same answer)."""
    scope = who.scope(connection) if who.role in READERS else Scope()
    if scope.everything or who.role == "system":
        # Writers that post any event may name any record the store holds, as POST /v1/events
        # does; a child it does not hold is refused there and here alike.
        children = fields.get("children_discussed")
        if isinstance(children, list):
            refuse_children_not_held(connection, [c for c in children if isinstance(c, str)])
        return
    session = fields.get("session")
    if session is not None and not (isinstance(session, str) and _sees_any(
            scope, _entities(connection, {"session"}, entity_id=session))):
        raise Problem(409, "unknown-record", UNSEEN)
    children = fields.get("children_discussed")
    if children is not None:
        if not isinstance(children, list):
            return  # the event's own validation refuses it, naming nothing
        for child in children:
            if not (isinstance(child, str) and _sees_any(
                    scope, _entities(connection, CHILD_KINDS, subject=child))):
                raise Problem(409, "unknown-record", UNSEEN)


def refuse_children_not_held(connection: Connection, children: list[str]) -> None:
    """A 409 naming the children the store does not hold, if any: an event about a child who
    is not there would be recorded against no one (issue 20)."""
    missing = children_not_held_in(SqlRepositories(connection), children)
    if missing:
        raise Problem(409, "unknown-record", NOT_HELD.format(", ".join(missing)))


def asked_actor(fields: dict[str, Any]) -> str | None:
    """The ``actor`` a request asked for (taken out of ``fields``); a non-string is refused."""
    asked = fields.pop("actor", None)
    if asked is not None and not isinstance(asked, str):
        raise Problem(422, "request-invalid", "`actor` is the token's own: leave it out.")
    return asked


__all__ = ["NOT_HELD", "UNSEEN", "asked_actor", "refuse_children_not_held", "unseen_reference"]
