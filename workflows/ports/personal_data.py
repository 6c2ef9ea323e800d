"""The personal data port: a person's subject access export and the retention purge
(``oversight subject-access``, ``oversight purge``; docs/security.md).

The store adapter implements :class:`PersonalData` (``adapters/store/personal_data.py``); the
composition root hands it out as ``App.personal_data``. An erasure and the files rewritten after
it are the values that cross it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class Erasure:
    """One person erased: the pseudonym their rows now carry and how many rows changed."""

    id: str
    pseudonym: str
    counts: dict[str, int]
    person: str = field(default="", repr=False, compare=False)
    """Who, in memory only (the files are rewritten with it, ``erasure_files``): never stored,
    never printed."""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "pseudonym": self.pseudonym, "counts": self.counts}


@dataclass
class FilesRewritten:
    """What :func:`rewrite_files` did: lines changed per file, and the files it could not read
    as text."""

    changed: dict[str, int] = field(default_factory=dict)
    not_text: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"changed": self.changed, "not_text": self.not_text}


class PersonalData(Protocol):
    """What subject access and purge need of the store."""

    def subject_access(self, person: str, *, now: datetime, requested_by: str
                       ) -> dict[str, Any]:
        """Everything held about ``person`` with its manifest, the read logged (committed)."""
        ...

    def due_for_destruction(self, as_of: date) -> list[str]:
        """Who has a supervision file at its destruction date by ``as_of``."""
        ...

    def not_yet_destroyed(self, as_of: date) -> list[str]:
        """Of those due by ``as_of``, whose file's lifecycle has not recorded its destruction."""
        ...

    def purge(self, *, as_of: date, now: datetime, actor: str) -> list[Erasure]:
        """Everyone due by ``as_of`` erased in every table (committed)."""
        ...

    def erase_from_files(self, home: Path, receivers: Iterable[tuple[Path, str | None]],
                         renames: dict[str, str]) -> FilesRewritten:
        """The product's files (under ``home`` and the file receivers': folder, prefix)
        rewritten with each erased person's pseudonym; a SQLite store compacted first, so
        freed pages keep no old value."""
        ...


__all__ = ["Erasure", "FilesRewritten", "PersonalData"]
