"""tests/fakes.py keeps up with the store port: every repository the port's unit of work hands
out, every method of each, and the unit of work's and factory's own methods, are on the fake
with the port's parameters (names, order, keyword-only or not). A method added to a protocol in
workflows/ports/ fails here until the fake has it too."""

from __future__ import annotations

import inspect
import typing

import pytest

from oversight.workflows.ports.store import UnitOfWork, UnitOfWorkFactory
from tests.fakes import FakeStore, FakeUnitOfWork


def _repositories() -> dict[str, type]:
    """The unit of work's read-only members → the protocol each is typed as."""
    return {name: typing.get_type_hints(member.fget)["return"]
            for name, member in vars(UnitOfWork).items() if isinstance(member, property)}


def _methods(protocol: type) -> list[str]:
    return sorted(name for name, member in vars(protocol).items()
                  if callable(member) and (not name.startswith("_") or name in (
                      "__call__", "__enter__", "__exit__")))


def _parameters(function: typing.Any) -> list[tuple[str, typing.Any]]:
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()]


def test_the_port_names_the_eleven_repositories_the_fake_hands_out():
    """entities … calendar_events: each a member of the fake's unit of work once entered."""
    names = set(_repositories())
    assert names == {"entities", "timers", "tasks", "history", "outbox", "staff", "meta",
                     "events", "event_log", "access_log", "calendar_events"}
    with FakeStore()() as uow:
        assert all(getattr(uow, name) is not None for name in names)


@pytest.mark.parametrize("member", sorted(_repositories()))
def test_each_repository_of_the_fake_has_every_method_of_its_protocol(member):
    """The fake's repository has each method the protocol declares, with its parameters."""
    protocol = _repositories()[member]
    with FakeStore()() as uow:
        fake = type(getattr(uow, member))
    for name in _methods(protocol):
        assert hasattr(fake, name), f"{fake.__name__} lacks {protocol.__name__}.{name}"
        assert _parameters(getattr(fake, name)) == _parameters(getattr(protocol, name)), \
            f"{fake.__name__}.{name} takes other parameters than {protocol.__name__}.{name}"


@pytest.mark.parametrize(("fake", "protocol"), [(FakeUnitOfWork, UnitOfWork),
                                                (FakeStore, UnitOfWorkFactory)])
def test_the_fake_unit_of_work_and_factory_have_the_ports_own_methods(fake, protocol):
    """commit, savepoint, save_steps, row_counts …; the factory's call and collision."""
    for name in _methods(protocol):
        assert hasattr(fake, name), f"{fake.__name__} lacks {protocol.__name__}.{name}"
        assert _parameters(getattr(fake, name)) == _parameters(getattr(protocol, name))
