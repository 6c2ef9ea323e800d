"""ASYE progress read from the store: the journeys, each through :func:`asye_progress`.

The one read path for ``oversight asye``, the API (``GET /v1/asye``, ``/v1/asye/{id}``) and the
dashboard's journey pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Engine, select

from oversight.adapters.store import tables as t
from oversight.states.policy.model import Policy
from oversight.states.views.asye_progress import AsyeProgress, asye_progress


def journeys(engine: Engine, policy: Policy, *, as_of: date,
             workers: Iterable[str] | None = None) -> list[AsyeProgress]:
    """Every ASYE journey (or those of ``workers``), in order of enrolment."""
    query = select(t.entities).where(t.entities.c.kind == "asye")
    if workers is not None:
        query = query.where(t.entities.c.subject.in_(list(workers)))
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(t.entities.c.started_on, t.entities.c.id))
        found = [dict(row) for row in rows.mappings()]
    return [asye_progress(worker=row["subject"], state=row["state"], data=row["data"],
                          policy=policy, as_of=as_of) for row in found]


def journey(engine: Engine, policy: Policy, worker: str, *, as_of: date) -> AsyeProgress | None:
    """One worker's ASYE, or None if they have none."""
    found = journeys(engine, policy, as_of=as_of, workers=[worker])
    return found[0] if found else None
