"""One SSD import: read the extract, check every row, then apply its history, or nothing.

Events new to the store go through the service's group path
(:meth:`~oversight.workflows.recording.service.OversightService.record_all`) in date order, in one
transaction, judged by event time like any late record; a row whose dates changed since the last
import amends its event (:class:`~oversight.workflows.recording.corrections.Corrections`: retracted
and recorded again, re-derived); with ``mirror``, the events of a row gone from the extract are
retracted. The same extract again changes nothing: each event's id is made from its row and its
content (:mod:`.history`), and an id already applied is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oversight.adapters.imports.ssd.checks import Checker, Fault
from oversight.adapters.imports.ssd.history import Planned, plan_history
from oversight.adapters.imports.ssd.tables import read_extract
from oversight.states.errors import BatchRejected, OversightError
from oversight.states.event_time import london_today
from oversight.states.events.registry import DomainEvent, parse_event
from oversight.workflows.bootstrap import App
from oversight.workflows.recording import staff_records
from oversight.workflows.recording.extract_corrections import Correction, correct_all, live_imported

REASON = "the SSD extract changed: {what}"
"""Why an amendment or retraction is made (kept in the audit)."""


class ExtractRejected(OversightError):
    """Nothing was imported: every fault of the extract, by table, row id and column."""

    def __init__(self, faults: list[Fault]):
        self.faults = sorted(set(faults))
        super().__init__("\n".join(str(fault) for fault in self.faults))


@dataclass
class SsdReport:
    """What an SSD import did (or, for a dry run, would do)."""

    source: str
    dry_run: bool
    rows: dict[str, int] = field(default_factory=dict)
    events: int = 0
    added: int = 0
    amended: int = 0
    retracted: int = 0
    left: int = 0
    """Events of rows imported before and unchanged."""
    tasks_opened: int = 0
    professionals_not_staff: int = 0
    """Professionals of ssd_professionals the staff list lacks and no row needs."""
    untimed: int = 0
    """Events left out: the policy in force on their day times nothing they would start
    (hull has no child-specific supervision rules: no allocation is recorded under it)."""

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "dry_run": self.dry_run, "rows": self.rows,
                "events": self.events, "added": self.added, "amended": self.amended,
                "retracted": self.retracted, "left": self.left,
                "tasks_opened": self.tasks_opened,
                "professionals_not_staff": self.professionals_not_staff,
                "untimed": self.untimed}


Progress = Callable[[str], None]


def import_ssd(app: App, source: str, *, now: datetime, dry_run: bool = False,
               mirror: bool = False, progress: Progress | None = None) -> SsdReport:
    """Import the SSD extract at ``source`` (a folder of CSV files or a SQLAlchemy URL);
    raises :class:`ExtractRejected` naming every fault, the store unchanged."""
    say = progress or (lambda line: None)
    extract = read_extract(source)
    report = SsdReport(source=_shown(source), dry_run=dry_run,
                       rows={table: len(rows) for table, rows in extract.items() if rows})
    say(f"read {sum(report.rows.values())} row(s) of {len(report.rows)} table(s)")
    checker = Checker(today=london_today(now), staff=staff_records.line_managers(app.store))
    planned = plan_history(extract, checker)
    faults = list(checker.faults)  # and, below, what the lifecycles refuse: all in one report
    report.professionals_not_staff = len(checker.unmatched)
    timed = [item for item in planned if _timed(app, item)]
    report.untimed, planned = len(planned) - len(timed), timed
    report.events = len(planned)
    new, changed, gone = _against_store(app, planned, mirror, report)
    say(f"checked: {len(new)} event(s) to add, {len(changed)} to amend, {len(gone)} to retract, "
        f"{report.left} unchanged")
    corrections = [Correction(before, REASON.format(what=f"{item.table} row {item.row} now "
                                                     f"says {item.fields['on']}"), _event(item))
                   for before, item in changed]
    corrections += [Correction(record, REASON.format(what="its row is gone")) for record in gone]
    amended = [item for _, item in changed]
    if corrections:  # tried first: a refused one leaves the store as it was
        faults += _correct(app, corrections, amended, now=now, commit=False)[1]
    try:
        outcome = app.service.record_all([_event(item) for item in new], now=now,
                                         dry_run=dry_run or bool(faults))
    except BatchRejected as rejected:
        faults += [_refused(new[index], error) for index, error in rejected.failures]
    if faults:
        raise ExtractRejected(faults)
    report.added, report.tasks_opened = outcome.applied, outcome.tasks_opened
    report.amended, report.retracted = len(changed), len(gone)
    if dry_run or not corrections:
        return report
    say(f"added {report.added} event(s); amending {len(changed)}, retracting {len(gone)}")
    opened, refused = _correct(app, corrections, amended, now=now, commit=True)
    if refused:
        raise ExtractRejected(refused)
    report.tasks_opened += opened
    return report


def _against_store(app: App, planned: list[Planned], mirror: bool, report: SsdReport
                   ) -> tuple[list[Planned], list[tuple[str, Planned]], list[str]]:
    """The events new to the store, those whose row changed (with the id they replace) and,
    with ``mirror``, the ids of rows gone; the unchanged are counted as left."""
    known = imported_ids(app)
    new, changed = [], []
    for item in planned:
        before = known.get(item.key)
        if before == item.event_id:
            report.left += 1
        elif before is None:
            new.append(item)
        else:
            changed.append((before, item))
    keys = {item.key for item in planned}
    gone = [record for key, record in sorted(known.items()) if key not in keys] if mirror else []
    return new, changed, gone


def imported_ids(app: App) -> dict[str, str]:
    """The events SSD imports applied and nobody retracted: key → event id."""
    return {event_id.rsplit(":v", 1)[0]: event_id
            for event_id in live_imported(app.store, "ssd:")}


RULES = {"child_allocated": "child_supervision", "child_reallocated": "child_supervision",
         "case_details_changed": "child_supervision", "case_closed": "child_supervision",
         "assessment_started": "assessment", "assessment_completed": "assessment"}
"""The part of a policy each event's lifecycle runs under."""


def _timed(app: App, item: Planned) -> bool:
    """Whether the policy in force on the event's day has the rules its lifecycle needs."""
    policy = app.service.book.in_force(item.on)
    return getattr(policy, RULES[item.fields["type"]], None) is not None


def _event(item: Planned) -> DomainEvent:
    return parse_event({**item.fields, "event_id": item.event_id})


def _correct(app: App, corrections: list[Correction], amended: list[Planned], *,
             now: datetime, commit: bool) -> tuple[int, list[Fault]]:
    """:func:`correct_all`: the tasks opened, and each refusal named by its row (a retraction
    by its event id)."""
    opened, refused = correct_all(app.service, corrections, now=now, commit=commit)
    return opened, [
        _refused(amended[index], error) if index < len(amended)
        else Fault("(store)", corrections[index].record, "--mirror",
                   f"cannot be retracted: {error}") for index, error in refused]


def _refused(item: Planned, error: OversightError) -> Fault:
    return Fault(item.table, item.row, item.fields["type"], f"refused on "
                 f"{item.fields['on'].isoformat()}: {error}")


def _shown(source: str) -> str:
    """A source as reports show it: a database URL without its password."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", source)


__all__ = ["ExtractRejected", "SsdReport", "import_ssd", "imported_ids"]
