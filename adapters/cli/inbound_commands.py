"""Inbound commands (issue 6): ``import``, ``calendar`` and ``api`` (``token``: token_commands).

Registered on the ``oversight`` app by :func:`register`; they share its error handling (one
line per problem on stderr, exit code 1) and its ``--json`` convention.
"""

from __future__ import annotations

from pathlib import Path

import typer

from oversight.adapters import clock
from oversight.adapters.cli.console import JsonFlag, fail, handled, out, parse_date, print_json
from oversight.adapters.cli.runtime import open_store

IMPORT_KINDS = ("staff", "relationships", "allocations", "sessions", "ssd")

def import_command(
    kind: str = typer.Argument(..., help="staff, relationships, allocations, sessions or ssd."),
    source: str = typer.Argument(..., metavar="FILE", help="A CSV export (the first line names "
                                 "the columns); for staff, also a YAML staff or scenario file; "
                                 "for ssd, a folder of SSD CSV files or a database URL."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and apply, report, then roll "
                                                          "back: the store is left unchanged."),
    mirror: bool = typer.Option(False, "--mirror", help="ssd: retract the events of rows gone "
                                                        "from the extract."),
    as_json: bool = JsonFlag,
) -> None:
    """Import an export of a case or HR system: all of the file, or none of it.

    staff: id, role, started, line_manager, qualified, part_time, agency, team.

    relationships: supervisor, supervisee, started, agreement_signed.

    allocations: child, case_type, risk, worker, allocated, manager, plan.

    sessions: supervisor, supervisee, held, minutes.

    Dates are YYYY-MM-DD or DD/MM/YYYY, none after today. Every bad row is reported.

    A source system's column names map to these: OVERSIGHT_IMPORT_COLUMNS(_FILE).

    ssd: the Standard Safeguarding Dataset's tables (docs/ssd-import.md).

    Importing the same file again changes nothing.
    """
    if kind not in IMPORT_KINDS:
        fail(f"no import of kind {kind!r}; kinds: {', '.join(IMPORT_KINDS)}")
    if kind == "ssd":
        from oversight.adapters.cli.ssd_import_command import import_ssd_command

        import_ssd_command(source, dry_run=dry_run, mirror=mirror, as_json=as_json)
        return
    if mirror:
        fail("--mirror is for `oversight import ssd`")
    file = Path(source)
    if kind == "staff" and file.suffix.lower() in (".yaml", ".yml"):
        _import_staff_yaml(file, as_json)
        return
    from oversight.adapters.imports import ImportRejected, import_file

    with handled():
        ready = open_store()
        try:
            report = import_file(ready, kind, file, now=clock.now(),
                                 dry_run=dry_run)
        except ImportRejected as rejected:
            if as_json:
                print_json({"file": rejected.source, "applied": False,
                            "problems": [p.to_json() for p in rejected.problems]})
                raise typer.Exit(1) from None
            fail(f"{rejected}\n{rejected.source}: {len(rejected.problems)} problem(s); nothing "
                 f"was imported")
    if as_json:
        print_json(report.to_json())
        return
    done = "Checked (dry run, nothing kept)" if dry_run else "Imported"
    if kind == "staff":
        counts = report.staff
        out().print(f"{done} {report.rows} row(s) of {report.source}: {counts['added']} staff "
                    f"added, {counts['updated']} updated, {counts['unchanged']} unchanged.",
                    markup=False, soft_wrap=True)
    else:
        out().print(f"{done} {report.rows} row(s) of {report.source}: {report.applied} event(s) "
                    f"applied, {report.duplicates} already imported, {report.tasks_opened} "
                    f"task(s) opened.", markup=False, soft_wrap=True)
    if report.ignored_columns:
        out().print(f"Columns not read: {', '.join(report.ignored_columns)}", markup=False,
                    soft_wrap=True)


def _import_staff_yaml(file: Path, as_json: bool) -> None:
    from oversight.adapters.scenario import load_staff

    with handled():
        members = load_staff(file)
        count = open_store().service.upsert_staff(members)
    if as_json:
        print_json({"staff": count})
        return
    out().print(f"{count} staff member(s) added or updated.", markup=False)


