"""What every ``oversight`` command shares: its output, its errors and ``--json``.

Tables go to stdout for people, JSON for programs; any error a person can fix is one line on
stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import re
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
        # SQLAlchemy is imported here, when an error needs it, not when `oversight` starts.
        from sqlalchemy.exc import SQLAlchemyError

        from oversight.adapters.cli.first_use import program

        if not isinstance(error, SQLAlchemyError):
            raise
        cause = getattr(error, "orig", None)  # the driver's own error, where there is one
        unreachable = _unreachable(error, cause)
        if unreachable:
            fail(unreachable)
        fail(f"the store could not be used ({type(error).__name__}: {cause or error}); "
             f"check OVERSIGHT_HOME / OVERSIGHT_DATABASE_URL, then run `{program()} init`")


def _unreachable(error: Exception, cause: object) -> str | None:
    """One line for a database server that could not be reached (a connection refused, a host
    that does not resolve, a timeout): the host and what to check. ``oversight init`` would
    meet the same wall, so it is not advised. None for any other error."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    # A failed connect has no statement; an error of a statement is the store's, not the wire's.
    if not isinstance(error, OperationalError) or error.statement is not None:
        return None
    # Where the store is, read as runtime.store_settings reads it (not imported from there:
    # runtime reports its own faults through this module).
    from oversight.workflows.settings import Settings
    from oversight.workflows.store_settings import StoreSettings

    try:
        url = make_url((StoreSettings.from_environment() or Settings()).url)
    except Exception:  # noqa: BLE001 - the settings' own fault is said by the next command
        return None
    if url.get_backend_name() == "sqlite" or not url.host:
        return None
    first = str(cause or error).strip().splitlines()[0] if str(cause or error).strip() else ""
    reason = re.sub(r"^\[Errno -?\d+\] ", "", first.rpartition(": ")[2]).strip() or "no answer"
    where = f"{url.host}:{url.port or 5432}"
    return (f"the store's database server at {where} could not be reached ({reason}): check "
            f"that the server runs and takes connections from this machine, and that "
            f"OVERSIGHT_DATABASE_URL names its host, port and database")


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
