"""The personal data port (:class:`~oversight.workflows.ports.personal_data.PersonalData`)
over the SQL store: subject access, the retention purge and the files rewritten after it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from oversight.adapters.store import erasure
from oversight.adapters.store.erasure_files import compact_sqlite, product_files, rewrite_files
from oversight.adapters.store.subject_access import subject_access
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.workflows.ports.personal_data import Erasure, FilesRewritten


class SqlPersonalData:
    """Personal data rights on one store; each call is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def subject_access(self, person: str, *, now: datetime, requested_by: str
                       ) -> dict[str, Any]:
        with SqlUnitOfWork(self.engine) as uow:  # the export's read is logged in it
            found = subject_access(uow.connection, person, now=now, requested_by=requested_by)
            uow.commit()
        return found

    def due_for_destruction(self, as_of: date) -> list[str]:
        with self.engine.connect() as connection:
            return erasure.due_for_destruction(connection, as_of)

    def not_yet_destroyed(self, as_of: date) -> list[str]:
        with self.engine.connect() as connection:
            files = erasure.destroyed_or_not(connection,
                                             erasure.due_for_destruction(connection, as_of))
        return [person for person, destroyed in files.items() if not destroyed]

    def purge(self, *, as_of: date, now: datetime, actor: str) -> list[Erasure]:
        with SqlUnitOfWork(self.engine) as uow:
            done = erasure.purge(uow.connection, as_of=as_of, now=now, actor=actor)
            uow.commit()
        return done

    def erase_from_files(self, home: Path, receivers: Iterable[tuple[Path, str | None]],
                         renames: dict[str, str]) -> FilesRewritten:
        compact_sqlite(self.engine)
        return rewrite_files(product_files(home, receivers), renames)


__all__ = ["SqlPersonalData"]
