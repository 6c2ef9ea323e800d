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
    dpo         the data protection officer: subject access exports and the access log; no
                record through the other routes

A scope is worked out per request from the store (relationships change), and answers one
question for every record: may this token read it? Refusals say nothing about the record.

The actor of every write is the credential (:func:`principal`): the token's person, or the
token itself for a token that names none; a service token whose scope allows it (``acts_for``)
may act for a named member of staff, recorded as "system:tok_… for sw1". No request field
chooses the actor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from oversight.workflows.ports.store import Entities, Staff

ROLES = ("system", "supervisee", "supervisor", "manager", "workforce", "auditor", "admin", "dpo")
PERSONAL_ROLES = frozenset({"supervisee", "supervisor", "manager"})
"""Roles whose scope is a person's: their token must name a staff member."""
WRITERS = frozenset({"system", "admin"})
"""Roles that post events and close any task."""
READERS = frozenset(ROLES) - {"system", "dpo"}
"""Roles that read records, each within its scope."""
OVERSEERS = frozenset({"auditor", "admin", "dpo"})
"""Roles that read the access log."""
DATA_PROTECTION = frozenset({"dpo"})
"""Roles that export everything held about a person (subject access)."""

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


class ScopeFacts(Protocol):
    """What a scope is worked out from: a unit of work, or the repositories on a connection."""

    @property
    def entities(self) -> Entities: ...
    @property
    def staff(self) -> Staff: ...


def reports_of(lines: Mapping[str, str | None], manager: str) -> set[str]:
    """Everyone whose line-manager chain (``lines``: person → line manager) includes
    ``manager``, not ``manager`` itself."""
    below: dict[str, list[str]] = {}
    for person, boss in lines.items():
        if boss is not None:
            below.setdefault(boss, []).append(person)
    found: set[str] = set()
    pending = list(below.get(manager, []))
    while pending:
        person = pending.pop()
        if person in found or person == manager:
            continue  # a loop in bad HR data ends here
        found.add(person)
        pending.extend(below.get(person, []))
    return found


def scope_for(facts: ScopeFacts, role: str, person: str | None) -> Scope:
    """The scope of a token with ``role`` for ``person``, from the store as it is now."""
    if role in ("auditor", "admin"):
        return Scope(everything=True, me=person)
    if role == "workforce":
        journeys = [e.subject for e in facts.entities.listing(["asye"])]
        return Scope(me=person, kinds=frozenset({"asye"}), people=frozenset(journeys))
    if role not in PERSONAL_ROLES or person is None:
        return Scope(me=person)  # system: no records
    me = frozenset({person})
    if role == "supervisee":
        return Scope(me=person, people=me)
    people = me | frozenset(e.subject for e in facts.entities.listing(["relationship"],
                                                                       party=person)
                            if e.state != "ended")
    if role == "manager":
        people |= reports_of(facts.staff.line_managers(), person)
    teams = frozenset(facts.staff.teams_of(people)) if role == "manager" else frozenset()
    return Scope(me=person, people=people, workers=people,
                 managers=people if role == "manager" else me, teams=teams)


__all__ = ["CHILD_KINDS", "DATA_PROTECTION", "OVERSEERS", "PERSONAL_ROLES", "PERSON_KINDS",
           "READERS", "ROLES", "Scope", "ScopeFacts",
           "WRITERS", "principal", "reports_of", "scope_for"]
