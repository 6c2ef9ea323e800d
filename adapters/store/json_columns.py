"""How the store writes and reads its JSON columns (entity data, rules, bases, messages).

Every step of a sweep or an event writes an entity's data (a couple of kilobytes), the rule and
arithmetic of each timer, task and audit line, and each outbox message, and reads them back:
with the standard library's ``json`` that encoding is the largest part of a batch's writing.
orjson (a dependency of Prefect) does the same work several times faster.

What is stored stays what ``json.dumps`` stored, read back: the same values under the same keys
in the same order (orjson leaves out the spaces after ``,`` and ``:`` and writes non-ASCII text
as UTF-8 rather than ``\\uXXXX``; any JSON reader, older code's included, reads both alike). The
hash chain digests the values read back (``chain.py``), so its links do not change. A date, a
datetime or a dataclass in a JSON column is refused as ``json.dumps`` refuses it (a bug, never
silently a string), and what orjson cannot write (an integer beyond 64 bits) or read (``NaN``,
which ``json.dumps`` wrote) goes through ``json`` itself. Left different, and never in the
store's columns (identifiers, dates as text, counts): orjson writes a UUID or a plain ``Enum``
that ``json.dumps`` refuses, a float NaN as ``null``, and reads an integer beyond 64 bits as a
float.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS)
"""Keys such as integers become strings, as ``json.dumps`` makes them; dates, datetimes and
dataclasses are handed to :func:`_refuse`, as ``json.dumps`` would refuse them."""


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    """``value`` as JSON text, as the store keeps it."""
    try:
        return orjson.dumps(value, default=_refuse, option=_OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError:  # json.dumps writes big integers, or refuses in its words
        return json.dumps(value)


def loads(text: str | bytes | bytearray | memoryview) -> Any:
    """A JSON column's stored text as values."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(bytes(text) if isinstance(text, memoryview) else text)


ENGINE_OPTIONS: dict[str, Any] = {"json_serializer": dumps, "json_deserializer": loads}
"""What ``create_engine`` is given so that every JSON column goes through this module."""


__all__ = ["ENGINE_OPTIONS", "dumps", "loads"]
