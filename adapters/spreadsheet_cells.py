"""Cells a spreadsheet will not run: the OWASP rule against CSV (formula) injection.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``-A1`` is a child id to us, a cell reference
to them). Every CSV and XLSX export passes its text cells through :func:`neutralised`, which puts
a single quote in front: shown as text, never evaluated. Numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would evaluate: then quoted."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def neutralised_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: neutralised(value) for key, value in row.items()}


__all__ = ["TRIGGERS", "neutralised", "neutralised_row"]
