"""The staff an HR export lists, written to the store: the use case behind
``oversight import staff`` (:mod:`oversight.adapters.imports`), on the store port."""

from __future__ import annotations

from collections.abc import Iterable

from oversight.workflows.ports.store import StaffRecord, UnitOfWorkFactory


def line_managers(store: UnitOfWorkFactory) -> dict[str, str | None]:
    """Every member of staff the store holds → their line manager (None at the top)."""
    with store() as uow:
        return uow.staff.line_managers()


def import_staff(store: UnitOfWorkFactory, records: Iterable[StaffRecord], *,
                 dry_run: bool = False) -> dict[str, int]:
    """Add new staff, update changed ones, leave identical ones alone, in one transaction
    (rolled back for a dry run): how many were ``added``, ``updated`` and ``unchanged``."""
    with store() as uow:
        counts = uow.staff.upsert_records(records)
        if not dry_run:
            uow.commit()
    return counts


__all__ = ["import_staff", "line_managers"]
