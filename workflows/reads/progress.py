"""ASYE progress read from the store: the journeys, each through :func:`asye_progress`.

The one read path for ``oversight asye``, the API (``GET /v1/asye``, ``/v1/asye/{id}``) and the
dashboard's journey pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from oversight.states.policy.model import Policy
from oversight.states.views.asye_progress import AsyeProgress, asye_progress
from oversight.workflows.ports.store import UnitOfWorkFactory


def journeys(store: UnitOfWorkFactory, policy: Policy, *, as_of: date,
             workers: Iterable[str] | None = None) -> list[AsyeProgress]:
    """Every ASYE journey (or those of ``workers``), in order of enrolment."""
    with store() as uow:
        found = uow.entities.listing(["asye"], subjects=workers)
    return [asye_progress(worker=e.subject, state=e.state, data=e.data, policy=policy,
                          as_of=as_of) for e in found]


def journey(store: UnitOfWorkFactory, policy: Policy, worker: str, *, as_of: date
            ) -> AsyeProgress | None:
    """One worker's ASYE, or None if they have none."""
    found = journeys(store, policy, as_of=as_of, workers=[worker])
    return found[0] if found else None
