"""The tables of who may read the store and what was read (issue 14): API tokens, dashboard
sessions, the access log, the hash chains' heads and the erasures. Declared on the store's one
``MetaData``; :mod:`~oversight.adapters.store.tables` re-exports them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
)

from oversight.adapters.store.schema import metadata

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", String(32), primary_key=True),
    # SHA-256 of the bearer token, hex: the token itself is shown once and never stored.
    Column("hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("person", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    # Issue 14: a lifetime, the last use, the token a rotation replaced it with, and whether a
    # service token may act for a named member of staff.
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("replaced_by", String(32), nullable=True),
    Column("acts_for", Boolean, nullable=False, default=False),
)

access_log = Table(
    "access_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("token_id", String(32), nullable=True),
    Column("person", String(64), nullable=True),
    Column("role", String(16), nullable=False),
    Column("resource", String(32), nullable=False),
    # What was read: an entity (``assessment:c1``) or a person (``person:sw1``); no narrative.
    Column("target", String(200), nullable=False),
    Column("outcome", String(16), nullable=False),
    # Issue 14: the purpose given with the read, the reader when no token was used (``os:…``),
    # and the hash chain (adapters/store/chain.py).
    Column("purpose", String(200), nullable=True),
    Column("reader", String(200), nullable=True),
    Column("seq", BigInteger, nullable=True),
    Column("digest", String(64), nullable=True),
    Column("chain", String(64), nullable=True),
    Column("erased_at", DateTime(timezone=True), nullable=True),
    # Issue 20: an erasure's keyed seal over what it left (chain.erasure_seal).
    Column("erased_digest", String(96), nullable=True),
    Index("ix_access_log_target", "target", "at"),
    Index("ix_access_log_person", "person", "at"),
    Index("ix_access_log_seq", "seq"),
)

# ----- credentials, chains and erasure (issue 14) ------------------------------------------------

dashboard_sessions = Table(
    "dashboard_sessions", metadata,
    # SHA-256 of the random session id the cookie holds: the id itself is never stored.
    Column("hash", String(64), primary_key=True),
    Column("token_id", String(32), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
)

chain_heads = Table(
    "chain_heads", metadata,
    # The last link of each chained table: locked while a transaction seals its rows.
    Column("name", String(32), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("chain", String(64), nullable=False),
    # Issue 20: the key that made the head (chain_keys.fingerprint); None before any key.
    Column("key_id", String(32), nullable=True),
)

erasures = Table(
    "erasures", metadata,
    # That a person's records were destroyed, when, by whom and how many rows: never who.
    Column("id", String(32), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("pseudonym", String(64), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("counts", JSON, nullable=False),
)
