"""The exception tree drawn in states/errors.py's docstring is the one the code defines."""

from __future__ import annotations

import importlib
import pkgutil
import re

import oversight.adapters
import oversight.states
import oversight.workflows
from oversight.states import errors
from oversight.states.errors import OversightError

_DRAWN = re.compile(r"^    [ │├└─]*(?P<name>[A-Z][A-Za-z]+)(\s|$)")
"""A line of the drawing: four spaces, the tree's branches, then an error's name."""


def drawn_tree() -> dict[str, str | None]:
    """Each error drawn in the docstring → the error drawn above it (None for the root)."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        match = _DRAWN.match(line)
        if match is None:
            continue
        depth, name = match.start("name"), match.group("name")
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((depth, name))
    return parents


def defined_tree() -> dict[str, str | None]:
    """Every OversightError subclass in the package → its base (None for the root)."""
    for package in (oversight.states, oversight.workflows, oversight.adapters):
        for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" not in found.name:
                importlib.import_module(found.name)
    tree: dict[str, str | None] = {OversightError.__name__: None}
    pending = [OversightError]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("oversight."):
                tree[sub.__name__] = cls.__name__
                pending.append(sub)
    return tree


def test_the_drawing_reads_the_root_and_a_nested_error():
    """The parser finds OversightError at the top and EventDateRefused under EventInvalid."""
    drawn = drawn_tree()
    assert drawn["OversightError"] is None
    assert drawn["EventDateRefused"] == "EventInvalid"


def test_every_error_the_code_defines_is_drawn_under_its_base_and_nothing_else_is():
    """A new error class joins the drawing in states/errors.py, under the class it extends."""
    assert drawn_tree() == defined_tree()
