"""What every ``oversight`` command shares: its output, its errors and ``--json``.

Tables go to stdout for people, JSON for programs; any error a person can fix is one line on
stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from oversight.states.errors import OversightError

if TYPE_CHECKING:  # rich is imported by the first table or line for people: `--json` needs none
    from rich.console import Console

JsonFlag = typer.Option(False, "--json", help="Print JSON for programs instead of tables.")


def out() -> Console:
    """Standard output; tables piped to a file or a log are not cut to 80 columns."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(highlight=False, width=200)
    return console


def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def json_asked() -> bool:
    """Whether the command line asked for JSON: then errors are JSON too (issue 14)."""
    return "--json" in sys.argv[1:]


def fail(message: str) -> NoReturn:
    """One line per problem on stderr, exit code 1; with ``--json``, also the problem as JSON
    on stdout (``{"error": …, "problems": [...]}``), so a program reads its failure."""
    if json_asked():
        lines = str(message).splitlines() or ["failed"]
        typer.echo(json.dumps({"error": lines[0], "problems": lines}))
    for line in str(message).splitlines() or ["failed"]:
        err().print(f"error: {line}", markup=False, soft_wrap=True)
    raise typer.Exit(1)


@contextmanager
def handled() -> Iterator[None]:
    """Errors a person can act on become one clear line instead of a traceback."""
    try:
        yield
    except OversightError as error:
        fail(str(error))
    except Exception as error:
        # The store adapter names its library's errors as the application's (a database
        # server not reached, or any other failure of the store): asked only when one escapes.
        from oversight.workflows.bootstrap import store_fault

        fault = store_fault(error)
        if fault is None:
            raise
        fail(_as_run_here(str(fault)))


def _as_run_here(message: str) -> str:
    """A hint to run ``oversight init``, named as this program can be run (``.venv/bin/
    oversight`` when PATH does not find it), like every other hint."""
    from oversight.adapters.cli.first_use import program

    return message.replace("`oversight init`", f"`{program()} init`")


@contextmanager
def busy(message: str) -> Iterator[None]:
    """A spinner on stderr while a flow runs, when a person is watching."""
    console = err()
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date (write YYYY-MM-DD)")


def parse_past_date(text: str, option: str, today: date) -> date:
    """``parse_date``, refusing a day after ``today`` (:func:`not_after`)."""
    return not_after(parse_date(text, option), option, today)


def not_after(day: date, option: str, today: date) -> date:
    """``day``, unless it is after ``today``: a sweep, a report or a purge judges what has
    happened, and a day ahead would write (or show) breaches and erasures not yet due."""
    if day > today:
        fail(f"{option} {day.isoformat()} is after today ({today.isoformat()}, Europe/London): "
             f"give today or a day before")
    return day
