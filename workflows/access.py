"""Who may read and write what: the seven roles of the API and the scope of each.

    system      posts events and closes tasks; reads no records
    supervisee  their own records only: relationships, ASYE journey, sessions, file, and the
                tasks about them or assigned to them
    supervisor  their own, plus those of the people they supervise (live relationships where
                they are the supervisor) and of the children those people, or they themselves,
                work with, or whose manager they are
    manager     as a supervisor, over everyone whose line-manager chain includes them (their
                teams), those people's children and their teams' activities
    workforce   every ASYE journey in the authority and its tasks; nothing else
    auditor     reads everything, writes nothing; every read is logged (as everyone's is)
    admin       reads and writes everything

A scope is worked out per request from the store (relationships change), and answers one
question for every record: may this token read it? Refusals say nothing about the record.

The actor of every write is the credential (:func:`principal`): the token's person, or the
token itself for a token that names none; a service token whose scope allows it (``acts_for``)
may act for a named member of staff, recorded as "system:tok_… for sw1". No request field
chooses the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from oversight.adapters.store import inbound
from oversight.adapters.store import tables as t

ROLES = ("system", "supervisee", "supervisor", "manager", "workforce", "auditor", "admin")
PERSONAL_ROLES = frozenset({"supervisee", "supervisor", "manager"})
"""Roles whose scope is a person's: their token must name a staff member."""
WRITERS = frozenset({"system", "admin"})
"""Roles that post events and close any task."""
READERS = frozenset(ROLES) - {"system"}

CHILD_KINDS = frozenset({"assessment", "child_supervision", "oversight"})
"""Lifecycles about a child: ``subject`` is the child, ``party`` the allocated worker."""
PERSON_KINDS = frozenset({"relationship", "asye", "session", "supervision_file"})
"""Lifecycles about a member of staff: ``subject`` is the supervisee or ASYE worker."""
TEAM_KINDS = frozenset({"team_activity"})


@dataclass(frozen=True)
class Scope:
    """What one token may read. Records of kinds not named above are for ``everything`` only."""

    everything: bool = False
    me: str | None = None
    kinds: frozenset[str] | None = None
    """Only these kinds, every entity of them (workforce: ``asye``)."""
    people: frozenset[str] = frozenset()
    """Staff whose own records are readable."""
    workers: frozenset[str] = frozenset()
    """Children allocated to these workers are readable."""
    managers: frozenset[str] = frozenset()
    """Children these people manage are readable."""
    teams: frozenset[str] = frozenset()

    def sees_entity(self, kind: str, subject: str, party: str | None,
                    data: dict[str, Any]) -> bool:
        if self.everything:
            return True
        if self.kinds is not None:
            return kind in self.kinds
        if kind in CHILD_KINDS:
            return party in self.workers or data.get("manager") in self.managers
        if kind in PERSON_KINDS:
            return subject in self.people
        if kind in TEAM_KINDS:
            return subject in self.people or party in self.people or subject in self.teams
        return False

    def sees_task(self, task: dict[str, Any], entity: dict[str, Any]) -> bool:
        """A task of an entity it sees, or one assigned to the token's own person."""
        if self.kinds is None and self.me is not None and task["assignee"] == self.me:
            return True
        return self.sees_entity(entity["kind"], entity["subject"], entity["party"],
                                entity["data"])

    def sees_person(self, person: str) -> bool:
        return self.everything or person in self.people

    def sees_team(self, team: str) -> bool:
        return self.everything or team in self.teams


def principal(role: str, token_id: str, person: str | None,
              acting_for: str | None = None) -> str:
    """Who the audit names for a write made with this token (at most 200 characters)."""
    if role in PERSONAL_ROLES and person:
        return person
    me = f"{role}:{person or token_id}"
    return f"{me} for {acting_for}" if acting_for else me


def scope_for(connection: Connection, role: str, person: str | None) -> Scope:
    """The scope of a token with ``role`` for ``person``, from the store as it is now."""
    if role in ("auditor", "admin"):
        return Scope(everything=True, me=person)
    if role == "workforce":
        journeys = connection.execute(
            select(t.entities.c.subject).where(t.entities.c.kind == "asye")).scalars()
        return Scope(me=person, kinds=frozenset({"asye"}), people=frozenset(journeys))
    if role not in PERSONAL_ROLES or person is None:
        return Scope(me=person)  # system: no records
    me = frozenset({person})
    if role == "supervisee":
        return Scope(me=person, people=me)
    people = me | _supervisees(connection, person)
    if role == "manager":
        people |= inbound.reports_of(connection, person)
    teams = frozenset(inbound.teams_of(connection, people)) if role == "manager" else frozenset()
    return Scope(me=person, people=people, workers=people,
                 managers=people if role == "manager" else me, teams=teams)


def _supervisees(connection: Connection, supervisor: str) -> frozenset[str]:
    rows = connection.execute(select(t.entities.c.subject).where(
        t.entities.c.kind == "relationship", t.entities.c.party == supervisor,
        t.entities.c.state != "ended"))
    return frozenset(rows.scalars())


__all__ = ["CHILD_KINDS", "PERSONAL_ROLES", "PERSON_KINDS", "READERS", "ROLES", "Scope",
           "WRITERS", "principal", "scope_for"]
