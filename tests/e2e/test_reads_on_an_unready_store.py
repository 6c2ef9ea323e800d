"""A read on a store that is not ready says so in the one line every command says it in, and
reads nothing: the schema's revision is checked without Alembic before the first query."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command

from oversight.adapters.store.database import alembic_config, make_engine, sqlite_url
from tests.e2e.conftest import Invoke

NOT_READY = "is not initialised or is out of date: run `oversight init` first"


@pytest.mark.parametrize("read", [["status"], ["tasks"], ["tasks", "--json"], ["why", "t1"],
                                  ["history", "asye:sw1"]])
def test_a_read_on_a_file_that_was_never_initialised_says_run_init(
        read: list[str], home: Path, oversight: Invoke) -> None:
    """An empty SQLite file where the store should be: exit 1, one line, the same as sweep's."""
    home.mkdir()
    (home / "oversight.db").touch()
    result = oversight(*read)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0] == (f"error: the store at sqlite:///{(home / 'oversight.db').resolve()} "
                        f"{NOT_READY}")
    assert oversight("sweep").stderr.splitlines() == lines


def test_a_read_on_a_store_one_migration_behind_says_run_init(
        home: Path, oversight: Invoke) -> None:
    """Made by Alembic at the revision before the newest: not current, for status and tasks."""
    home.mkdir()
    engine = make_engine(sqlite_url(home / "oversight.db"))
    config = alembic_config(engine)
    command.upgrade(config, "head")
    command.downgrade(config, "-1")
    engine.dispose()
    for read in (["status"], ["tasks"]):
        result = oversight(*read)
        assert result.exit_code == 1
        assert result.stderr.strip().endswith(NOT_READY)
    assert oversight("init").exit_code == 0
    assert oversight("status").exit_code == 0


UNREACHABLE = ("error: the store's database server at 127.0.0.1:1 could not be reached "
               "(Connection refused): check that the server runs and takes connections from "
               "this machine, and that OVERSIGHT_DATABASE_URL names its host, port and database")


@pytest.mark.parametrize("read", [["status"], ["tasks"], ["sweep"]])
def test_a_database_server_that_cannot_be_reached_is_named_in_one_line_without_init(
        read: list[str], home: Path, oversight: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PostgreSQL URL to port 1 of loopback, where nothing listens: exit 1, one line naming
    the host and port and what to check; `oversight init` would meet the same wall."""
    monkeypatch.setenv("OVERSIGHT_DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1:1/store")
    result = oversight(*read)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [UNREACHABLE]
