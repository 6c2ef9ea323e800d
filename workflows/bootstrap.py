"""The composition root: settings → engine → store → policy → service and delivery adapters.

The one module of ``workflows`` that names the adapters' concrete classes: it builds the
SQLAlchemy store (:class:`~oversight.adapters.store.unit_of_work.SqlStore`) and hands it, as the
store port, to the service and to every read model the edges call; it builds the deliveries
port over the same engine (:class:`SqlDeliveryStore`: the ledger, the circuits, the payload
allow-list) and one delivery adapter per configured receiver; it hands the CLI's operator
commands the audit chains' custody, personal data and issued secrets ports (``App.custody``,
``.personal_data``, ``.secrets``), a read its store alone (:func:`open_reader`) and the console
a store error as the application's (:func:`store_fault`); and it hands the synthetic
population its bulk writer and the simulation its scenario reader. import-linter's contracts
(pyproject.toml) keep it the only one; it stays cheap to import, for the reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Importing this module stays cheap (a read, `oversight status`, imports it for `open_reader`):
# the service, the machines, the policies, the settings, the delivery and the scenario adapters
# are imported by the functions that use them. The store adapter is the read's own.
from oversight.adapters.clock import Clock
from oversight.adapters.clock import clock as wall_clock
from oversight.adapters.store.chain_keys import attach
from oversight.adapters.store.database import make_engine, require_ready
from oversight.adapters.store.unit_of_work import SqlStore
from oversight.states.errors import OversightError, StoreNotReady, StoreUnusable

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from oversight.states.policy.model import Policy
    from oversight.workflows.ports.credentials import Credentials
    from oversight.workflows.ports.custody import ChainCustody
    from oversight.workflows.ports.deliveries import Deliverer, DeliveryStore
    from oversight.workflows.ports.issued_secrets import IssuedSecrets
    from oversight.workflows.ports.personal_data import PersonalData
    from oversight.workflows.ports.scenarios import EngineCheck, ScenarioPlan, ScenarioReader
    from oversight.workflows.ports.store import BulkWriter, UnitOfWorkFactory
    from oversight.workflows.ports.templates import Template
    from oversight.workflows.recording.service import OversightService
    from oversight.workflows.settings import Settings
    from oversight.workflows.store_settings import StoreSettings


@dataclass(frozen=True)
class App:
    settings: Settings
    engine: Engine
    """The store's engine: for the composition root and the store adapter alone (the edges
    take the ports below; tests/unit/test_boundaries.py and import-linter hold them to it)."""
    store: UnitOfWorkFactory
    """The store port: ``with app.store() as uow``; what the read models take."""
    policy: Policy
    service: OversightService

    def deliverers(self, *, run_at: datetime | None = None) -> dict[str, Deliverer]:
        """One adapter per configured receiver, by name (the JSON Lines file when none is)."""
        from oversight.adapters.delivery.receivers import build_deliverers

        return build_deliverers(self.settings, run_at=run_at)

    def require_ready(self) -> None:
        """The store answers and is at the newest migration, or the one readiness check
        (:func:`~oversight.adapters.store.database.require_ready`) raises why not."""
        require_ready(self.engine, self.settings.redacted_url())

    def close(self) -> None:
        """Let go of the store's connections (a temporary store's file can then be removed)."""
        self.engine.dispose()

    @property
    def deliveries(self) -> DeliveryStore:
        """The deliveries port over this store: what dispatch takes."""
        return SqlDeliveryStore(self.engine)

    @property
    def custody(self) -> ChainCustody:
        """The audit chains' custody port: verify, anchor, rotate the key."""
        from oversight.adapters.store.custody import SqlChainCustody

        return SqlChainCustody(self.engine, key_path=self.settings.audit_key_path,
                               anchor_path=self.settings.audit_anchor_path)

    @property
    def personal_data(self) -> PersonalData:
        """The personal data port: subject access and the retention purge."""
        from oversight.adapters.store.personal_data import SqlPersonalData

        return SqlPersonalData(self.engine)

    @property
    def secrets(self) -> IssuedSecrets:
        """The issued secrets port: API tokens and calendar feeds."""
        from oversight.adapters.store.issued_secrets import SqlIssuedSecrets

        return SqlIssuedSecrets(self.engine)

    @property
    def credentials(self) -> Credentials:
        """The credentials port over this store: tokens, sessions, feeds, the access log."""
        from oversight.adapters.store.gate import SqlCredentials

        return SqlCredentials(self.engine)

    @property
    def one_writer(self) -> bool:
        """The store has one write lock for everyone (SQLite): the API's own short
        transactions wait for its events' writer in the process instead of at the database."""
        return self.engine.dialect.name == "sqlite"


class SqlDeliveryStore(SqlStore):
    """The SQL store as the deliveries port: its units of work hand out the delivery ledger
    (``uow.deliveries``), and a message must pass the payload allow-list to leave."""

    def check_payload(self, message: dict[str, Any]) -> object:
        from oversight.adapters.delivery.payload import outbound

        return outbound(message)


