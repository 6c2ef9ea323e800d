"""Connecting to the store and bringing its schema up to date with Alembic."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import OperationalError

from oversight.adapters.store.json_columns import ENGINE_OPTIONS
from oversight.states.errors import StoreNotReady
from oversight.workflows.ports.credentials import StoreUnavailable

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
        engine = create_engine(url, connect_args={"timeout": 60}, **ENGINE_OPTIONS)
        _serialise_sqlite_writers(engine)
    else:
        engine = create_engine(postgres_url(url), pool_pre_ping=True, **ENGINE_OPTIONS)
    event.listen(engine, "handle_error", _unavailable, retval=True)
    return engine


class StoreBusy(OperationalError, StoreUnavailable):
    """SQLAlchemy's OperationalError as the application's :class:`StoreUnavailable`: still an
    OperationalError (with the driver's ``orig``), so the collision check, which reads its
    SQLSTATE, and the CLI's one line see what they saw before, while the edges name only the
    application's error."""


def _unavailable(context: ExceptionContext) -> BaseException | None:
    error = context.sqlalchemy_exception
    # A ping's failure is the pool's to handle (it reconnects), never the caller's.
    if context.is_pre_ping or not isinstance(error, OperationalError) \
            or isinstance(error, StoreBusy) or error.orig is None:
        return None
    return StoreBusy(error.statement, error.params, error.orig, error.hide_parameters,
                     error.connection_invalidated, error.__dict__.get("code"), error.ismulti)


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
        # A connection opened for reads alone (``execution_options(oversight_reads=True)``: the
        # API's token check) begins DEFERRED, which WAL runs beside the writer instead of
        # queueing it behind the writer's lock; it must not write.
        reads = connection.get_execution_options().get("oversight_reads", False)
        connection.exec_driver_sql("BEGIN DEFERRED" if reads else "BEGIN IMMEDIATE")


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


def require_current(engine: Engine, where: str) -> None:
    """:class:`StoreNotReady`, saying what to do, unless the store at ``where`` (its URL, as a
    person may read it) is at the newest migration."""
    if not is_current(engine):
        raise StoreNotReady(f"the store at {where} is not initialised or is out of date: run "
                            f"`oversight init` first")


def is_current(engine: Engine) -> bool:
    """Whether the schema is at the newest migration (False for an empty database).

    The newest revision is read from the migration scripts (:func:`known_head`) and the store's
    from its ``alembic_version`` table, so a store already at head is opened without importing
    Alembic, which takes longer than the rest of ``oversight sweep`` on an empty store."""
    head = known_head()
    if head is None:  # scripts that do not name one head plainly: let Alembic decide
        return _is_current_by_alembic(engine)
    return stored_revisions(engine) == [head]


_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]\s*$", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.*?)\s*$", re.M)
_PLAIN_ID = re.compile(r"['\"]([^'\"]+)['\"]")


@lru_cache(maxsize=1)
def known_head() -> str | None:
    """The newest migration's revision id, from the scripts' own ``revision = '0008'`` and
    ``down_revision = '0007'`` lines; None unless they make one plain line of history (a
    merge, a branch or an unusual script), when Alembic's own reading is used instead.
    ``tests/integration/test_store_revision.py`` checks that this is Alembic's head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    versions = files(MIGRATIONS.replace(":", ".")) / "versions"
    for script in versions.iterdir():
        if not script.name.endswith(".py") or script.name.startswith("__"):
            continue
        text = script.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(text), _DOWN_REVISION.findall(text)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        if down[0] != "None":
            parent = _PLAIN_ID.fullmatch(down[0])
            if parent is None:
                return None
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def stored_revisions(engine: Engine) -> list[str]:
    """The revisions the store's ``alembic_version`` table holds ([] for a new database)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return []
        return sorted(connection.execute(text("SELECT version_num FROM alembic_version"))
                      .scalars())


def _is_current_by_alembic(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
