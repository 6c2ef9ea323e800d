"""A store's schema is judged current without Alembic: the head read from the migration scripts
is Alembic's head, and a store behind it, ahead of it or never made is not current."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from oversight.adapters.store.database import (
    alembic_config,
    is_current,
    known_head,
    make_engine,
    stored_revisions,
    upgrade,
)
from tests.integration.databases import PostgresStores, SqliteStores


def test_the_head_read_from_the_scripts_is_the_head_alembic_finds(
        stores: SqliteStores | PostgresStores) -> None:
    """known_head() names the revision Alembic's own script directory calls the head."""
    engine = make_engine(stores.url("head"))
    assert known_head() == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def test_a_store_one_revision_behind_is_not_current_until_upgraded(
        stores: SqliteStores | PostgresStores) -> None:
    """A store Alembic left at the revision before the head is out of date; upgraded, current."""
    engine = make_engine(stores.url("behind"))
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head()
    assert head is not None
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    command.upgrade(alembic_config(engine), previous)
    assert stored_revisions(engine) == [previous]
    assert not is_current(engine)
    upgrade(engine)
    assert stored_revisions(engine) == [head]
    assert is_current(engine)


def test_a_new_database_and_a_store_from_newer_code_are_not_current(
        stores: SqliteStores | PostgresStores) -> None:
    """No version table at all, or a revision this code does not know: not current."""
    engine = make_engine(stores.url("strange"))
    assert stored_revisions(engine) == []
    assert not is_current(engine)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert stored_revisions(engine) == ["9999"]
    assert not is_current(engine)
