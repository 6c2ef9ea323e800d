"""No import circles in the whole package, counting imports inside functions and under
``TYPE_CHECKING`` (grimp, the graph behind import-linter; the layers are import-linter's
contracts in pyproject.toml, run by `make lint`)."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

PACKAGES = ("oversight.states", "oversight.workflows", "oversight.adapters", "oversight.config")


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in graph.modules:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return sorted(found)


def graph_of(*packages: str) -> grimp.ImportGraph:
    return grimp.build_graph(*packages, cache_dir=None)


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterable[str]:
    """A package ``planted`` whose ``a`` imports ``b`` in a function and ``b`` imports ``a``
    for type hints only, and a ``c`` outside the circle."""
    root = tmp_path / "planted"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "a.py").write_text("def f():\n    from planted import b\n")
    (root / "b.py").write_text(textwrap.dedent("""\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from planted.a import f
        """))
    (root / "c.py").write_text("import planted.a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "planted"
    for name in [m for m in sys.modules if m == "planted" or m.startswith("planted.")]:
        del sys.modules[name]


def test_the_count_finds_a_circle_made_of_a_lazy_import_and_a_type_checking_one(planted):
    """a -> b inside a function, b -> a under TYPE_CHECKING: one circle of two; c is not in it."""
    assert circles(graph_of(planted)) == [["planted.a", "planted.b"]]


def test_the_package_has_no_import_circle():
    """Every module of states, workflows, adapters and config: none reaches itself again."""
    assert circles(graph_of(*PACKAGES)) == []
