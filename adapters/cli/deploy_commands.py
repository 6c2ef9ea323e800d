"""``oversight synth`` (a synthetic population, bulk-loaded) and ``oversight deploy`` (the sweep
and dispatch deployments on a Prefect server's process work pool, from ``prefect.yaml``).

Registered on the main app by :func:`register`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import typer
from rich.table import Table

from oversight.adapters.cli.console import JsonFlag, fail, handled, out, print_json

# `oversight deploy` deploys the code of a checkout (prefect.yaml records its folder as the flows'
# working directory), so it alone looks for the repository around this file; an installed
# package has no prefect.yaml and the command says so.
REPO = Path(__file__).resolve().parents[2]


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("synth")(synth)
    app.command("deploy")(deploy)


def synth(
    authorities: int = typer.Option(1, "--authorities", min=1, help="Authorities to split into."),
    staff: int = typer.Option(1500, "--staff", min=1, help="Staff in all (about 10% managers, "
                                                        "8% ASYE)."),
    children: int = typer.Option(10000, "--children", min=0, help="Children in all."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="The store to fill (default: OVERSIGHT_DATABASE_URL or the "
                                     "SQLite file under OVERSIGHT_HOME). It must hold no entity."),
    policy: str = typer.Option("surrey", "--policy", help="The policy the store runs under."),
    offsets: int = typer.Option(28, "--offsets", min=1, help="Offsets per persona: more spreads "
                                                           "due dates more evenly."),
    seed: int = typer.Option(2026, "--seed", help="The same seed builds the same population."),
    ssd: Path | None = typer.Option(None, "--ssd", help="Instead of filling a store, write a "
                                    "Standard Safeguarding Dataset extract (one CSV per table) "
                                    "and its staff.csv into this folder, for `oversight import "
                                    "ssd`."),
    size: str = typer.Option("team", "--size", help="With --ssd: team (a team, a year) or "
                             "large (a large authority, ~1,500 professionals, five years)."),
    until: str | None = typer.Option(None, "--until", help="With --ssd: the extract's last day "
                                     "(default yesterday, Europe/London)."),
    as_json: bool = JsonFlag,
) -> None:
    """Fill an empty store with a realistic population, by bulk insert.

    A few dozen personas (staff supervised on time or late, ASYEs in each phase, absent
    supervisors, children of each case type, assessments at every day) run through the real
    engine as of 1 June 2026; their rows are replicated for every person and child.

    With --ssd FOLDER: a seeded SSD extract and its staff list instead (docs/ssd-import.md).
    """
    if ssd is not None:
        _synth_ssd(ssd, size, until, seed, as_json)
        return

    from oversight.workflows.bootstrap import initialise
    from oversight.workflows.reads import queries
    from oversight.workflows.settings import Settings
    from oversight.workflows.simulation.population import Population, build_templates, synthesise

    with handled():
        settings = Settings(database_url=database_url) if database_url else Settings()
        app = initialise(settings, policy)
        if queries.counts(app.store)["entities"]:
            fail(f"the store at {settings.redacted_url()} already holds entities: "
                 f"synth fills an empty store")
        app.close()
        started = time.perf_counter()
        templates = build_templates(offsets, policy)
        personas = time.perf_counter() - started
        counts = synthesise(settings.url, Population(authorities, staff, children, seed=seed),
                            templates, offsets)
        seconds = time.perf_counter() - started
    summary = {**counts, "personas": len(templates), "persona_seconds": round(personas, 1),
               "seconds": round(seconds, 1), "store": settings.redacted_url()}
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"Synthetic population: {authorities} authorities, {staff:,} staff, "
                        f"{children:,} children")
    for column in ("staff", "entities", "timers", "tasks", "audit", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(*(f"{counts[k]:,}" for k in ("staff", "entities", "timers", "tasks", "audit")),
                  f"{seconds:.1f}")
    out().print(table)
    out().print(f"{len(templates)} persona histories run through the engine in {personas:.1f} s; "
                f"store: {settings.redacted_url()}")


def _synth_ssd(folder: Path, size: str, until: str | None, seed: int, as_json: bool) -> None:
    from datetime import timedelta

    from oversight.adapters import clock
    from oversight.adapters.cli.console import parse_date
    from oversight.adapters.imports.ssd.synthetic import SIZES, write_extract

    if size not in SIZES:
        fail(f"--size {size!r}: sizes are {', '.join(SIZES)}")
    last = parse_date(until, "--until") if until else \
        clock.today() - timedelta(days=1)
    try:
        counts = write_extract(folder, size, until=last, seed=seed)
    except OSError as error:
        fail(f"--ssd {folder}: {error.strerror or error}")
    if as_json:
        print_json({"folder": str(folder), "size": size, "until": last.isoformat(),
                    "rows": counts})
        return
    table = Table(title=f"SSD extract ({size}, seed {seed}, until {last.isoformat()}) in {folder}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(f"{name}.csv", f"{count:,}")
    out().print(table)
    out().print(f"Next: oversight import staff {folder / 'staff.csv'} && oversight import ssd "
                f"{folder}", markup=False, soft_wrap=True)


POOL = "oversight"
"""The process work pool of prefect.yaml's deployments."""


def deploy(as_json: bool = JsonFlag) -> None:
    """Register the sweep and dispatch deployments of prefect.yaml on the Prefect server.

    Runs `prefect work-pool create --type process` (if the pool is missing) and
    `prefect deploy --all` from the repository root, against PREFECT_API_URL. Workers started
    with `prefect worker start --pool oversight` then run the scheduled flows; the store is the
    workers' OVERSIGHT_DATABASE_URL.
    """
    if not os.environ.get("PREFECT_API_URL"):
        fail("PREFECT_API_URL is not set: point it at the Prefect server "
             "(e.g. http://127.0.0.1:4200/api), see docs/scale.md")
    if not (REPO / "prefect.yaml").is_file():
        fail("`oversight deploy` runs from a checkout of the repository (it deploys prefect.yaml's "
             "flows from there); this installed package has none")
    prefect, pool, env = [sys.executable, "-m", "prefect"], POOL, dict(os.environ)
    found = subprocess.run([*prefect, "work-pool", "inspect", pool], capture_output=True,
                           text=True, env=env)
    if found.returncode != 0:
        created = subprocess.run([*prefect, "work-pool", "create", pool, "--type", "process"],
                                 capture_output=True, text=True, env=env)
        if created.returncode != 0:
            fail(f"could not create work pool {pool!r}: {created.stderr.strip()[-500:]}")
    done = subprocess.run([*prefect, "--no-prompt", "deploy", "--all",
                           "--prefect-file", str(REPO / "prefect.yaml")],
                          cwd=Path(REPO), capture_output=True, text=True, env=env)
    if done.returncode != 0:
        fail(f"prefect deploy failed: {(done.stderr or done.stdout).strip()[-800:]}")
    names = ["sweep/oversight-sweep", "dispatch/oversight-dispatch"]
    if as_json:
        typer.echo(json.dumps({"pool": pool, "deployments": names}))
        return
    out().print(f"Deployed {', '.join(names)} on work pool {pool!r}. Start workers with "
                f"`prefect worker start --pool {pool}`.")
