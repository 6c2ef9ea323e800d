"""Every version of one authority's policy, and which one is in force on a given day.

A version applies from its ``effective_from`` until the next version's: an entity stepped on a
day runs under the version in force that day (and records it). Before the earliest version's
date the earliest applies, so a store never has a day without rules. Pure: the files are read
by ``oversight.adapters.policy_files.load_policy_book``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from oversight.states.errors import PolicyError
from oversight.states.policy.model import Policy


@dataclass(frozen=True)
class PolicyBook:
    """The versions of one authority's policy, oldest first."""

    versions: tuple[Policy, ...]
    current: Policy
    """The version in the authority's own file (``config/policies/<authority>.yaml``)."""

    @classmethod
    def of(cls, *policies: Policy, current: Policy | None = None,
           source: str = "policy book") -> PolicyBook:
        """A book of ``policies``; refused if they mix authorities or repeat a version or a date."""
        if not policies:
            raise PolicyError(source, "", "no policy versions")
        authorities = sorted({p.authority for p in policies})
        if len(authorities) > 1:
            raise PolicyError(source, "authority",
                              f"versions of different authorities: {', '.join(authorities)}")
        ordered = tuple(sorted(policies, key=lambda p: p.effective_from))
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if earlier.version == later.version:
                raise PolicyError(source, "version", f"version '{later.version}' is given twice")
            if earlier.effective_from == later.effective_from:
                raise PolicyError(source, "effective_from",
                                  f"versions '{earlier.version}' and '{later.version}' both take "
                                  f"effect on {later.effective_from.isoformat()}")
        versions = [p.version for p in ordered]
        if len(set(versions)) != len(versions):
            raise PolicyError(source, "version", "a version is given twice")
        return cls(ordered, current or ordered[-1])

    @property
    def authority(self) -> str:
        return self.current.authority

    @property
    def latest(self) -> Policy:
        """The version with the latest effective date (perhaps not in force yet)."""
        return self.versions[-1]

    def in_force(self, day: date) -> Policy:
        """The version in force on ``day``: the last to take effect on or before it."""
        found = self.versions[0]
        for policy in self.versions:
            if policy.effective_from <= day:
                found = policy
        return found

    def version(self, name: str) -> Policy:
        for policy in self.versions:
            if policy.version == name:
                return policy
        known = ", ".join(p.version for p in self.versions)
        raise PolicyError(self.authority, "version",
                          f"no version '{name}' of the {self.authority} policy (versions: {known})")

    def has_version(self, name: str) -> bool:
        return any(policy.version == name for policy in self.versions)


__all__ = ["PolicyBook"]
