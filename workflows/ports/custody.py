"""The audit trail's custody port: its hash chains verified, their heads anchored outside the
store, and the key that seals them rotated (``oversight audit``; docs/audit-chain.md).

The store adapter implements :class:`ChainCustody` (``adapters/store/custody.py``) under the
store's key file; the composition root hands it out as ``App.custody``. The verdicts are the
values that cross it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Verdict:
    """What ``oversight audit verify`` reports for one table."""

    table: str
    rows: int
    """Rows checked, in chain order."""
    erased: int
    """Rows whose personal fields were erased (their erasure's seal is checked)."""
    unsealed: int
    """Rows outside the chain (``seq`` null): none once every transaction has committed."""
    key: str | None = None
    """The key the chain's head names (None: a chain of plain SHA-256 links, no key file)."""
    broken_at: int | None = None
    """The ``id`` of the first row that does not hold (None: the chain holds)."""
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.reason is None

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table, "rows": self.rows, "erased": self.erased,
                "unsealed": self.unsealed, "key": self.key, "intact": self.intact,
                "broken_at": self.broken_at, "broken_seq": self.broken_seq,
                "reason": self.reason}


@dataclass(frozen=True)
class AnchorVerdict:
    """What ``audit verify`` says of the anchor file."""

    path: str
    anchors: int
    last: dict[str, Any] | None = None
    """The last anchor's number, time and heads (None: no anchor yet)."""
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.reason is None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "anchors": self.anchors, "last": self.last,
                "intact": self.intact, "reason": self.reason}


@dataclass(frozen=True)
class KeyTurn:
    """A key rotation: the key file, the key that sealed until now and the one that seals
    from now on, with the first place (``seq``) of each chain it seals."""

    key_file: str
    old: str
    new: str
    starts: dict[str, int]


class ChainCustody(Protocol):
    """What ``oversight audit verify|anchor|rotate-key`` needs of the store."""

    def verify(self) -> tuple[list[Verdict], AnchorVerdict]:
        """Every chained table walked under its keys, then the anchor file against them."""
        ...

    def anchor(self, *, now: datetime, reader: str) -> dict[str, Any]:
        """The chains' heads appended to the anchor file (and logged as read by ``reader``):
        the line appended."""
        ...

    def rotate_key(self, *, now: datetime) -> KeyTurn:
        """A new key seals the chains from now on; the old ones stay in the key file."""
        ...


__all__ = ["AnchorVerdict", "ChainCustody", "KeyTurn", "Verdict"]
