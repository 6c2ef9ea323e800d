"""One import: read the file, check every row, then apply it all in one transaction, or none.

Checking finds every bad row before anything is written; applying then goes through the
application service (:meth:`~oversight.workflows.recording.service.OversightService.record_all`),
so the events of a file are refused or accepted as a whole, and a refusal by a lifecycle (a session
dated before its relationship started, a child already allocated) is reported against its line too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from oversight.adapters.imports.kinds import KINDS, Context
from oversight.adapters.imports.rows import ImportRejected, Problem, read_rows
from oversight.states.errors import OversightError
from oversight.states.event_time import london_today
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App
from oversight.workflows.recording import staff_records
from oversight.workflows.recording.service import BatchRejected
from oversight.workflows.settings import Settings


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    source: str
    rows: int
    dry_run: bool
    staff: dict[str, int] = field(default_factory=dict)
    """For staff: added, updated, unchanged."""
    events: int = 0
    applied: int = 0
    duplicates: int = 0
    """Events of rows imported before: recognised by their id and left alone."""
    tasks_opened: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.source, "rows": self.rows,
                "dry_run": self.dry_run, "staff": self.staff, "events": self.events,
                "applied": self.applied, "duplicates": self.duplicates,
                "tasks_opened": self.tasks_opened, "ignored_columns": self.ignored_columns}


def column_mapping(settings: Settings, kind: str) -> dict[str, str]:
    """The source system's column names for ``kind``: the settings file's, then the variable's."""
    mapping: dict[str, str] = {}
    if settings.import_columns_file is not None:
        try:
            data = yaml.safe_load(settings.import_columns_file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise OversightError(f"{settings.import_columns_file}: the column mapping cannot be "
                                 f"read ({error})") from None
        section = data.get(kind, {}) if isinstance(data, dict) else None
        if not isinstance(section, dict):
            raise OversightError(f"{settings.import_columns_file}: '{kind}' must map the file's "
                                 f"column names to ours")
        mapping.update({str(k): str(v) for k, v in section.items()})
    mapping.update(settings.import_columns.get(kind, {}))
    return mapping


def import_file(app: App, kind: str, path: Path, *, now: datetime, dry_run: bool = False,
                mapping: dict[str, str] | None = None) -> ImportReport:
    """Import one CSV file of ``kind``; raises :class:`ImportRejected` with every bad row."""
    spec = KINDS.get(kind)
    if spec is None:
        raise OversightError(f"no import of kind '{kind}'; kinds: {', '.join(KINDS)}")
    if mapping is None:
        mapping = column_mapping(app.settings, kind)
    header, rows, problems = read_rows(path, columns=spec.columns, required=spec.required,
                                       aliases=spec.aliases, mapping=mapping)
    if problems:
        raise ImportRejected(path.name, problems)
    staff = staff_records.line_managers(app.store)
    context = Context(today=london_today(now), header=header, staff=staff)
    for row in rows:
        spec.check(row, context)
    spec.finish(context)
    report = ImportReport(kind=kind, source=path.name, rows=len(rows), dry_run=dry_run,
                          ignored_columns=header.ignored)
    if context.problems and kind == "staff":
        raise ImportRejected(path.name, context.problems)
    if kind == "staff":
        report.staff = staff_records.import_staff(app.store, context.records, dry_run=dry_run)
        return report
    _apply_events(app, context, report, path.name, now=now, dry_run=dry_run)
    return report


def _apply_events(app: App, context: Context, report: ImportReport, source: str, *,
                  now: datetime, dry_run: bool) -> None:
    """Apply the rows' events in date order (file order within a day), all or none.

    When some rows are already known to be bad, the good ones are still tried (and rolled
    back) so that the one report also names the rows a lifecycle would refuse.
    """
    ordered = sorted(enumerate(context.events), key=lambda item: (item[1][1]["on"], item[0]))
    lines, events, problems = [], [], list(context.problems)
    for _, (line, fields) in ordered:
        try:
            events.append(parse_event(fields))
            lines.append(line)
        except OversightError as error:
            problems.append(Problem(line, "row", str(error)))
    try:
        outcome = app.service.record_all(events, now=now, dry_run=dry_run or bool(problems))
    except BatchRejected as rejected:
        problems += [Problem(lines[index], "row", str(error))
                     for index, error in rejected.failures]
        raise ImportRejected(source, problems) from None
    if problems:
        raise ImportRejected(source, problems)
    report.events = len(events)
    report.applied, report.duplicates = outcome.applied, outcome.duplicates
    report.tasks_opened = outcome.tasks_opened


__all__ = ["ImportRejected", "ImportReport", "column_mapping", "import_file"]
