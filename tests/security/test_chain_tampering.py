"""Tampering by someone who has read ``chain.py`` and holds the database, not the key: each is
found by ``oversight audit verify`` (exit 1), which names the row or the anchor and why. On
SQLite and on PostgreSQL (when OVERSIGHT_TEST_POSTGRES_URL names a server).

The store: Hull, tm1 supervising sw1 from Mon 5 Jan 2026 (a session on Mon 12 Jan), tm2
supervising sw3; sw1 leaves on Fri 27 Feb and the file is archived on Thu 5 Mar; three reads
logged by an auditor. sw1's file reaches its destruction date on Mon 28 Feb 2033 (seven years
after 27 Feb 2026, a Sunday in 2033, moved to the Monday).
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import delete, insert, update

from oversight.adapters.store import chain, erasure
from oversight.adapters.store import tables as t
from oversight.adapters.store.chain_keys import Keyring
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import NOW
from tests.security.chain_store import READ_AT, hull, oversight, rows, table, verify

__all__ = ["hull"]  # the fixture, on SQLite and PostgreSQL

def test_a_keyed_store_and_its_anchor_verify_and_the_key_file_is_private(hull: App) -> None:
    """Untouched: both chains intact under init's key, one anchor taken and reached; the key
    file is 0600 in a 0700 folder and its key's id is the one the heads name."""
    assert oversight(hull, "audit", "anchor").returncode == 0
    code, report = verify(hull)
    assert code == 0 and report["intact"] is True, report
    key = Keyring(hull.settings.audit_key_path).current()
    assert key is not None
    assert table(report, "audit")["key"] == table(report, "access_log")["key"] == key.id
    assert table(report, "audit")["rows"] == len(rows(hull, "audit")) > 0
    assert report["anchors"]["anchors"] == 1 and report["anchors"]["intact"] is True
    assert hull.settings.audit_key_path.stat().st_mode & 0o777 == 0o600
    assert hull.settings.audit_key_path.parent.stat().st_mode & 0o777 == 0o700


def test_erased_at_set_by_hand_to_hide_an_edit_of_an_audit_row_is_named(hull: App) -> None:
    """The third audit row's destination changed and ``erased_at`` set, as an erasure would:
    the row has no erasure's seal, and verify says so at that row."""
    third = rows(hull, "audit")[2]
    with hull.engine.begin() as connection:
        connection.execute(update(t.audit).where(t.audit.c.id == third.id).values(
            dest="ended", erased_at=READ_AT))
    code, report = verify(hull)
    audit = table(report, "audit")
    assert code == 1 and (audit["broken_at"], audit["broken_seq"]) == (third.id, 3)
    assert audit["reason"] == ("erased_at is set but no erasure sealed the row (set by hand "
                               "to hide an edit?)")


def test_erased_at_set_by_hand_to_hide_an_edit_of_an_access_log_line_is_named(
        hull: App) -> None:
    """The auditor's read of person:sw3 rewritten as person:sw2 with ``erased_at`` set."""
    read = next(row for row in rows(hull, "access_log") if row.target == "person:sw3")
    with hull.engine.begin() as connection:
        connection.execute(update(t.access_log).where(t.access_log.c.id == read.id).values(
            target="person:sw2", erased_at=READ_AT))
    code, report = verify(hull)
    log = table(report, "access_log")
    assert code == 1 and (log["broken_at"], log["broken_seq"]) == (read.id, read.seq)
    assert log["reason"].startswith("erased_at is set but no erasure sealed the row")


def test_an_erased_row_edited_after_its_erasure_is_named(hull: App) -> None:
    """sw1 purged on Mon 28 Feb 2033: both chains still verify (their erased rows checked
    against the erasure's seal); then one erased audit row's cause is edited: named."""
    with hull.engine.begin() as connection:
        erasure.purge(connection, as_of=date(2033, 2, 28), now=NOW, actor="os:dpo")
    code, report = verify(hull)
    assert code == 0, report
    assert table(report, "audit")["erased"] > 0 and table(report, "access_log")["erased"] > 0
    erased = next(row for row in rows(hull, "audit") if row.erased_at is not None)
    with hull.engine.begin() as connection:
        connection.execute(update(t.audit).where(t.audit.c.id == erased.id).values(
            cause="nothing happened"))
    code, report = verify(hull)
    audit = table(report, "audit")
    assert code == 1 and audit["broken_at"] == erased.id
    assert audit["reason"] == ("the erased row's content does not match its erasure's seal "
                               "(edited)")


