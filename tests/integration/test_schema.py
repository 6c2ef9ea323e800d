"""The schema: Alembic creates it, leaves it alone when current, and matches ``tables.py``."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text

from oversight.adapters.store.database import alembic_config, is_current, make_engine, upgrade
from oversight.adapters.store.tables import metadata
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.workflows.bootstrap import App
from tests.integration.databases import PostgresStores, SqliteStores


def _schema(engine) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """Every table, column and index definition the database holds, in a stable order."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return [tuple(row) for row in connection.execute(text(
                "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                "ORDER BY name"))]
        columns = connection.execute(text(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = current_schema() "
            "ORDER BY table_name, column_name"))
        indexes = connection.execute(text(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() ORDER BY indexname"))
        return [tuple(row) for row in columns] + [tuple(row) for row in indexes]


def test_upgrade_on_an_empty_database_creates_every_table_and_index(
        stores: SqliteStores | PostgresStores) -> None:
    """Alembic's upgrade turns an empty database into the full schema at the newest revision."""
    engine = make_engine(stores.url("empty"))
    assert not is_current(engine)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert tables == set(metadata.tables) | {"alembic_version"}
    indexes = {ix["name"] for name in metadata.tables for ix in inspect(engine).get_indexes(name)}
    assert {"ix_timers_due", "ix_entities_subject", "ix_entities_party", "ix_audit_entity",
            "ix_tasks_state_due", "ix_outbox_pending"} <= indexes
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
    assert is_current(engine)


def test_a_second_upgrade_changes_nothing(stores: SqliteStores | PostgresStores) -> None:
    """Upgrading a current store is a no-op: same schema, same revision, rows kept."""
    engine = make_engine(stores.url("twice"))
    upgrade(engine)
    with SqlUnitOfWork(engine) as uow:
        uow.meta.set("policy", "surrey")
        uow.commit()
    before = _schema(engine)
    upgrade(engine)
    assert _schema(engine) == before
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    with SqlUnitOfWork(engine) as uow:
        assert uow.meta.get("policy") == "surrey"


def test_the_migrated_schema_matches_the_tables_the_code_declares(
        stores: SqliteStores | PostgresStores) -> None:
    """Autogenerate finds no difference between the migrations and ``tables.py``."""
    engine = make_engine(stores.url("compare"))
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_the_due_timer_query_is_answered_from_the_due_index(app: App) -> None:
    """The sweep's query searches ``ix_timers_due`` in order, never scanning or sorting timers."""
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        if "FROM timers" in statement and "fires_on <=" in statement:
            seen.append((statement, parameters))

    event.listen(app.engine, "before_cursor_execute", capture)
    try:
        app.service.due_timer_ids(date(2026, 6, 1), limit=10)
        app.service.due_timer_ids(date(2026, 6, 1), limit=10, after=(date(2026, 1, 6), 3))
    finally:
        event.remove(app.engine, "before_cursor_execute", capture)
    assert len(seen) == 2
    with app.engine.connect() as connection:
        if app.engine.dialect.name == "postgresql":
            # A handful of rows: PostgreSQL would rightly scan them all. Forbid the scan to see
            # that the index answers the query, in its order.
            connection.exec_driver_sql("SET enable_seqscan = off")
            connection.exec_driver_sql("SET enable_bitmapscan = off")
            for statement, parameters in seen:
                plan = " ".join(str(row[0]) for row in connection.exec_driver_sql(
                    "EXPLAIN " + statement, parameters))
                assert "Index Scan using ix_timers_due on timers" in plan, plan
                assert "Sort" not in plan, plan
            return
        for statement, parameters in seen:
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters))
            assert "SEARCH timers USING INDEX ix_timers_due" in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # the index gives the order: no sort