def calendar(
    person: str = typer.Argument(..., help="A staff id: their sessions as supervisor and as "
                                           "supervisee."),
    output: Path | None = typer.Option(None, "--out", help="Write the .ics file here "
                                          "instead of printing it."),
    start: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD (default "
                                        "today, Europe/London)."),
    months: int = typer.Option(12, "--months", min=1, max=24, help="How far ahead."),
    as_json: bool = JsonFlag,
) -> None:
    """Planned and due supervision sessions for the months ahead, as iCalendar (.ics)."""
    from oversight.adapters.cli.operator_reads import operator
    from oversight.adapters.ics import event_uid, sessions_calendar
    from oversight.states.event_time import london_today
    from oversight.workflows.reads.planner import published_sessions
    from oversight.workflows.reads.record_reads import Reader, staff_read

    now = clock.now()
    today = parse_date(start, "--from") if start else london_today(now)
    with handled():
        ready = open_store()
        if not staff_read(ready.store, Reader("operator", reader=operator()), person,
                          "calendar", now):
            fail(f"no staff member {person!r}; `oversight import staff` adds them")
        sessions, sequences = published_sessions(ready.store, ready.policy, person, today=today,
                                                 months=months, record=start is None)
    if as_json:
        print_json([{"on": s.on.isoformat(), "status": s.status, "supervisor": s.supervisor,
                     "supervisee": s.supervisee, "type": s.type, "entity": s.entity,
                     "task": s.task, "rule": s.rule, "session": s.session,
                     "uid": event_uid(s), "sequence": sequences.get(s.obligation, 0)}
                    for s in sessions])
        return
    text = sessions_calendar(person, sessions, now=now, sequences=sequences)
    if output is None:
        typer.echo(text.decode("utf-8"), nl=False)
        return
    try:
        output.write_bytes(text)
    except OSError as error:
        fail(f"--out {output}: {error.strerror or error}")
    out().print(f"{len(sessions)} session(s) written to {output}.", markup=False, soft_wrap=True)


def api(host: str | None = typer.Option(None, "--host", help="Address to listen on "
                                           "(default OVERSIGHT_API_HOST or 127.0.0.1)."),
        port: int | None = typer.Option(None, "--port", help="Port (default "
                                           "OVERSIGHT_API_PORT or 8000)."),
        workers: int = typer.Option(1, "--workers", help="Processes serving the API, each "
                                    "with its own writer (PostgreSQL only: a SQLite store has "
                                    "one writer process).")) -> None:
    """Serve the HTTP API (/v1, OpenAPI at /openapi.json) with uvicorn."""
    import uvicorn

    from oversight.adapters.cli.api_processes import refusal

    with handled():
        ready = open_store()
    refused = refusal(ready.settings, workers)
    if refused is not None:
        fail(refused)
    bind_host = host or ready.settings.api_host
    bind_port = port if port is not None else ready.settings.api_port
    processes = f" in {workers} processes" if workers > 1 else ""
    out().print(f"Serving the oversight API on http://{bind_host}:{bind_port}/v1 for "
                f"{ready.settings.redacted_url()}{processes}; Ctrl+C stops.", markup=False,
                soft_wrap=True)
    if workers > 1:
        # Each process opens the store and builds its app (uvicorn's factory, by import path):
        # this one only supervises them.
        ready.engine.dispose()
        uvicorn.run("oversight.adapters.cli.api_processes:served", factory=True,
                    workers=workers, host=bind_host, port=bind_port, log_level="warning",
                    access_log=False)
        return
    from oversight.adapters.api import create_app

    uvicorn.run(create_app(ready), host=bind_host, port=bind_port, log_level="warning",
                access_log=False)


def register(app: typer.Typer) -> None:
    """Add the inbound commands to the ``oversight`` app."""
    app.command("import")(import_command)
    app.command()(calendar)
    app.command()(api)


__all__ = ["register"]
