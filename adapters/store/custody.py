"""The audit chain's custody port (:class:`~oversight.workflows.ports.custody.ChainCustody`)
over the SQL store: verify, anchor and rotate under the store's key file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from oversight.adapters.store import chain, chain_anchors
from oversight.adapters.store.chain_custody import rotate_key
from oversight.adapters.store.chain_keys import attach
from oversight.adapters.store.chain_verify import verify
from oversight.workflows.ports.custody import AnchorVerdict, KeyTurn, Verdict


class SqlChainCustody:
    """The chains of one store, sealed by the keys in ``key_path``, anchored in
    ``anchor_path``."""

    def __init__(self, engine: Engine, *, key_path: Path, anchor_path: Path) -> None:
        self.engine, self.key_path, self.anchor_path = engine, key_path, anchor_path

    def verify(self) -> tuple[list[Verdict], AnchorVerdict]:
        keyring = attach(self.engine, self.key_path)
        with self.engine.connect() as connection:
            verdicts = [verify(connection, name, keyring) for name in chain.TABLES]
            anchors = chain_anchors.check(connection, keyring, self.anchor_path)
        return verdicts, anchors

    def anchor(self, *, now: datetime, reader: str) -> dict[str, Any]:
        return chain_anchors.take(self.engine, attach(self.engine, self.key_path),
                                  self.anchor_path, now=now, reader=reader)

    def rotate_key(self, *, now: datetime) -> KeyTurn:
        keyring = attach(self.engine, self.key_path)
        old, new = rotate_key(self.engine, keyring, now=now)
        return KeyTurn(str(keyring.path), old.id, new.id, new.starts)


__all__ = ["SqlChainCustody"]
