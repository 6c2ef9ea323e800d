"""The people a machine needs to know about: roles, line managers, qualification dates.

A port: the domain asks, an adapter answers (from the staff table, a scenario, a test).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StaffMember:
    """One member of staff, by identifier only."""

    id: str
    role: str
    started: date
    line_manager: str | None = None
    qualified: date | None = None
    """Date of professional qualification, for supervisor eligibility."""


class Directory(Protocol):
    def line_manager_of(self, person: str) -> str | None:
        """The person's line manager, or None at the top of the chain or if unknown."""

    def member(self, person: str) -> StaffMember | None:
        """The staff record, or None if unknown."""


class StaffDirectory:
    """A directory held in memory: for tests, scenarios and a batch the service preloaded."""

    def __init__(self, members: Mapping[str, StaffMember] | Sequence[StaffMember] = ()):
        if isinstance(members, Mapping):
            self._members = dict(members)
        else:
            self._members = {m.id: m for m in members}

    def line_manager_of(self, person: str) -> str | None:
        member = self._members.get(person)
        return member.line_manager if member else None

    def member(self, person: str) -> StaffMember | None:
        return self._members.get(person)
