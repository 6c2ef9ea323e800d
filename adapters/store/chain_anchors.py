"""Anchors: the chain's heads copied, now and then, to an append-only place outside the store.

The chain alone cannot show rows cut from its end when the head was moved back with them, nor
a chain recomputed by someone holding the key: the last anchor can. ``oversight audit anchor``
first writes a line in the access log (``audit-anchor``, ``anchor:N``: the chain itself says
that anchor N was taken), then appends one JSON line to the anchor file (``audit_anchor_file``;
by default ``anchors.jsonl`` beside the key): the number, the time, each chain's head (place
and link), the key's id, the SHA-256 of the line before (so a line taken out of the middle
shows) and a MAC under the key (so a line edited without the key shows).

:func:`check` finds: a line edited, removed from the middle, or missing from the end (the
access log names an anchor the file lacks); a chain shorter than an anchor saw (rows cut, the
head moved back); a row whose link is not the one an anchor saw (the chain recomputed).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from oversight.adapters.store import chain, inbound
from oversight.adapters.store import tables as t
from oversight.adapters.store.chain_keys import Keyring, bind
from oversight.states.errors import StoreNotReady
from oversight.states.event_time import as_utc
from oversight.workflows.ports.custody import AnchorVerdict

RESOURCE = "audit-anchor"
"""The access log's resource for the line each anchor writes."""


def _body(line: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in line.items() if k != "mac"}, sort_keys=True,
                      separators=(",", ":"))


def _lines(path: Path) -> list[str]:
    try:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def take(engine: Engine, keyring: Keyring, path: Path, *, now: datetime,
         reader: str) -> dict[str, Any]:
    """Anchor the chains' heads now: the access-log line, then the line appended to ``path``."""
    with engine.connect() as connection:
        key = bind(keyring, connection).current()
    if key is None:
        raise StoreNotReady(f"the audit chain has no key at {keyring.path}: run "
                            f"`oversight init` first")
    lines = _lines(path)
    number = len(lines) + 1
    with engine.begin() as connection:
        inbound.log_access(connection, token=None, role="operator", resource=RESOURCE,
                           targets=[f"anchor:{number}"], outcome="anchored", now=now,
                           reader=reader)
    with engine.connect() as connection:
        heads = {name: chain.head(connection, name, lock=False) for name in chain.TABLES}
    line: dict[str, Any] = {
        "n": number, "at": as_utc(now).isoformat(), "key": key.id,
        "heads": {name: {"seq": seq, "chain": link} for name, (seq, link, _) in heads.items()},
        "previous": hashlib.sha256(lines[-1].encode("utf-8")).hexdigest() if lines
        else chain.GENESIS}
    line["mac"] = key.mac(_body(line))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(handle, (json.dumps(line, sort_keys=True) + "\n").encode("utf-8"))
        os.fsync(handle)
    finally:
        os.close(handle)
    return line


def check(connection: Connection, keyring: Keyring, path: Path) -> AnchorVerdict:
    """The anchor file against itself, the key and the chains; the first fault named."""
    bind(keyring, connection)
    lines = _lines(path)
    previous, anchors = chain.GENESIS, list[dict[str, Any]]()

    def broken(reason: str) -> AnchorVerdict:
        return AnchorVerdict(str(path), len(lines), anchors[-1] if anchors else None, reason)

    for number, text in enumerate(lines, start=1):
        try:
            line = json.loads(text)
            claimed, key_id = int(line["n"]), str(line["key"])
        except (ValueError, KeyError, TypeError):
            return broken(f"line {number} of the anchor file is not an anchor (edited?)")
        if line.get("previous") != previous or claimed != number:
            return broken(f"anchor {number}: the anchor before it was changed or removed")
        key = keyring.by_id(key_id)
        if key is None:
            return broken(f"anchor {number} is sealed with key {key_id}, which the key file "
                          f"lacks (key swapped?)")
        if key.mac(_body(line)) != line.get("mac"):
            return broken(f"anchor {number} was edited (its seal does not match)")
        previous = hashlib.sha256(text.encode("utf-8")).hexdigest()
        anchors.append({"n": number, "at": line["at"], "heads": line["heads"]})
        problem = _against_chains(connection, number, line)
        if problem:
            return broken(problem)
    logged = _anchors_logged(connection)
    if logged > len(lines):
        return broken(f"anchor {logged} is recorded in the access log but missing from "
                      f"{path} (the anchor file cut or replaced?)")
    return AnchorVerdict(str(path), len(lines), anchors[-1] if anchors else None)


def _against_chains(connection: Connection, number: int, line: dict[str, Any]) -> str | None:
    for name, seen in line["heads"].items():
        table = chain.TABLES.get(name)
        if table is None:
            continue
        seq, link = int(seen["seq"]), str(seen["chain"])
        if seq == 0:
            continue
        found = connection.execute(select(table.c.chain).where(table.c.seq == seq)).first()
        if found is None:
            last = connection.execute(select(func.max(table.c.seq))).scalar_one() or 0
            return (f"{name}: the chain ends at row {last} but anchor {number} ({line['at']}) "
                    f"saw row {seq} (rows cut from the end, the head moved back?)")
        if found[0] != link:
            return (f"{name}: row {seq}'s link is not the one anchor {number} ({line['at']}) "
                    f"saw (the chain recomputed or rewritten?)")
    return None


def _anchors_logged(connection: Connection) -> int:
    log = t.access_log
    numbers = [int(target.removeprefix("anchor:")) for target in connection.execute(
        select(log.c.target).where(log.c.resource == RESOURCE)).scalars()
        if target.removeprefix("anchor:").isdigit()]
    return max(numbers, default=0)


__all__ = ["RESOURCE", "AnchorVerdict", "check", "take"]
