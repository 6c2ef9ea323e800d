"""The audit chain's keys: HMAC-SHA256 secrets kept in a file outside the store (issue 20).

Someone who can write to the database but has not the key cannot make a link that verifies: a
recomputed chain, a row slipped in or an erased row rewritten breaks at the first keyed link.
The key file (``audit_key_file`` in the settings; by default ``audit/chain.key`` under the home,
0600 in a 0700 folder) is JSON: one entry per key, oldest first. Each entry says from which
place of each chain it seals (``from``) and what the head was just before (``after``: the last
link of the part before it, kept outside the store, so that part cannot be recomputed either).
A rotation appends a key and keeps the old ones, so the old part still verifies.

The rows sealed before a store had a key (stores chained by revision 0006) keep their plain
SHA-256 links: the first keyed link is computed over the last plain one, so that part can no
longer be rewritten unseen either, and ``after`` names it.

An engine finds its keys through :func:`attach` (by engine and by URL), so every unit of work
on that store seals with them; a process sees a rotation at its next seal (the file is read
again when it changes, after the chain's head is locked).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from oversight.adapters.store import tables as t
from oversight.states.errors import StoreNotReady
from oversight.states.event_time import as_utc


@dataclass(frozen=True)
class Key:
    """One key of the chain: its id, its secret, and where in each chain it begins."""

    id: str
    secret: bytes
    created: str
    starts: dict[str, int]
    """The first place (``seq``) of each chain it seals."""
    after: dict[str, str]
    """The link just before that place (the head when the key was made)."""
    store: str = ""
    """The store it seals (its ``meta`` ``audit_chain_store``): stores sharing a home, and so a
    key file, never take each other's keys."""

    def mac(self, text: str) -> str:
        return hmac.new(self.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "store": self.store, "secret": self.secret.hex(),
                "created": self.created, "from": self.starts, "after": self.after}


def fingerprint(secret: bytes) -> str:
    """A key's public name: it shows which key sealed a head without revealing the key."""
    return "k-" + hmac.new(secret, b"oversight audit chain key", hashlib.sha256).hexdigest()[:16]


@dataclass
class Keyring:
    """The keys of one store in one key file, read again whenever the file changes."""

    path: Path
    store: str | None = None
    """The store whose keys these are ("": a store with no key yet; None: not bound to a store,
    every key in the file, as a test reads it)."""
    _all: list[Key] = field(default_factory=list)
    _seen: tuple[int, int] | None = None

    def _file(self) -> list[Key]:
        try:
            status = self.path.stat()
        except FileNotFoundError:
            self._all, self._seen = [], None
            return []
        stamp = (status.st_mtime_ns, status.st_size)
        if stamp != self._seen:
            self._all, self._seen = _read(self.path), stamp
        return self._all

    @property
    def keys(self) -> list[Key]:
        return [key for key in self._file() if self.store is None or key.store == self.store]

    def current(self) -> Key | None:
        keys = self.keys
        return keys[-1] if keys else None

    def by_id(self, key_id: str) -> Key | None:
        return next((key for key in self.keys if key.id == key_id), None)

    def for_place(self, name: str, seq: int) -> Key | None:
        """The key that seals place ``seq`` of chain ``name`` (None: a plain SHA-256 link)."""
        found = None
        for key in self.keys:
            if key.starts.get(name, 0) <= seq:
                found = key
        return found

    def add(self, heads: dict[str, tuple[int, str]], *, now: datetime) -> Key:
        """A new key sealing each chain from the place after its head; the file rewritten
        (old keys kept) through a 0600 temporary file renamed over it."""
        secret = secrets.token_bytes(32)
        key = Key(fingerprint(secret), secret, as_utc(now).isoformat(),
                  {name: seq + 1 for name, (seq, _) in heads.items()},
                  {name: link for name, (_, link) in heads.items()}, self.store or "")
        entries = [*self._file(), key]
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump({"keys": [entry.to_json() for entry in entries]}, stream, indent=1)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, self.path)
        self._all, self._seen = entries, None
        return key


def _read(path: Path) -> list[Key]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return [Key(entry["id"], bytes.fromhex(entry["secret"]), entry["created"],
                    {k: int(v) for k, v in entry["from"].items()}, dict(entry["after"]),
                    str(entry.get("store", ""))) for entry in document["keys"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StoreNotReady(f"the audit key file {path} cannot be read ({error}); restore it "
                            f"from its backup") from None


_BY_ENGINE: weakref.WeakKeyDictionary[Engine, Keyring] = weakref.WeakKeyDictionary()
_BY_URL: dict[str, Keyring] = {}


def attach(engine: Engine, path: Path) -> Keyring:
    """Let every unit of work on ``engine`` (and on any engine of the same URL in this
    process) seal with the keys in ``path``."""
    keyring = Keyring(path.expanduser().resolve())
    _BY_ENGINE[engine] = keyring
    _BY_URL[engine.url.render_as_string(hide_password=False)] = keyring
    return keyring


STORE_ID = "audit_chain_store"
"""The ``meta`` key naming the store to its key file (made with its first key)."""


def bind(keyring: Keyring, connection: Connection) -> Keyring:
    """``keyring`` limited to this store's keys (the store's id read once it has one)."""
    if not keyring.store:
        keyring.store = connection.execute(select(t.meta.c.value).where(
            t.meta.c.key == STORE_ID)).scalar_one_or_none() or ""
    return keyring


def keyring_of(connection: Connection) -> Keyring | None:
    """The keys of the store ``connection`` is on, as :func:`attach` named them."""
    engine = connection.engine
    keyring = _BY_ENGINE.get(engine) or _BY_URL.get(
        engine.url.render_as_string(hide_password=False))
    return bind(keyring, connection) if keyring is not None else None


__all__ = ["STORE_ID", "Key", "Keyring", "attach", "bind", "fingerprint", "keyring_of"]