def test_a_row_inserted_with_no_place_is_not_sealed_by_the_next_event_and_is_named(
        hull: App) -> None:
    """An audit row inserted by hand with ``seq`` null, then tm2 and sw3 hold a session on
    Mon 2 Mar 2026: the event's lines are sealed, the inserted one is not, and verify names
    it as outside the chain."""
    with hull.engine.begin() as connection:
        forged = connection.execute(insert(t.audit).values(
            entity_kind="relationship", entity_id="tm2:sw3", source="active", dest="ended",
            trigger="relationship_ended", cause="forged", on=date(2026, 3, 2),
            recorded_at=READ_AT).returning(t.audit.c.id)).scalar_one()
    before = len([row for row in rows(hull, "audit") if row.seq is not None])
    hull.service.record(parse_event({"type": "supervision_held", "on": "2026-03-02",
                                     "supervisor": "tm2", "supervisee": "sw3"}), now=READ_AT)
    sealed = [row for row in rows(hull, "audit") if row.seq is not None]
    assert len(sealed) > before and forged not in [row.id for row in sealed]
    code, report = verify(hull)
    audit = table(report, "audit")
    assert code == 1 and audit["broken_at"] == forged and audit["unsealed"] == 1
    assert audit["reason"] == (f"1 row(s) outside the chain (seq empty), the first id "
                               f"{forged}: written by no unit of work (inserted by hand?)")


def test_the_last_rows_cut_and_the_head_moved_back_are_found_against_the_anchor(
        hull: App) -> None:
    """Anchored, then the last two audit rows deleted and the head set to the row before:
    the chain itself holds, the anchor saw two rows more."""
    assert oversight(hull, "audit", "anchor").returncode == 0
    chained = rows(hull, "audit")
    last, kept = chained[-1], chained[-3]
    with hull.engine.begin() as connection:
        connection.execute(delete(t.audit).where(t.audit.c.seq > kept.seq))
        connection.execute(update(t.chain_heads).where(t.chain_heads.c.name == "audit").values(
            seq=kept.seq, chain=kept.chain))
    code, report = verify(hull)
    assert code == 1 and table(report, "audit")["intact"] is True
    anchor_at = report["anchors"]["last"]["at"]
    assert report["anchors"]["reason"] == (
        f"audit: the chain ends at row {kept.seq} but anchor 1 ({anchor_at}) saw row "
        f"{last.seq} (rows cut from the end, the head moved back?)")


def test_the_whole_chain_recomputed_without_the_key_breaks_at_its_first_row(
        hull: App) -> None:
    """Every audit link recomputed with plain SHA-256 (the old scheme) after the first row's
    cause is changed, the head moved to match and its key id cleared: the first row's link
    does not follow under the key."""
    first = rows(hull, "audit")[0]
    with hull.engine.begin() as connection:
        connection.execute(update(t.audit).where(t.audit.c.id == first.id).values(
            cause="rewritten"))
    previous, chained = chain.GENESIS, rows(hull, "audit")
    with hull.engine.begin() as connection:
        for row in chained:
            row_digest = chain.digest([row._mapping[c] for c in chain.CONTENT["audit"]])
            previous = chain.link(previous, row.seq, row_digest)
            connection.execute(update(t.audit).where(t.audit.c.id == row.id).values(
                digest=row_digest, chain=previous))
        connection.execute(update(t.chain_heads).where(t.chain_heads.c.name == "audit").values(
            chain=previous, key_id=None))
    code, report = verify(hull)
    audit = table(report, "audit")
    key = Keyring(hull.settings.audit_key_path).current()
    assert key is not None
    assert code == 1 and (audit["broken_at"], audit["broken_seq"]) == (first.id, 1)
    assert audit["reason"] == (f"the row's link does not follow from the row before it under "
                               f"key {key.id} (reordered, inserted, recomputed without the "
                               f"key, or the key file swapped?)")


