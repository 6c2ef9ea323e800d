"""Template rows: what a persona's run leaves in the store, as format strings over its people.

The value that crosses between the synthetic population (which builds and replicates templates)
and the store's bulk writer (which captures and writes them): both sides import it from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Template:
    """The rows one template's entities own, as format strings over its people's tokens."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    """Table → rows, each value as stored; strings are format strings (``{c}``, ``{w}``…)."""

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


def formattable(value: Any, tokens: Mapping[str, str]) -> Any:
    """``value`` with each token (``cTPL7X``) turned into its field (``{c}``), braces escaped."""
    if not isinstance(value, str):
        return value
    text = value.replace("{", "{{").replace("}", "}}")
    for name, token in tokens.items():
        text = text.replace(token, "{" + name + "}")
    return text


def fill(row: tuple[Any, ...], ids: Mapping[str, str]) -> tuple[Any, ...]:
    """A template row with real identifiers (every string field is a format string)."""
    return tuple(v.format_map(ids) if isinstance(v, str) else v for v in row)


__all__ = ["Template", "fill", "formattable"]
