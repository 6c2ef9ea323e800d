"""The command line is one module per concept, each registered by one line in ``app.py`` that
names its commands, and imported only when one of them runs or help lists them all."""

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


def test_each_command_module_is_listed_with_the_commands_it_registers():
    """The names a module is imported for are exactly those its ``register`` adds."""
    for name, commands in cli.COMMAND_MODULES.items():
        fresh = typer.Typer()
        import_module(name).register(fresh)
        built = typer.main.get_group(fresh).commands
        assert tuple(built) == commands, name


def test_help_lists_every_command_in_the_order_registering_them_all_gave():
    """Built on demand, the app has the commands (and groups) of all modules registered at once
    on one app, in the same order: commands first, then groups, each in module order."""
    everything = typer.Typer()
    for name in cli.COMMAND_MODULES:
        import_module(name).register(everything)
    expected = list(typer.main.get_group(everything).commands)
    assert expected[:4] == ["init", "sweep", "dispatch", "serve"]
    assert expected[-2:] == ["token", "audit"]
    group = typer.main.get_command(cli.app)
    assert isinstance(group, typer.core.TyperGroup)
    with typer.Context(group) as context:
        assert group.list_commands(context) == expected


def test_a_command_builds_only_the_modules_that_register_it():
    """Asking for ``status`` builds the reading commands; ``event`` its two modules' group."""
    group = typer.main.get_command(cli.app)
    assert isinstance(group, typer.core.TyperGroup)
    with typer.Context(group) as context:
        assert group.get_command(context, "status") is not None
        assert set(group.commands) == {"status", "tasks", "history", "why", "diagram"}
        event = group.get_command(context, "event")
        assert isinstance(event, typer.core.TyperGroup)
        assert list(event.commands) == ["record", "retract", "amend"]
        assert group.get_command(context, "no-such-command") is None
        assert len(group.commands) == 30


def test_no_module_of_the_command_line_is_over_300_lines():
    """The split keeps every module of ``adapters/cli`` readable in one sitting."""
    long = {path.name: n for path in CLI.glob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 300}
    assert long == {}
