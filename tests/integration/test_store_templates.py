"""The migrated template the store fixtures copy (tests/store_templates.py) is exactly what the
real migrations make of an empty database, on each backend; a copy is a store of its own."""

from __future__ import annotations

from sqlalchemy import text

from oversight.adapters.store.database import is_current, known_head, make_engine, upgrade
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from tests.integration.databases import PostgresStores, SqliteStores
from tests.integration.test_schema import _schema


def test_a_store_copied_from_the_template_has_the_schema_alembic_makes_from_empty(
        stores: SqliteStores | PostgresStores) -> None:
    """Every table, column and index of the copy is the one all eight revisions create from
    an empty database, and the copy is at the newest revision (0011), holding no rows."""
    fresh = make_engine(stores.url("fresh"))
    upgrade(fresh)  # the real migrations, from nothing
    copied = make_engine(stores.migrated("copied"))
    assert is_current(copied) and known_head() == "0011"
    assert _schema(copied) == _schema(fresh)
    with copied.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM meta")).scalar_one() == 0
        assert connection.execute(text("SELECT count(*) FROM audit")).scalar_one() == 0
    fresh.dispose()
    copied.dispose()


def test_two_copies_of_the_template_are_separate_stores(
        stores: SqliteStores | PostgresStores) -> None:
    """What one copy records the other does not hold: each test gets a store of its own."""
    first = make_engine(stores.migrated("first"))
    second = make_engine(stores.migrated("second"))
    with SqlUnitOfWork(first) as uow:
        uow.meta.set("policy", "hull")
        uow.commit()
    with SqlUnitOfWork(second) as uow:
        assert uow.meta.get("policy") is None
    with SqlUnitOfWork(first) as uow:
        assert uow.meta.get("policy") == "hull"
    first.dispose()
    second.dispose()
