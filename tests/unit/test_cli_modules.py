"""The command line is one module per concept, each registered by one line in ``app.py``."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import typer

from oversight.adapters.cli import app as cli

CLI = Path(cli.__file__).parent


def test_every_command_module_is_registered_on_the_app():
    """A ``*_commands.py`` missing from ``COMMAND_MODULES`` would add no command at all."""
    on_disk = sorted(f"oversight.adapters.cli.{path.stem}" for path in CLI.glob("*_commands.py"))
    assert sorted(cli.COMMAND_MODULES) == on_disk


def test_each_command_module_registers_its_commands_on_a_fresh_app():
    """``register(app)`` alone adds a module's commands: no module relies on another's."""
    for name in cli.COMMAND_MODULES:
        fresh = typer.Typer()
        import_module(name).register(fresh)
        assert fresh.registered_commands or fresh.registered_groups, name


def test_no_module_of_the_command_line_is_over_300_lines():
    """The split keeps every module of ``adapters/cli`` readable in one sitting."""
    long = {path.name: n for path in CLI.glob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 300}
    assert long == {}
