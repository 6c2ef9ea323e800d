"""Migrated empty stores, made once per test process and copied for each test that needs one.

Running Alembic's eight revisions for every store fixture cost the suite a second or more per
test under load. Instead, the first test to ask migrates one template per backend with the
real :func:`~oversight.adapters.store.database.upgrade`, and every later store is a copy of it:
a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. A copy is at head, so
``initialise`` (which the fixtures still call) finds nothing to migrate and only records the
policy. The tests that are about migrating (``test_schema.py``, ``test_migration_history.py``,
``test_store_revision.py``) keep starting from an empty database, and
``tests/integration/test_store_templates.py`` checks that a copy has the schema Alembic makes.

Each pytest process (each ``xdist`` worker) makes its own templates: a file under its own
temporary folder, a database named with a random prefix, so workers share nothing.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from oversight.adapters.store.database import make_engine, postgres_url, sqlite_url, upgrade


class StoreTemplates:
    """One migrated SQLite file and, on first use, one migrated database per PostgreSQL server."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._postgres: dict[str, str] = {}  # server URL -> template database name

    def sqlite_file(self) -> Path:
        """The template file, migrated on first use."""
        if self._folder is None:
            folder = Path(tempfile.mkdtemp(prefix="oversight-tests-template-"))
            engine = make_engine(sqlite_url(folder / "template.db"))
            upgrade(engine)
            engine.dispose()  # the last connection checkpoints the WAL into the file
            self._folder = folder
        return self._folder / "template.db"

    def copy_sqlite(self, target: Path) -> str:
        """A migrated store at ``target`` (which must not exist yet); its URL."""
        template = self.sqlite_file()
        if target.exists():
            raise FileExistsError(f"{target} exists: a template is copied only to a new store")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        return sqlite_url(target)

    def postgres_template(self, server_url: str) -> str:
        """The name of the migrated template database on ``server_url``, made on first use."""
        if server_url not in self._postgres:
            name = f"oversight_template_{uuid.uuid4().hex[:10]}"
            server = make_url(postgres_url(server_url))
            admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
            upgrade(engine)
            engine.dispose()  # CREATE DATABASE … TEMPLATE refuses a template with connections
            self._postgres[server_url] = name
        return self._postgres[server_url]

    def close(self) -> None:
        """Drop the templates this process made."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        for server_url, name in self._postgres.items():
            admin = create_engine(make_url(postgres_url(server_url)),
                                  isolation_level="AUTOCOMMIT", poolclass=NullPool)
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        self._postgres.clear()


TEMPLATES = StoreTemplates()
"""This process's templates; ``tests/conftest.py`` closes them when the session ends."""


def migrated_sqlite(path: Path) -> str:
    """A store at the newest revision at ``path``, copied from the template; its URL."""
    return TEMPLATES.copy_sqlite(path)
