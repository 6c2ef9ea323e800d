"""Reading an export: CSV rows with their line numbers, column names mapped to ours, and the
parsers of single values, each failing with a reason a person can act on."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from oversight.states.errors import OversightError
from oversight.states.event_time import FLOOR

_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TRUE = {"y", "yes", "true", "1", "t"}
_FALSE = {"n", "no", "false", "0", "f", ""}


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One bad row (or the header, line 1): where, which column, why."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.reason}"

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "reason": self.reason}


class ImportRejected(OversightError):
    """The file was not applied: every problem found, by line and column."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source, self.problems = source, sorted(problems)
        super().__init__("\n".join(f"{source}: {problem}" for problem in self.problems))


@dataclass(frozen=True, slots=True)
class SourceRow:
    line: int
    """The file's line number where the row starts (the header is line 1)."""
    values: dict[str, str]
    """Our column name → the text in the file, stripped; absent columns are missing."""

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Header:
    """The file's header, mapped to our column names."""

    names: dict[str, str] = field(default_factory=dict)
    """Our column name → the file's column name, for messages."""
    ignored: list[str] = field(default_factory=list)
    """The file's columns no import reads."""

    def label(self, column: str) -> str:
        source = self.names.get(column, column)
        return column if source == column else f"{source} ({column})"


def normalise(name: str) -> str:
    """``"Line Manager"`` → ``line_manager``: how headers match our column names."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def read_rows(path: Path, *, columns: tuple[str, ...], required: tuple[str, ...],
              aliases: Mapping[str, str], mapping: Mapping[str, str]
              ) -> tuple[Header, list[SourceRow], list[Problem]]:
    """The rows of a CSV file, under our column names.

    A file column is ours when ``mapping`` (the source system's names, from settings) names it,
    else when its normalised name or one of ``aliases`` is one of ``columns``.
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ImportRejected(str(path), [Problem(0, "file", "no such file")]) from None
    except OSError as error:
        raise ImportRejected(str(path), [Problem(0, "file", f"cannot be read: {error.strerror}")]
                             ) from None
    with handle:
        try:
            reader = csv.reader(handle)
            header_cells = next(reader, None)
            if header_cells is None:
                return Header(), [], [Problem(1, "header", "the file is empty: the first line "
                                                           "names the columns")]
            header, problems = _map_header(header_cells, columns, required, aliases, mapping)
            rows = list(_rows(reader, header_cells, header)) if not problems else []
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportRejected(str(path), [Problem(0, "file", f"not a readable UTF-8 CSV "
                                                                f"file ({error})")]) from None
    return header, rows, problems


def _map_header(cells: list[str], columns: tuple[str, ...], required: tuple[str, ...],
                aliases: Mapping[str, str], mapping: Mapping[str, str]
                ) -> tuple[Header, list[Problem]]:
    header, problems = Header(), []
    mapped = {normalise(source): ours for source, ours in mapping.items()}
    for unknown in sorted(set(mapped.values()) - set(columns)):
        problems.append(Problem(1, "mapping", f"'{unknown}' is not a column of this import "
                                              f"(columns: {', '.join(columns)})"))
    for cell in cells:
        key = normalise(cell)
        ours = mapped.get(key) or (key if key in columns else aliases.get(key))
        if ours is None:
            header.ignored.append(cell)
        elif ours in header.names:
            problems.append(Problem(1, cell, f"a second column for '{ours}' (the first is "
                                             f"'{header.names[ours]}')"))
        else:
            header.names[ours] = cell
    for ours in required:
        if ours not in header.names:
            problems.append(Problem(1, ours, "required column is missing"))
    return header, problems


def _rows(reader: Iterator[list[str]], cells: list[str], header: Header) -> Iterator[SourceRow]:
    positions = {ours: cells.index(source) for ours, source in header.names.items()}
    line = 2
    for record in reader:
        # reader is a csv reader, which counts the physical lines it has read.
        start, line = line, reader.line_num + 1  # type: ignore[attr-defined]
        if not any(value.strip() for value in record):
            continue  # a blank line
        yield SourceRow(start, {ours: record[index].strip() if index < len(record) else ""
                                for ours, index in positions.items()})


# ----- values -------------------------------------------------------------------------------------

def identifier(text: str) -> str:
    if not _IDENTIFIER.match(text):
        raise ValueError(f"{text!r} is not an identifier (letters, digits, '_', '.', '-'; at "
                         f"most 64)" if text else "required, but empty")
    return text


def day(text: str, *, today: date) -> date:
    """A date written YYYY-MM-DD or DD/MM/YYYY, not after ``today`` nor before the floor."""
    if not text:
        raise ValueError("required, but empty")
    parsed: date | None = None
    try:
        if _ISO.match(text):
            parsed = date.fromisoformat(text)
        elif (uk := _UK.match(text)) is not None:
            parsed = date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"{text!r} is not a date (write YYYY-MM-DD or DD/MM/YYYY)")
    if parsed > today:
        raise ValueError(f"{parsed.isoformat()} is in the future (today is {today.isoformat()})")
    if parsed < FLOOR:
        raise ValueError(f"{parsed.isoformat()} is before {FLOOR.isoformat()}, the earliest date "
                         f"an event may carry (check the year)")
    return parsed


def flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{text!r} is not yes or no")


def one_of(text: str, allowed: tuple[str, ...], what: str) -> str:
    value = text.strip().lower().replace(" ", "_").replace("-", "_")
    if value not in allowed:
        raise ValueError(f"unknown {what} {text!r} ({what}s: {', '.join(allowed)})")
    return value


__all__ = ["Header", "ImportRejected", "Problem", "SourceRow", "day", "flag", "identifier",
           "normalise", "one_of", "read_rows"]
