"""``oversight events``: every event type the engine knows, its fields and where it goes.

Generated from the event registry and the route table (``workflows.vocabulary``), the same place
the event table of docs/simulation.md comes from; needs no store. Registered on the app by
:func:`register`.
"""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from oversight.adapters.cli.console import JsonFlag, out, print_json


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command()(events)


def events(as_json: bool = JsonFlag,
           markdown: bool = typer.Option(False, "--markdown",
                                         help="Print the events table (docs/simulation.md).")
           ) -> None:
    """Every event type with its fields and the lifecycles it reaches (its own first).

    Every event also has ``on`` (the date it happened, required), ``event_id`` (a repeat with the
    same id is applied once) and ``actor``. Fields marked ``?`` are optional.
    """
    from oversight.workflows.reads.vocabulary import catalogue, markdown_table

    if markdown:
        typer.echo(markdown_table(), nl=False)
        return
    entries = catalogue()
    if as_json:
        print_json([entry.to_json() for entry in entries])
        return
    table = Table("event", "fields (? optional)", "reaches", "records", show_lines=False)
    for entry in entries:
        fields = ", ".join(f.name if f.required else f"{f.name}?" for f in entry.fields)
        table.add_row(*(Text(cell) for cell in (entry.type, fields, ", ".join(entry.reaches),
                                                 entry.summary)))
    out().print(table)
    out().print("Every event also has on (required), event_id and actor; "
                "`oversight events --json` gives each field's type and allowed values.",
                markup=False)
