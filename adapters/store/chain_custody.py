"""The chain's key over a store's life: made by ``oversight init``, rotated on demand.

:func:`ensure_key` runs at every ``init``: a store with no key yet (new, or chained with plain
SHA-256 links before revision 0009) gets one, sealing from the place after each head; its
erased rows (erased before there was a key) get their erasure's seal then, so from that moment
their content is checked too (what they held before cannot be known: documented in
``docs/audit-chain.md``). A store whose head names a key that the key file lacks is refused:
that is a lost or swapped key file, and a new key would hide it.

:func:`rotate_key` appends a new key to the file and keeps the old ones: the rows each sealed
still verify under it, and the head at the rotation is recorded in the new key's entry.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine, insert, update

from oversight.adapters.store import chain
from oversight.adapters.store import tables as t
from oversight.adapters.store.chain_keys import STORE_ID, Key, Keyring, bind
from oversight.states.errors import StoreNotReady


def ensure_key(engine: Engine, keyring: Keyring, *, now: datetime) -> Key | None:
    """The store's key, made if the store has none yet; None if one was already there."""
    with engine.begin() as connection:
        heads = {name: chain.head(connection, name) for name in chain.TABLES}
        named = sorted({key for _, _, key in heads.values() if key})
        if bind(keyring, connection).current() is not None:
            return None
        if named:
            raise StoreNotReady(f"the audit chain is sealed with key {', '.join(named)} but "
                                f"the key file {keyring.path} does not exist: restore it from "
                                f"its backup, or name it in OVERSIGHT_AUDIT_KEY_FILE")
        if not keyring.store:
            keyring.store = "store-" + secrets.token_hex(8)
            connection.execute(insert(t.meta).values(key=STORE_ID, value=keyring.store))
        key = keyring.add({name: (seq, link) for name, (seq, link, _) in heads.items()},
                          now=now)
        connection.execute(update(t.chain_heads).values(key_id=key.id))
        for name in chain.TABLES:
            table = chain.TABLES[name]
            chain.seal_erased(connection, name, key, table.c.erased_digest.is_(None))
    return key


def rotate_key(engine: Engine, keyring: Keyring, *, now: datetime) -> tuple[Key, Key]:
    """A new key for every row sealed from now on; the old kept. (old, new)."""
    with engine.begin() as connection:
        heads = {name: chain.head(connection, name) for name in chain.TABLES}  # locked
        old = bind(keyring, connection).current()
        if old is None:
            raise StoreNotReady(f"the audit chain has no key at {keyring.path} yet: run "
                                f"`oversight init` to make one")
        stale = sorted({key for _, _, key in heads.values() if key and key != old.id})
        if stale:
            raise StoreNotReady(f"the chain's head names key {', '.join(stale)}, the key file "
                                f"{keyring.path} {old.id}: run `oversight audit verify`")
        new = keyring.add({name: (seq, link) for name, (seq, link, _) in heads.items()},
                          now=now)
        connection.execute(update(t.chain_heads).values(key_id=new.id))
    return old, new


__all__ = ["ensure_key", "rotate_key"]