def delivery_store(url: str) -> DeliveryStore:
    """The deliveries port over the store at ``url`` (one engine per URL per process)."""
    return SqlDeliveryStore(engine_for(url))


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL per process, shared by every flow task."""
    return make_engine(url)


def store_ready(settings: Settings) -> Engine:
    """The engine of the store ``settings`` name, once the one readiness check passes."""
    engine = engine_for(settings.url)
    require_ready(engine, settings.redacted_url())
    return engine


def initialise(settings: Settings, policy_name: str | None = None) -> App:
    """Create or upgrade the schema and record which authority's policy the store runs."""
    from oversight.adapters.policy_files import load_policy, load_policy_book
    from oversight.adapters.store.chain_custody import ensure_key
    from oversight.adapters.store.database import upgrade
    from oversight.workflows.recording.service import OversightService

    name = policy_name or settings.policy
    # Fails first: nothing is created for a bad name.
    policy = load_policy(name, settings.policy_dir)
    book = load_policy_book(name, settings.policy_dir)
    engine = engine_for(settings.url)
    upgrade(engine)
    ensure_key(engine, attach(engine, settings.audit_key_path), now=wall_clock().now())
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
    from oversight.adapters.policy_files import load_policy_book
    from oversight.workflows.recording.service import OversightService
    from oversight.workflows.settings import Settings

    settings = settings or Settings()
    engine = store_ready(settings)
    attach(engine, settings.audit_key_path)
    store = SqlStore(engine)
    with store() as uow:
        name = uow.meta.get("policy") or settings.policy
    book = load_policy_book(name, settings.policy_dir)
    return App(settings, engine, store, book.current, OversightService(
        uow_factory=store, policy=book, link_base=settings.link_base))


def open_reader(config: StoreSettings | Settings) -> UnitOfWorkFactory:
    """The store port for a command that only reads (``oversight status``, ``tasks``): no
    service, machines, policies, Alembic or Prefect, which a read does not use and which take
    most of a second to import. A store never initialised or behind the code's schema is
    refused as by :func:`open_app` (the schema's revision is read without Alembic)."""
    engine = make_engine(config.url)
    require_ready(engine, config.redacted_url())
    attach(engine, config.audit_key_path)  # a read's access-log lines are sealed with it
    return SqlStore(engine)


def store_fault(error: BaseException) -> StoreUnusable | None:
    """``error`` as the application's error when it is the store's database failing (the
    store adapter names the library's errors), for the store the environment names; None for
    any other error, which the edge lets through."""
    from oversight.adapters.store.faults import store_fault as translated
    from oversight.workflows.settings import Settings
    from oversight.workflows.store_settings import StoreSettings

    try:
        url: str | None = (StoreSettings.from_environment() or Settings()).url
    except Exception:  # noqa: BLE001 - the settings' own fault is said by the next command
        url = None
    return translated(error, url)


# ----- the synthetic population's store and the simulation's scenario files ---------------------

def bulk_writer(url: str) -> BulkWriter:
    """Rows straight into the (initialised) store at ``url``: executemany or ``COPY``."""
    from oversight.adapters.store import bulk

    return bulk.BulkLoad(url)


def template_entities(path: Path) -> list[tuple[str, str]]:
    """(kind, id) of every entity in the SQLite template store at ``path``."""
    from oversight.adapters.store import bulk

    return bulk.entity_keys(path)


def capture_template(path: Path, owners: Iterable[tuple[str, str]], people: Iterable[str],
                     tokens: Mapping[str, str]) -> Template:
    """The rows ``owners`` and staff ``people`` own in the template store, over ``tokens``."""
    from oversight.adapters.store import bulk

    return bulk.capture(path, owners, people, tokens)


def _read_scenario(path: Path, *, policy_dir: Path | None = None, engine_check: bool = True,
                   engine: EngineCheck | None = None) -> ScenarioPlan:
    from oversight.adapters.scenario import load_scenario

    return load_scenario(path, policy_dir=policy_dir, engine_check=engine_check, engine=engine)


read_scenario: ScenarioReader = _read_scenario
"""The scenario files' reader (YAML, validated, checked by the engine's dry run)."""


@contextmanager
def store_file(path: Path) -> Iterator[UnitOfWorkFactory]:
    """The store port over an existing SQLite store file, let go of afterwards."""
    engine = make_engine(sqlite_url(path))
    try:
        yield SqlStore(engine)
    finally:
        engine.dispose()


def clock() -> Clock:
    """The process's wall clock (the system's, or a test clock on a scratch store): the flows
    take their instant from it (adapters/clock.py)."""
    return wall_clock()


def sqlite_url(path: Path) -> str:
    """The store URL of a SQLite file."""
    return f"sqlite:///{path}"


def dispatch_here(app: App, now: datetime, batch_size: int) -> dict[str, Any]:
    """One dispatch run in this process, as the ``dispatch`` flow's steps do it, without
    Prefect (no server configured): routing, then each receiver's pages."""
    from oversight.workflows.delivery.dispatch import Backoff, dispatch
    from oversight.workflows.reads.receivers import close_all

    settings = app.settings
    deliverers = app.deliverers(run_at=now)
    try:
        return dispatch(app.deliveries, deliverers=deliverers, routing=settings.routing(),
                        backoff=Backoff.from_policy(settings.delivery), now=now,
                        batch_size=batch_size, file_batch_size=settings.delivery.file_batch_size)
    finally:
        close_all(deliverers)


__all__ = ["App", "Clock", "SqlDeliveryStore", "StoreNotReady",
           "bulk_writer", "capture_template", "clock",
           "delivery_store", "dispatch_here", "engine_for", "initialise", "open_app",
           "open_reader", "read_scenario", "sqlite_url", "store_fault", "store_file",
           "store_ready", "template_entities"]
