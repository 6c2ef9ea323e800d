"""Who is looking: a token's role and person, and the people whose records they may see.

The roles are those of the API (issue 6): ``supervisee`` sees only their own journey and tasks;
``supervisor`` also those of the people they supervise; ``manager`` everyone below them in the
line-management chain, and their team's compliance figures; ``workforce`` every ASYE journey and
nothing else; ``auditor`` and ``admin`` everything; ``system`` posts events and reads no pages.

A token becomes a :class:`Viewer` through an ``Authenticate`` function, injected where the app
is built: :func:`store_tokens` reads the API's token table; :class:`StaticTokens` serves tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from sqlalchemy import Engine, select

from oversight.adapters.store import tables as t
from oversight.workflows.compliance import team_members

Authenticate = Callable[[str], "tuple[str, str | None] | None"]
"""A token's secret → (role, person), or None when it is unknown or revoked."""

READERS = ("supervisee", "supervisor", "manager", "workforce", "auditor", "admin")


@dataclass(frozen=True)
class Viewer:
    role: str
    person: str | None
    people: frozenset[str] | None
    """Staff whose journeys and tasks this viewer may see; None for everyone."""
    asye_only: bool = False
    """workforce: ASYE journeys and their tasks only."""

    @property
    def everything(self) -> bool:
        return self.people is None

    @property
    def sees_compliance(self) -> bool:
        return self.role in ("manager", "auditor", "admin")

    def sees(self, person: str) -> bool:
        return self.people is None or person in self.people

    def sees_task(self, task: dict[str, Any]) -> bool:
        if self.asye_only and not task["entity"].startswith("asye:"):
            return False
        subject = task["subject"].partition(":")[2]
        return self.people is None or task["for"] in self.people or subject in self.people

    def may_report_on(self, team: str | None) -> bool:
        """Whole authority for auditors and admins; a manager their own chain or part of it."""
        if not self.sees_compliance:
            return False
        return self.people is None or (team is not None and team in self.people)


def viewer_for(engine: Engine, role: str, person: str | None) -> Viewer | None:
    """The viewer of a token, worked out from the store as it is now; None for ``system``."""
    if role in ("auditor", "admin"):
        return Viewer(role, person, None)
    with engine.connect() as connection:
        if role == "workforce":
            workers = connection.execute(select(t.entities.c.subject).where(
                t.entities.c.kind == "asye")).scalars()
            return Viewer(role, person, frozenset(workers), asye_only=True)
        if role not in ("supervisee", "supervisor", "manager") or person is None:
            return None
        people = {person}
        if role in ("supervisor", "manager"):
            people |= set(connection.execute(select(t.entities.c.subject).where(
                t.entities.c.kind == "relationship", t.entities.c.party == person,
                t.entities.c.state != "ended")).scalars())
    if role == "manager":
        people |= set(team_members(engine, person))
    return Viewer(role, person, frozenset(people))


class StaticTokens:
    """Tokens held in memory: ``StaticTokens({"secret": ("manager", "tm1")})``."""

    def __init__(self, tokens: Mapping[str, tuple[str, str | None]]):
        self._tokens = dict(tokens)

    def __call__(self, secret: str) -> tuple[str, str | None] | None:
        return self._tokens.get(secret)


def store_tokens(engine: Engine) -> Authenticate:
    """Tokens from the API's token table (issue 6), looked up by their hash."""
    from oversight.adapters.store import inbound

    def authenticate(secret: str) -> tuple[str, str | None] | None:
        with engine.connect() as connection:
            record = inbound.token_for(connection, secret)
        return (record.role, record.person) if record is not None else None

    return authenticate
