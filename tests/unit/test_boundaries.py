"""states/ is the pure domain (no framework, adapter or workflow), and the edges reach the
store only through use cases (both checked with ast). The layers are import-linter's contracts
(pyproject.toml, `make lint`)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

STATES = Path(__file__).resolve().parents[2] / "states"
MODULES = sorted(STATES.rglob("*.py"))
FORBIDDEN = {"prefect", "sqlalchemy", "httpx", "fastapi", "yaml", "adapters", "workflows"}
# pydantic_core is pydantic's own core (its custom error type), part of the same library.
ALLOWED_THIRD_PARTY = {"transitions", "pydantic", "pydantic_core", "holidays", "states"}


def root_of(module: str) -> str:
    """The top-level package a module belongs to; ours are named by their layer
    (``oversight.states.calendar`` → ``states``)."""
    parts = module.split(".")
    if parts[0] == "oversight" and len(parts) > 1:
        return parts[1]
    return parts[0]


def imported_roots(path: Path) -> set[str]:
    """Top-level package of every import in the file, wherever it sits (functions included)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(root_of(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside states itself
                roots.add("states")
            else:
                roots.add(root_of(node.module))
    return roots


def dynamic_imports(path: Path) -> list[str]:
    """Calls of __import__ or import_module, which an import statement check would miss."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("__import__", "import_module"):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_the_check_finds_the_modules_of_states():
    """The walk sees the calendar, the policy and the three machines."""
    names = {p.relative_to(STATES).as_posix() for p in MODULES}
    assert {"calendar.py", "policy/model.py", "machines/assessment.py", "machines/asye.py",
            "machines/relationship.py"} <= names


def test_the_check_sees_imports_inside_functions(tmp_path):
    """An import hidden in a function body is still found."""
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f():\n    from oversight.adapters.store import x\n"
                      "    import prefect.flows\n")
    assert imported_roots(sneaky) == {"adapters", "prefect"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(STATES).as_posix())
def test_no_module_of_states_imports_a_framework_an_adapter_or_a_workflow(path):
    """prefect, sqlalchemy, httpx, fastapi, yaml, adapters and workflows stay outside the domain."""
    assert imported_roots(path) & FORBIDDEN == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(STATES).as_posix())
def test_states_imports_only_the_standard_library_transitions_pydantic_holidays_and_itself(path):
    """Anything else would be a new dependency of the domain."""
    allowed = set(sys.stdlib_module_names) | ALLOWED_THIRD_PARTY | {"__future__"}
    assert imported_roots(path) - allowed == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(STATES).as_posix())
def test_states_does_not_import_modules_by_name_at_run_time(path):
    """No __import__ or importlib.import_module to slip past the checks above."""
    assert dynamic_imports(path) == []


# workflows/: the application reaches adapters only through the composition root, and each
# layer imports only the layers below it: import-linter's contracts in pyproject.toml, run by
# `make lint` (tests/unit/test_import_graph.py counts the circles).


# ----- the edges: API, CLI, web and imports call use cases, never a store of their own -------

ADAPTERS = Path(__file__).resolve().parents[2] / "adapters"
EDGES = sorted(p for folder in ("api", "cli", "web", "imports")
               for p in (ADAPTERS / folder).rglob("*.py"))
STORE_OPENERS = {"SqlUnitOfWork", "SqlStore", "SqlRepositories", "uow_factory"}
"""Names whose call opens a unit of work (or a store to open one from)."""


def store_reaches(path: Path) -> list[str]:
    """Where an edge module reaches the store itself: an import of sqlalchemy or of
    ``oversight.adapters.store``, a unit of work or connection opened (``SqlUnitOfWork(...)``,
    ``app.store()``, ``engine.connect()``/``engine.begin()``), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        found += [f"imports {name} (line {node.lineno})" for name in names
                  if name.split(".")[0] == "sqlalchemy"
                  or name.startswith("oversight.adapters.store")]
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else \
                func.attr if isinstance(func, ast.Attribute) else ""
            owner = func.value if isinstance(func, ast.Attribute) else None
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else \
                owner.id if isinstance(owner, ast.Name) else ""
            if called in STORE_OPENERS \
                    or (called == "store" and not node.args and owner is not None) \
                    or (called in ("connect", "begin") and owner_name.endswith("engine")):
                found.append(f"opens {called}() (line {node.lineno})")
    return found


# No edge is excepted: import-linter forbids the CLI, the API and the dashboard to import
# sqlalchemy or the store adapter (pyproject.toml); this check also sees a unit of work or a
# connection opened, and walks the imports too.


def _edge_name(path: Path) -> str:
    return path.relative_to(ADAPTERS).as_posix()


def test_the_edge_check_sees_imports_and_units_of_work_opened(tmp_path):
    """sqlalchemy, the store's adapters, SqlUnitOfWork(...), app.store() and
    engine.begin() are each found; a use case called is not."""
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f(app, ready):\n"
                      "    from sqlalchemy import text\n"
                      "    from oversight.adapters.store.unit_of_work import SqlUnitOfWork\n"
                      "    with app.store() as uow, ready.engine.begin() as c:\n"
                      "        SqlUnitOfWork(app.engine)\n"
                      "    return app.service.record(None)\n")
    assert store_reaches(sneaky) == [
        "imports sqlalchemy (line 2)", "imports oversight.adapters.store.unit_of_work (line 3)",
        "opens store() (line 4)", "opens begin() (line 4)", "opens SqlUnitOfWork() (line 5)"]


def test_the_edge_check_finds_the_modules_of_the_four_edges():
    """The API's routers, the CLI's commands, the dashboard and the imports are walked."""
    names = {_edge_name(p) for p in EDGES}
    assert {"api/app.py", "api/routers/tasks.py", "cli/app.py", "web/pages.py",
            "imports/importing.py"} <= names


@pytest.mark.parametrize("path", EDGES, ids=_edge_name)
def test_an_edge_reaches_the_store_only_through_the_applications_use_cases(path):
    """No edge module imports sqlalchemy or the store's adapters, or opens a unit of work or a
    connection: every one calls use cases and ports (none is excepted)."""
    assert store_reaches(path) == []
