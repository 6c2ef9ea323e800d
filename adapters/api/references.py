"""What a request may name: records the caller can see, and no actor but its own.

Closing a task takes ``fields`` only a person knows; some of them name other records (the
planned ``session`` a supervision was, the ``children_discussed`` in it). A caller that may not
read everything may name only records it can see, and one it cannot see gets exactly the answer
a record that does not exist gets: the refusal names nothing but what the caller sent, so a
token cannot learn whether another team's session exists, nor who is in it. The check is the
use case's (:func:`oversight.workflows.recording.references.unseen_or_not_held`); this module
says it as the API's 409.
"""

from __future__ import annotations

from typing import Any

from oversight.adapters.api.auth import Caller
from oversight.adapters.api.problems import Problem
from oversight.workflows.ports.store import UnitOfWorkFactory
from oversight.workflows.recording.references import UNSEEN as UNSEEN_RECORD
from oversight.workflows.recording.references import unseen_or_not_held

UNSEEN = ("No such session or child that this token can see: check the ids in `fields`.")
NOT_HELD = "`children_discussed` names children the store does not hold: {}."


def unseen_reference(store: UnitOfWorkFactory, who: Caller, fields: dict[str, Any]) -> None:
    """Refuse ``fields`` naming a session or child the caller cannot see (or that is not
    there: the same answer), or, for a caller that may name any, a child not held."""
    refused = unseen_or_not_held(store, who.role, who.person, fields)
    if refused == UNSEEN_RECORD:
        raise Problem(409, "unknown-record", UNSEEN)
    if refused:
        raise Problem(409, "unknown-record", NOT_HELD.format(", ".join(refused)))


def asked_actor(fields: dict[str, Any]) -> str | None:
    """The ``actor`` a request asked for (taken out of ``fields``); a non-string is refused."""
    asked = fields.pop("actor", None)
    if asked is not None and not isinstance(asked, str):
        raise Problem(422, "request-invalid", "`actor` is the token's own: leave it out.")
    return asked


__all__ = ["NOT_HELD", "UNSEEN", "asked_actor", "unseen_reference"]
