"""``oversight subject-access PERSON --out FILE`` and ``oversight purge``: personal data rights.

- subject-access (UK GDPR Article 15): everything the store holds about a person, as one JSON
  file with a manifest (per table: what, how many rows, the SHA-256 of the section).
- purge (the policies' retention; hull §3: seven years after employment ends): every person
  whose supervision file has reached its destruction date is anonymised in every table and the
  outbox; the figures keep their counts; the destruction is recorded (``erasures``, and a line
  in the chained access log). Then every file the product wrote (under the home, and the file
  receivers') is rewritten without them, and a SQLite store compacted
  (the personal data port,
  :mod:`oversight.workflows.ports.personal_data`). ``--dry-run`` names who would be erased and
  changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from oversight.adapters import clock
from oversight.adapters.cli.console import JsonFlag, fail, handled, out, parse_past_date, print_json
from oversight.adapters.cli.operator_reads import operator, operator_actor
from oversight.adapters.cli.runtime import open_store

if TYPE_CHECKING:
    from oversight.workflows.bootstrap import App
    from oversight.workflows.ports.personal_data import FilesRewritten


def subject_access(
    person: str = typer.Argument(..., help="The person's id (a staff id, or a child's)."),
    out_file: Path = typer.Option(..., "--out", help="Write the JSON export here (a new "
                                                     "file; its folder must exist).",
                                  dir_okay=False),
    as_json: bool = JsonFlag,
) -> None:
    """Export everything held about a person as JSON with a manifest (Article 15)."""
    if not _identifier(person):
        fail(f"{person!r} is not an identifier (letters, digits, '_', '.', '-'; up to 64)")
    target = out_file.expanduser()
    if target.exists():
        fail(f"--out: {target} exists; choose a new file (an export is never overwritten)")
    if not target.parent.is_dir():
        fail(f"--out: the folder {target.parent} does not exist")
    with handled():
        found = open_store().personal_data.subject_access(person, now=clock.now(),
                                                          requested_by=operator())
    if not found["records"]:
        fail(f"the store holds nothing about {person!r}")
    with target.open("x", encoding="utf-8") as handle:
        json.dump(found, handle, indent=2, sort_keys=True, default=str)
        handle.write("\n")
    tables = found["manifest"]["tables"]
    if as_json:
        print_json({"out": str(target), "tables": tables})
        return
    out().print(f"Wrote {target}: {sum(v['rows'] for v in tables.values())} row(s) from "
                f"{len(tables)} table(s) about {person}.", markup=False, soft_wrap=True)


def purge(as_of: str | None = typer.Option(None, "--as-of", help="The day to judge "
                                           "destruction dates on, YYYY-MM-DD (default today)."),
          dry_run: bool = typer.Option(False, "--dry-run", help="Name who would be erased; "
                                                                "change nothing."),
          as_json: bool = JsonFlag) -> None:
    """Erase everyone whose supervision file has reached its destruction date (retention)."""
    from oversight.states.event_time import london_today
    from oversight.states.events.registry import parse_event

    with handled():
        now = clock.now()
        # Not after today: a day ahead would erase files whose retention has not yet run out.
        day = parse_past_date(as_of, "--as-of", london_today(now)) if as_of else london_today(now)
        ready = open_store()
        personal_data = ready.personal_data
        if not dry_run:
            # The file's own lifecycle records its destruction first (closing the custodian's
            # task, hull §3); a file already destroyed is left as it is.
            for person in personal_data.not_yet_destroyed(day):
                ready.service.record(parse_event({
                    "type": "supervision_file_destroyed", "on": day.isoformat(),
                    "person": person}).model_copy(update={"actor": operator_actor()}),
                    now=now)
        if dry_run:
            due = personal_data.due_for_destruction(day)
            done = []
        else:
            done = personal_data.purge(as_of=day, now=now, actor=operator())
            due = [erasure.pseudonym for erasure in done]
        rewritten = _erase_from_files(ready, {e.person: e.pseudonym for e in done}) if done \
            else None
    if as_json:
        print_json({"as_of": day.isoformat(), "dry_run": dry_run,
                    "due": due if dry_run else len(done),
                    "erasures": [erasure.to_json() for erasure in done],
                    "files": rewritten.to_json() if rewritten else {"changed": {},
                                                                    "not_text": []}})
        return
    if dry_run:
        out().print(f"{len(due)} person(s) due for erasure on {day}: {', '.join(due) or 'none'}.",
                    markup=False, soft_wrap=True)
        return
    for erasure in done:
        out().print(f"Erased one person as {erasure.pseudonym} ({erasure.id}): "
                    f"{sum(erasure.counts.values())} row(s) anonymised.", markup=False)
    if rewritten:
        out().print(f"{len(rewritten.changed)} file(s) rewritten without them "
                    f"({sum(rewritten.changed.values())} line(s)).", markup=False)
        for path in rewritten.not_text:
            out().print(f"Not text, not rewritten: {path}; check it by hand.", markup=False,
                        soft_wrap=True)
    if not done:
        out().print(f"No supervision file reaches its destruction date by {day}.", markup=False)


def _erase_from_files(ready: App, renames: dict[str, str]) -> FilesRewritten:
    """The files the product wrote (under the home, and the file receivers') rewritten with
    each erased person's pseudonym; a SQLite store compacted so freed pages keep no old
    value."""
    from oversight.workflows.delivery.receiver_settings import FilesReceiver, JsonlReceiver

    settings = ready.settings
    receivers: list[tuple[Path, str | None]] = [(settings.outbox_file, None)]
    for config in settings.receiver_settings().values():
        if isinstance(config, FilesReceiver):
            receivers.append((config.directory, config.prefix))
        elif isinstance(config, JsonlReceiver):
            receivers.append((config.path or settings.outbox_file, None))
    return ready.personal_data.erase_from_files(settings.home, receivers, renames)


def _identifier(text: str) -> bool:
    import re

    return re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", text) is not None


def register(app: typer.Typer) -> None:
    app.command("subject-access")(subject_access)
    app.command("purge")(purge)


__all__ = ["register"]
