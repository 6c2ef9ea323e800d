"""``oversight asye`` and ``oversight report``: ASYE progress and compliance figures (issue 7).

Registered on the main app by :func:`register`. Both read through the same modules as the API
and the dashboard (``oversight.workflows.reads.progress``,
``oversight.workflows.reads.compliance``), so the numbers agree.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from oversight.adapters import clock
from oversight.adapters.cli.console import (
    JsonFlag,
    fail,
    handled,
    not_after,
    out,
    parse_date,
    parse_past_date,
    print_json,
)
from oversight.adapters.cli.operator_reads import log_read
from oversight.adapters.cli.runtime import open_store


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("asye")(asye)
    app.command("report")(report)


AsOf = typer.Option(None, "--as-of", help="The day to report on, YYYY-MM-DD (default: today, or "
                                          "the store's last recorded day if later).")


def asye(person: str | None = typer.Argument(
        None, help="A worker's id; without it, every ASYE journey in one table."),
         as_of: str | None = AsOf, as_json: bool = JsonFlag) -> None:
    """ASYE progress: phase, sessions against the schedule and their gaps, reviews, pauses,
    portfolio evidence and the outcome."""
    from oversight.workflows.reads import progress
    from oversight.workflows.reads.compliance import store_today

    with handled():
        ready = open_store()
        latest = store_today(ready.store, clock.now())
        day = parse_past_date(as_of, "--as-of", latest) if as_of else latest
        found = progress.journeys(ready.store, ready.policy, as_of=day,
                                  workers=[person] if person else None)
        log_read(ready.store, "asye", [f"asye:{p.worker}" for p in found])
    if person and not found:
        fail(f"{person!r} has no ASYE journey in the store; `oversight asye` lists them")
    if as_json:
        print_json(found[0].to_json() if person else [p.to_json() for p in found])
        return
    console = out()
    if not person:
        console.print(journeys_table(found, day))
        return
    for part in journey_views(found[0]):
        console.print(part)


def report(
    start: str = typer.Option(..., "--from", help="First day of the period, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day of the period, YYYY-MM-DD."),
    team: str | None = typer.Option(None, "--team", help="A manager's id: them and everyone "
                                       "below them in the line-management chain (default: the "
                                       "whole authority)."),
    fmt: str = typer.Option("json", "--format", help="csv, xlsx or json."),
    out_file: Path | None = typer.Option(None, "--out", help="Write to this file (needed for "
                                            "xlsx); without it csv and json go to stdout."),
    as_of: str | None = AsOf,
) -> None:
    """Compliance figures for a period: the share of supervisions, oversights and assessments
    done on time, by rule; breaches by rule; the trend by month."""
    from oversight.adapters.report_files import FORMATS, write_report
    from oversight.adapters.spreadsheet_cells import neutralised_row
    from oversight.workflows.reads.compliance import (
        FLAT_COLUMNS,
        Period,
        compliance,
        flat_rows,
        store_today,
    )

    if fmt not in FORMATS:
        fail(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "xlsx" and out_file is None:
        fail("an xlsx report needs --out FILE")
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    if last < first:
        fail(f"--to {last} is before --from {first}")
    with handled():
        ready = open_store()
        now = clock.now()
        # The period may run on past today (the quarter in progress) but not start after it;
        # the day it is judged on is today at the latest (or a simulated store's last day).
        latest = store_today(ready.store, now)
        not_after(first, "--from", latest)
        figures = compliance(ready.store, Period(first, last), team=team,
                             as_of=parse_past_date(as_of, "--as-of", latest) if as_of else None,
                             now=now)
        log_read(ready.store, "report", [f"team:{team}" if team else "team:authority"])
    if out_file is None:
        if fmt == "json":
            print_json(figures)
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=FLAT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(neutralised_row(row) for row in flat_rows(figures))
            typer.echo(buffer.getvalue(), nl=False)
        return
    try:
        write_report(figures, out_file, fmt)
    except OSError as error:
        fail(f"--out {out_file}: {error.strerror or error}")
    totals = figures["totals"]
    share = "no task decided" if totals["percent_on_time"] is None \
        else f"{totals['percent_on_time']}% on time"
    out().print(f"Wrote {out_file}: {totals['due']} tasks due from {first} to {last}, {share}, "
                f"{totals['breached']} breached, {totals['pending']} pending.", markup=False,
                soft_wrap=True)


# ----- views --------------------------------------------------------------------------------------

def _text(value: Any) -> Text:
    return Text("" if value is None else str(value))


def journeys_table(found: list, day: date) -> Table:
    table = Table(title=f"ASYE journeys on {day} ({len(found)})", title_justify="left",
                  min_width=30)
    for column in ("Worker", "State", "Phase", "Next phase", "On time / due", "Gaps", "Reviews",
                   "Evidence short", "End", "Outcome"):
        table.add_column(column)
    for p in found:
        reviews = ", ".join(f"{r.review} {r.status}" for r in p.reviews)
        short = sum(line.short for line in p.evidence)
        table.add_row(*map(_text, (
            p.worker, p.state, p.phase or "", f"{p.next_phase} {p.next_phase_starts}"
            if p.next_phase else "", f"{p.held_on_time}/{p.required}", len(p.gaps), reviews,
            short, p.end, f"{p.outcome} {p.outcome_on}" if p.outcome else "")))
    return table


def journey_views(p) -> list:
    """The detail of one journey: a summary, then phases, gaps, reviews, pauses and evidence."""
    lines: list[Any] = [Text(f"ASYE of {p.worker} (supervisor {p.supervisor}), {p.authority} "
                             f"policy, on {p.as_of}: {p.state}", style="bold")]
    lines.append(Text(f"Started {p.started}; final assessment {p.final.planned} "
                      f"({p.final.status})" + (f", first planned {p.planned_end}"
                                               if p.end != p.planned_end else "")))
    if p.phase:
        lines.append(Text(f"Phase: {p.phase}" + (f"; {p.next_phase} from {p.next_phase_starts}"
                                                 if p.next_phase else "")))
    if p.next_session_due:
        lines.append(Text(f"Next session due {p.next_session_due}"))
    phases = Table(title="Sessions against the schedule", title_justify="left")
    for column in ("Phase", "Every", "From", "To", "Due so far", "Held on time", "Held", "Gaps"):
        phases.add_column(column)
    for ph in p.phases:
        phases.add_row(*map(_text, (ph.phase, ph.every, ph.starts, ph.ends or "", ph.required,
                                    ph.held_on_time, ph.held,
                                    ", ".join(d.isoformat() for d in ph.gaps))))
    lines.append(phases)
    reviews = Table(title="Review points", title_justify="left")
    for column in ("Review", "Planned", "Held", "Status"):
        reviews.add_column(column)
    for r in [*p.reviews, p.final]:
        reviews.add_row(*map(_text, (r.review, r.planned, r.held_on or "", r.status)))
    lines.append(reviews)
    if p.pauses:
        lines.append(Text("Pauses: " + "; ".join(
            f"{x.on} to {x.resumed} ({x.days} days)" if x.resumed else f"since {x.on}"
            for x in p.pauses) + f"; end date now {p.end}"))
    evidence = Table(title="Portfolio evidence", title_justify="left")
    for column in ("Evidence", "Recorded", "Required"):
        evidence.add_column(column)
    for line in p.evidence:
        evidence.add_row(*map(_text, (line.label, line.recorded, line.required)))
    lines.append(evidence)
    if p.evidence_missing:
        lines.append(Text("Missing before a pass: " + "; ".join(p.evidence_missing)))
    if p.outcome:
        lines.append(Text(f"Outcome: {p.outcome} on {p.outcome_on}", style="bold"))
    return lines
