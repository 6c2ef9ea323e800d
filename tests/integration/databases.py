"""Empty stores for the integration tests, on SQLite or PostgreSQL, by name.

``Stores.url("base")`` is a URL where nothing exists yet: a file under ``tmp_path`` on SQLite,
a new database on the PostgreSQL server named by ``OVERSIGHT_TEST_POSTGRES_URL`` (any database
on it that the user may connect to and ``CREATE DATABASE`` from). ``Stores.migrated("base")`` is
one already at the newest revision, copied from this process's template (tests/store_templates.py)
instead of migrated again. ``copy`` clones a store, as a crashed run's rerun is compared with a
clean run. Every database made is dropped at the end.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from oversight.adapters.store.database import postgres_url
from tests.store_templates import TEMPLATES

POSTGRES_ENV = "OVERSIGHT_TEST_POSTGRES_URL"
POSTGRES_MISSING = (f"{POSTGRES_ENV} is not set: the PostgreSQL half of the integration suite "
                    f"needs a server (.ci/run starts one; see docs/scale.md)")


class SqliteStores:
    """Stores as files under one folder."""

    backend = "sqlite"

    def __init__(self, folder: Path):
        self.folder = folder

    def url(self, name: str = "oversight") -> str:
        return f"sqlite:///{self.folder / name}.db"

    def migrated(self, name: str = "oversight") -> str:
        """A new store at the newest revision: a copy of the template file."""
        return TEMPLATES.copy_sqlite(self.folder / f"{name}.db")

    def copy(self, source: str, target: str) -> str:
        """A logical copy of a live WAL database (the backup API, not ``cp``)."""
        with sqlite3.connect(self.folder / f"{source}.db") as src, \
                sqlite3.connect(self.folder / f"{target}.db") as dst:
            src.backup(dst)
        src.close()
        dst.close()
        return self.url(target)

    def close(self) -> None:
        pass


class PostgresStores:
    """Stores as databases on one PostgreSQL server, each made on first use and dropped at the
    end (``WITH (FORCE)``: connections pooled by the test's engines do not keep it alive)."""

    backend = "postgresql"

    def __init__(self, server_url: str):
        self.server = make_url(postgres_url(server_url))
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.prefix = f"oversight_test_{uuid.uuid4().hex[:10]}"
        self.made: dict[str, str] = {}

    def _database(self, name: str) -> str:
        return f"{self.prefix}_{name}".lower()

    def url(self, name: str = "oversight") -> str:
        if name not in self.made:
            self._execute(f'CREATE DATABASE "{self._database(name)}"')
            self.made[name] = self.server.set(database=self._database(name)).render_as_string(
                hide_password=False)
        return self.made[name]

    def migrated(self, name: str = "oversight") -> str:
        """A new database at the newest revision, made from the server's template database."""
        if name in self.made:
            raise ValueError(f"store {name!r} exists already: a template is copied to new ones")
        template = TEMPLATES.postgres_template(self.server.render_as_string(hide_password=False))
        self._execute(f'CREATE DATABASE "{self._database(name)}" TEMPLATE "{template}"')
        self.made[name] = self.server.set(database=self._database(name)).render_as_string(
            hide_password=False)
        return self.made[name]

    def copy(self, source: str, target: str) -> str:
        """``CREATE DATABASE … TEMPLATE``: the source must have no open connection."""
        self._execute(f'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                      f"WHERE datname = '{self._database(source)}' AND pid <> pg_backend_pid()")
        self._execute(f'CREATE DATABASE "{self._database(target)}" '
                      f'TEMPLATE "{self._database(source)}"')
        self.made[target] = self.server.set(database=self._database(target)).render_as_string(
            hide_password=False)
        return self.made[target]

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def close(self) -> None:
        for name in self.made:
            self._execute(f'DROP DATABASE IF EXISTS "{self._database(name)}" WITH (FORCE)')
        self.admin.dispose()


def postgres_server() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None
