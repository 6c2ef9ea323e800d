"""What a newcomer meets first: ``--help`` that reads as sentences, ``--version``, and hints that
name the program as it can be run.

- A flag takes no value, so its help names no type (typer 0.29 labels every flag ``<bool>``).
- A command's help paragraphs are joined into lines before typer shows them: its rich help keeps
  the line breaks of a docstring, which cut a sentence in the middle of the screen.
- :func:`program`: ``oversight`` when that is what ``PATH`` finds, otherwise the path this was
  started by (after ``make demo`` the virtualenv is not active: ``.venv/bin/oversight``).
"""

from __future__ import annotations

import inspect
import shutil
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperOption

_type_label = TyperOption.display_type_rich


def _no_label_on_flags(self: TyperOption, ctx: Any) -> str | None:
    return None if self.is_flag else _type_label(self, ctx)


TyperOption.display_type_rich = _no_label_on_flags  # type: ignore[method-assign]  # see above


def _joined(text: str) -> str:
    """Each paragraph of ``text`` on one line; paragraphs stay apart."""
    return "\n\n".join(" ".join(part.split()) for part in inspect.cleandoc(text).split("\n\n"))


def tidy_help(app: typer.Typer) -> None:
    """Join the help paragraphs of every command and group of ``app``, its subgroups too."""
    for command in app.registered_commands:
        text = command.help or inspect.getdoc(command.callback)
        if text:
            command.help = _joined(text)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            tidy_help(group.typer_instance)
        if group.help:
            group.help = _joined(group.help)
    info = app.info
    if isinstance(info.help, str):
        info.help = _joined(info.help)


def show_version(value: bool) -> None:
    """``--version``: the installed distribution's version, then stop."""
    if value:
        from importlib.metadata import version

        typer.echo(f"oversight {version('oversight')}")
        raise typer.Exit()


def program() -> str:
    """How to run this program again, as a hint should print it."""
    started = sys.argv[0] if sys.argv else ""
    if Path(started).name != "oversight":  # run some other way (a test, python -c): the name
        return "oversight"
    found = shutil.which("oversight")
    if found and Path(found).resolve() == Path(started).resolve():
        return "oversight"
    return started


__all__ = ["program", "show_version", "tidy_help"]
