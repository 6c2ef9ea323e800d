"""Files for case-record and HR systems that take batch imports: CSV or JSON Lines.

One file per dispatch run and receiver, named by the run's instant
(``oversight-tasks-20260410T060000Z.csv``), written whole or not at all: a temporary file in the
same folder (a dot file, which importers skip), flushed to disk, then renamed over the final
name. An importer never sees half a file. A repeat after a crash lands in the next run's file
with the same ``event_id``: importers de-duplicate on it.

Columns follow the Children in Need census where one fits: ``child_id`` is the local
authority's child identifier (the census's LAchildID), dates are ISO 8601 (``YYYY-MM-DD``) and
named ``*_date``. A worker's id goes in ``worker_id``. No name, no narrative: every value comes
from the allow-listed event (:func:`oversight.adapters.delivery.payload.outbound`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from oversight.adapters import clock
from oversight.adapters.delivery.payload import outbound
from oversight.adapters.delivery.ports import DeliveryFailed
from oversight.adapters.spreadsheet_cells import neutralised_row
from oversight.states.event_time import as_utc

FIELDS = ("event_id", "event_type", "event_time", "task_id", "task_type", "task_state",
          "child_id", "worker_id", "subject_id", "assignee_id", "assignee_role", "raised_date",
          "due_date", "authority", "rule_section", "rule_id", "policy_version",
          "escalates_task_id", "link")
"""The columns, in order: the whole record an importer gets."""

CHILD_PREFIXES = ("child:",)
WORKER_PREFIXES = ("worker:", "supervisee:")


def record(message: dict[str, Any], *, link_base: str | None = None) -> dict[str, str]:
    """One flat row for one CloudEvent, from its allow-listed fields only."""
    event = outbound(message, link_base=link_base)
    data = event["data"]
    rule = data.get("rule") or {}
    subject = data.get("subject") or ""
    ident = subject.partition(":")[2]
    row = {
        "event_id": event["id"],
        "event_type": event["type"].rsplit(".", 1)[-1],
        "event_time": event.get("time") or "",
        "task_id": data["task_id"],
        "task_type": data["task_type"],
        "task_state": data.get("state") or "",
        "child_id": ident if subject.startswith(CHILD_PREFIXES) else "",
        "worker_id": ident if subject.startswith(WORKER_PREFIXES) else "",
        "subject_id": subject,
        "assignee_id": data.get("assignee") or "",
        "assignee_role": data.get("assignee_role") or "",
        "raised_date": data.get("raised_on") or "",
        "due_date": data["due"],
        "authority": rule.get("authority") or "",
        "rule_section": rule.get("section") or "",
        "rule_id": rule.get("rule") or "",
        "policy_version": rule.get("version") or "",
        "escalates_task_id": data.get("escalates") or "",
        "link": data["link"],
    }
    return {name: row[name] for name in FIELDS}


class BatchFileDeliverer:
    """Writes each dispatch run's messages for one receiver as one file in ``directory``."""

    name = "files"

    def __init__(self, directory: Path, *, format: str = "csv", prefix: str = "oversight-tasks",
                 run_at: datetime | None = None, link_base: str | None = None):
        if format not in ("csv", "jsonl"):
            raise ValueError(f"format {format!r}: write csv or jsonl")
        self.directory, self.format, self.prefix = Path(directory), format, prefix
        self.run_at = as_utc(run_at or clock.now())
        self.written: list[Path] = []
        self.link_base = link_base  # the task links are made as the rows are written

    def deliver(self, message: dict[str, Any]) -> None:
        self.deliver_many([message])

    def deliver_many(self, messages: list[dict[str, Any]]) -> None:
        rows = [record(message, link_base=self.link_base)  # all refused or none
                for message in messages]
        if not rows:
            return
        path = self._free_path()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(path, self._render(rows))
        except OSError as error:
            raise DeliveryFailed(f"{self.directory}: {type(error).__name__}: "
                                 f"{error.strerror or error}") from None
        self.written.append(path)

    def check(self) -> str:
        """A file can be written and renamed in the folder; a folder not there yet must be
        one the first delivery can make. Nothing is left behind."""
        if not self.directory.is_dir():
            parent = next((p for p in self.directory.parents if p.exists()), None)
            if parent is None or not os.access(parent, os.W_OK | os.X_OK):
                raise DeliveryFailed(f"{self.directory} does not exist and cannot be made")
            return f"{self.directory} will be made in {parent} on the first delivery"
        try:
            probe = self.directory / ".oversight-check"
            write_atomically(probe, "")
            probe.unlink()
        except OSError as error:
            raise DeliveryFailed(f"{self.directory}: {type(error).__name__}: "
                                 f"{error.strerror or error}") from None
        return f"{self.directory} is writable ({self.format})"

    def _free_path(self) -> Path:
        """This run's file; a second batch in the same run (or a rerun of the same instant)
        gets a numbered one beside it rather than rewriting a file an importer may have read."""
        stem = f"{self.prefix}-{self.run_at:%Y%m%dT%H%M%SZ}"
        path = self.directory / f"{stem}.{self.format}"
        number = 2
        while path.exists():
            path = self.directory / f"{stem}-{number}.{self.format}"
            number += 1
        return path

    def _render(self, rows: list[dict[str, str]]) -> str:
        if self.format == "jsonl":
            return "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
        writer.writeheader()
        # No cell a spreadsheet would run as a formula (OWASP; issue 14).
        writer.writerows(neutralised_row(row) for row in rows)
        return buffer.getvalue()


def write_atomically(path: Path, text: str, *, mode: int | None = None) -> None:
    """A temporary file beside ``path``, synced, then renamed over it; the folder synced too.
    ``mode``: the permissions the file gets (a rewrite keeps the old file's)."""
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=path.parent,
                                         prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(handle.name, mode)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
