"""Connecting to the store and bringing its schema up to date with Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event

from oversight.states.errors import StoreNotReady

if TYPE_CHECKING:  # Alembic is imported where the schema is checked or changed: reading the
    from alembic.config import Config  # store does not need it, and it takes a while to import

# Alembic finds the scripts as package data (importlib.resources), installed or editable alike.
MIGRATIONS = "oversight.adapters.store:migrations"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


SUPPORTED = ("sqlite:///PATH", "postgresql://USER@HOST/DB (psycopg 3)")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and writer-first transactions.
    Any other kind of database is refused in one line naming the supported ones."""
    scheme = url.partition(":")[0].lower()
    if scheme not in ("sqlite", "sqlite+pysqlite", "postgresql", "postgres", "postgresql+psycopg"):
        raise StoreNotReady(f"OVERSIGHT_DATABASE_URL: {scheme or url[:20]!r} databases are not "
                            f"supported; use {' or '.join(SUPPORTED)}")
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.endswith(":memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})
        _serialise_sqlite_writers(engine)
        return engine
    return create_engine(postgres_url(url), pool_pre_ping=True)


def postgres_url(url: str) -> str:
    """A PostgreSQL URL on the psycopg 3 driver: ``postgresql://`` and ``postgres://`` are
    rewritten to ``postgresql+psycopg://``; any other URL is returned as it is."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _serialise_sqlite_writers(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take it over, and
    # begin IMMEDIATE so a writer waits for the lock up front instead of failing mid-transaction
    # with "database is locked" when two processes race.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def is_current(engine: Engine) -> bool:
    """Whether the schema is at the newest migration (False for an empty database)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
