"""An extract imported again: which of its events the store already holds, and the corrections
a changed extract asks for, all in one transaction (the use cases behind ``oversight import ssd``).

An import whose event ids name their row (``ssd:<table>:<row>:<what>:v<digest>``) finds what it
applied before with :func:`live_imported`; a row whose content changed is amended (retracted and
recorded again, as :meth:`Corrections.amend` does) and a row gone is retracted. Unlike
``Corrections``, whose every call is its own transaction, :func:`correct_all` makes them all in
one, so a refused correction leaves the store as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oversight.states.errors import OversightError
from oversight.states.events.registry import DomainEvent
from oversight.workflows.ports.store import UnitOfWorkFactory
from oversight.workflows.recording.retraction import Corrections
from oversight.workflows.recording.service import OversightService


def live_imported(store: UnitOfWorkFactory, prefix: str) -> list[str]:
    """The event ids applied that begin with ``prefix`` and were not retracted."""
    with store() as uow:
        return uow.events.live_from(prefix)


@dataclass(frozen=True)
class Correction:
    """Retract ``record``; then, for an amendment, record ``event`` in its place."""

    record: str
    reason: str
    event: DomainEvent | None = None


def correct_all(service: OversightService, corrections: list[Correction], *, now: datetime,
                commit: bool) -> tuple[int, list[tuple[int, OversightError]]]:
    """Make every correction in one transaction, each in a savepoint: the tasks opened and each
    refused one by its position. Committed only when ``commit`` and none was refused."""
    undo, opened, refused = Corrections(service), 0, []
    with service.uow_factory() as uow:
        for index, correction in enumerate(corrections):
            savepoint = uow.savepoint()
            try:
                # Corrections.amend's and retract's own steps, inside this one transaction.
                done = undo.retract_in(uow, correction.record, correction.reason, None, now)
                if correction.event is not None:
                    done.add(service.apply_in(uow, correction.event, now))
            except OversightError as error:
                savepoint.rollback()
                if service.uow_factory.collision(error):
                    raise
                refused.append((index, error))
                continue
            savepoint.commit()
            opened += done.tasks_opened
        if commit and not refused:
            uow.commit()
    return opened, refused


__all__ = ["Correction", "correct_all", "live_imported"]
