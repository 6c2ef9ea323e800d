"""The composition root: settings → engine → store → policy → service and delivery adapters.

The one module of ``workflows`` that names the adapters' concrete classes: it builds the
SQLAlchemy store (:class:`~oversight.adapters.store.unit_of_work.SqlStore`) and hands it, as the
store port, to the service and to every read model the edges call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Engine

from oversight.adapters.delivery.ports import Deliverer
from oversight.adapters.policy_files import load_policy, load_policy_book
from oversight.adapters.store.database import is_current, make_engine, upgrade
from oversight.adapters.store.unit_of_work import SqlStore
from oversight.states.errors import OversightError, StoreNotReady
from oversight.states.policy.model import Policy
from oversight.workflows.ports import UnitOfWorkFactory
from oversight.workflows.service import OversightService
from oversight.workflows.settings import Settings


@dataclass(frozen=True)
class App:
    settings: Settings
    engine: Engine
    """The store's engine, for the adapters that speak SQL themselves (delivery, tokens)."""
    store: UnitOfWorkFactory
    """The store port: ``with app.store() as uow``; what the read models take."""
    policy: Policy
    service: OversightService

    def deliverers(self, *, run_at: datetime | None = None) -> dict[str, Deliverer]:
        """One adapter per configured receiver, by name (the JSON Lines file when none is)."""
        from oversight.workflows.receivers import build_deliverers

        return build_deliverers(self.settings, run_at=run_at)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL per process, shared by every flow task."""
    return make_engine(url)


def initialise(settings: Settings, policy_name: str | None = None) -> App:
    """Create or upgrade the schema and record which authority's policy the store runs."""
    name = policy_name or settings.policy
    # Fails first: nothing is created for a bad name.
    policy = load_policy(name, settings.policy_dir)
    book = load_policy_book(name, settings.policy_dir)
    engine = engine_for(settings.url)
    upgrade(engine)
    store = SqlStore(engine)
    with store() as uow:
        current = uow.meta.get("policy")
        if current and current != name:
            raise OversightError(f"this store runs the '{current}' policy, not '{name}'; "
                                 f"use another OVERSIGHT_HOME or OVERSIGHT_DATABASE_URL")
        uow.meta.set("policy", name)
        uow.commit()
    return App(settings, engine, store, policy, OversightService(
        uow_factory=store, policy=book, link_base=settings.link_base))


def open_app(settings: Settings | None = None) -> App:
    """The application over an initialised store."""
    settings = settings or Settings()
    engine = engine_for(settings.url)
    if not is_current(engine):
        raise StoreNotReady(f"the store at {settings.redacted_url()} is not initialised or is out "
                            f"of date: run `oversight init` first")
    store = SqlStore(engine)
    with store() as uow:
        name = uow.meta.get("policy") or settings.policy
    book = load_policy_book(name, settings.policy_dir)
    return App(settings, engine, store, book.current, OversightService(
        uow_factory=store, policy=book, link_base=settings.link_base))