def test_a_changed_row_is_named_by_its_digest(hull: App) -> None:
    """The second access-log line's outcome changed from allowed to refused."""
    second = rows(hull, "access_log")[1]
    with hull.engine.begin() as connection:
        connection.execute(update(t.access_log).where(t.access_log.c.id == second.id).values(
            outcome="refused"))
    code, report = verify(hull)
    log = table(report, "access_log")
    assert code == 1 and (log["broken_at"], log["broken_seq"]) == (second.id, 2)
    assert log["reason"] == "the row's content does not match its digest (edited)"


def test_two_rows_swapped_in_the_chain_break_its_link(hull: App) -> None:
    """Audit rows 3 and 4 exchange their places (each keeps its digest and link): place 3 now
    holds row 4, whose link does not follow from row 2."""
    chained = rows(hull, "audit")
    third, fourth = chained[2], chained[3]
    with hull.engine.begin() as connection:
        connection.execute(update(t.audit).where(t.audit.c.id == third.id).values(seq=-3))
        connection.execute(update(t.audit).where(t.audit.c.id == fourth.id).values(seq=3))
        connection.execute(update(t.audit).where(t.audit.c.id == third.id).values(seq=4))
    code, report = verify(hull)
    audit = table(report, "audit")
    assert code == 1 and (audit["broken_at"], audit["broken_seq"]) == (fourth.id, 3)
    assert audit["reason"].startswith("the row's link does not follow from the row before it")


def test_a_swapped_key_file_is_named_by_the_head(hull: App) -> None:
    """The key file replaced by another holding a new key from the same places: the heads
    name init's key; the file holds another."""
    path = hull.settings.audit_key_path
    old = Keyring(path).current()
    assert old is not None
    path.unlink()
    new = Keyring(path, old.store).add({name: (start - 1, old.after[name])
                             for name, start in old.starts.items()}, now=READ_AT)
    code, report = verify(hull)
    audit = table(report, "audit")
    assert code == 1 and audit["broken_seq"] == 1
    assert new.id in audit["reason"] and "key file swapped" in audit["reason"]


def test_a_chain_recomputed_under_a_swapped_key_is_found_by_the_anchor(hull: App) -> None:
    """Anchored; then both chains recomputed under a key of the attacker's, the heads and the
    key file made to match: the chains hold, but the anchor is sealed with the key the file
    no longer holds."""
    assert oversight(hull, "audit", "anchor").returncode == 0
    path = hull.settings.audit_key_path
    old = Keyring(path).current()
    assert old is not None
    path.unlink()
    new = Keyring(path, old.store).add({name: (0, chain.GENESIS) for name in chain.TABLES},
                                       now=READ_AT)
    chained = {name: rows(hull, name) for name in chain.TABLES}
    with hull.engine.begin() as connection:
        for name, source in chain.TABLES.items():
            previous = chain.GENESIS
            for row in chained[name]:
                previous = chain.link(previous, row.seq, row.digest, new)
                connection.execute(update(source).where(source.c.id == row.id).values(
                    chain=previous))
            connection.execute(update(t.chain_heads).where(t.chain_heads.c.name == name)
                               .values(chain=previous, key_id=new.id))
    code, report = verify(hull)
    assert code == 1 and all(entry["intact"] for entry in report["tables"]), report
    assert report["anchors"]["reason"] == (f"anchor 1 is sealed with key {old.id}, which the "
                                           f"key file lacks (key swapped?)")


def test_an_anchor_edited_or_removed_is_named(hull: App) -> None:
    """Two anchors: the first's audit head edited, then (restored) the second removed."""
    for _ in range(2):
        assert oversight(hull, "audit", "anchor").returncode == 0
    path = hull.settings.audit_anchor_path
    original = path.read_text(encoding="utf-8")
    first, second = original.splitlines()
    edited = json.loads(first)
    edited["heads"]["audit"]["seq"] -= 1
    path.write_text(json.dumps(edited, sort_keys=True) + "\n" + second + "\n", encoding="utf-8")
    code, report = verify(hull)
    assert code == 1 and report["anchors"]["reason"] == (
        "anchor 1 was edited (its seal does not match)")
    path.write_text(first + "\n", encoding="utf-8")
    code, report = verify(hull)
    assert code == 1 and report["anchors"]["reason"] == (
        f"anchor 2 is recorded in the access log but missing from {path} (the anchor file "
        f"cut or replaced?)")
