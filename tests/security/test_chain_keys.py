"""The chain's key over a store's life: ``init`` makes it, ``audit rotate-key`` starts a new one
with the old kept, a store chained before there were keys verifies its old part and is keyed
from ``init`` on, and a lost key file is refused rather than replaced.

Hull, as in ``test_chain_tampering``: events recorded on Fri 6 Mar 2026, three reads logged.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, insert, select, update

from oversight.adapters.store import chain, inbound
from oversight.adapters.store import tables as t
from oversight.adapters.store.chain_keys import Keyring
from oversight.adapters.store.database import make_engine, upgrade
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.settings import Settings
from tests.security.chain_store import READ_AT, hull, oversight, table, verify

__all__ = ["hull"]  # the fixture, on SQLite and PostgreSQL


def test_a_rotated_key_seals_what_follows_and_the_old_part_still_verifies(hull: App) -> None:
    """rotate-key, then tm2 and sw3 hold a session on Mon 2 Mar 2026: the key file holds both
    keys (0600), the new one from the place after the old head, and both chains verify."""
    audit_before = _count(hull, "audit")
    run = oversight(hull, "audit", "rotate-key", "--json")
    assert run.returncode == 0, run.stderr
    rotated = json.loads(run.stdout)
    keys = Keyring(hull.settings.audit_key_path).keys
    assert [key.id for key in keys] == [rotated["old"], rotated["new"]]
    assert keys[1].starts["audit"] == audit_before + 1
    assert hull.settings.audit_key_path.stat().st_mode & 0o777 == 0o600
    hull.service.record(parse_event({"type": "supervision_held", "on": "2026-03-02",
                                     "supervisor": "tm2", "supervisee": "sw3"}), now=READ_AT)
    code, report = verify(hull)
    assert code == 0, report
    assert table(report, "audit")["key"] == rotated["new"]
    assert table(report, "audit")["rows"] > audit_before


def test_init_refuses_a_keyed_store_whose_key_file_is_lost(hull: App) -> None:
    """The key file deleted: ``oversight init`` says which key the chain names and where the
    file was expected, exits 1, and makes no new key."""
    path = hull.settings.audit_key_path
    key = Keyring(path).current()
    assert key is not None
    path.unlink()
    run = oversight(hull, "init", "--policy", "hull")
    assert run.returncode == 1
    assert run.stderr.strip() == (f"error: the audit chain is sealed with key {key.id} but the "
                                  f"key file {path.resolve()} does not exist: restore it from "
                                  f"its backup, or name it in OVERSIGHT_AUDIT_KEY_FILE")
    assert not path.exists()


def test_a_store_chained_before_keys_keeps_its_plain_part_and_is_keyed_from_init(
        tmp_path: Path) -> None:
    """A store at the newest schema whose rows were sealed with no key (as revision 0006 did):
    verify holds with no key; ``init`` makes a key from the place after each head; a later
    read is sealed under it; editing a plain row and recomputing the plain part is then found
    at the first keyed row."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with SqlUnitOfWork(engine) as uow:
        ids = uow.connection.execute(insert(t.audit).returning(t.audit.c.id), [
            {"entity_kind": "relationship", "entity_id": "tm1:sw1", "source": "none",
             "dest": "active", "trigger": "relationship_started", "cause": "started",
             "on": date(2026, 1, 5), "recorded_at": READ_AT} for _ in range(3)]).scalars()
        chain.written(uow.connection, "audit", ids)
        uow.commit()
    with engine.connect() as connection:
        assert connection.execute(select(t.chain_heads.c.seq, t.chain_heads.c.key_id).where(
            t.chain_heads.c.name == "audit")).one() == (3, None)
    engine.dispose()
    app = initialise(Settings(home=tmp_path, database_url=url), "hull")
    key = Keyring(app.settings.audit_key_path).current()
    assert key is not None and key.starts == {"audit": 4, "access_log": 1}
    with SqlUnitOfWork(app.engine) as uow:
        inbound.log_access(uow.connection, token=None, role="auditor", resource="entity",
                           targets=["person:sw1"], outcome="allowed",
                           now=datetime(2026, 3, 6, 9, 0, tzinfo=UTC), reader="os:auditor")
        uow.commit()
    with SqlUnitOfWork(app.engine) as uow:  # a fourth audit row, sealed under the key
        chain.written(uow.connection, "audit", uow.connection.execute(
            insert(t.audit).returning(t.audit.c.id), [
                {"entity_kind": "relationship", "entity_id": "tm1:sw1", "source": "active",
                 "dest": "ended", "trigger": "relationship_ended", "cause": "ended",
                 "on": date(2026, 2, 27), "recorded_at": READ_AT}]).scalars())
        uow.commit()
    code, report = verify(app)
    assert code == 0, report
    assert table(report, "audit")["rows"] == 4 and table(report, "audit")["key"] == key.id
    with app.engine.begin() as connection:
        rows = list(connection.execute(select(t.audit).order_by(t.audit.c.seq)))
        previous = chain.GENESIS
        for row in rows[:3]:
            values = [row._mapping[c] for c in chain.CONTENT["audit"]]
            if row.seq == 2:
                values[chain.CONTENT["audit"].index("cause")] = "rewritten"
                connection.execute(update(t.audit).where(t.audit.c.id == row.id).values(
                    cause="rewritten"))
            row_digest = chain.digest(values)
            previous = chain.link(previous, row.seq, row_digest)
            connection.execute(update(t.audit).where(t.audit.c.id == row.id).values(
                digest=row_digest, chain=previous))
    code, report = verify(app)
    audit = table(report, "audit")
    assert code == 1 and (audit["broken_at"], audit["broken_seq"]) == (rows[3].id, 4)
    assert audit["reason"] == (f"the chain before key {key.id}'s first row is not the one "
                               f"recorded when that key was made (the earlier part rewritten?)")
    app.engine.dispose()


def test_two_stores_sharing_a_home_share_its_key_file_and_not_their_keys(
        tmp_path: Path) -> None:
    """Stores a and b under one home: one key file with a key for each, each store named in
    its own; a read logged in each; both verify."""
    apps = [initialise(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / name}.db"),
                       "hull") for name in ("a", "b")]
    keys = Keyring(tmp_path / "audit" / "chain.key").keys
    assert len(keys) == 2 and keys[0].store != keys[1].store
    for app in apps:
        with SqlUnitOfWork(app.engine) as uow:
            inbound.log_access(uow.connection, token=None, role="auditor", resource="entity",
                               targets=["person:sw1"], outcome="allowed", now=READ_AT,
                               reader="os:auditor")
            uow.commit()
        code, report = verify(app)
        assert code == 0, report
        assert table(report, "access_log")["rows"] == 1
        app.engine.dispose()
    assert [table(verify(app)[1], "access_log")["key"] for app in apps] == [
        keys[0].id, keys[1].id]


def _count(app: App, name: str) -> int:
    source = chain.TABLES[name]
    with app.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(source)).scalar_one())
