"""states/ is the pure domain: no framework, no adapter, no workflow (checked with ast)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

STATES = Path(__file__).resolve().parents[2] / "states"
MODULES = sorted(STATES.rglob("*.py"))
FORBIDDEN = {"prefect", "sqlalchemy", "httpx", "fastapi", "yaml", "adapters", "workflows"}
ALLOWED_THIRD_PARTY = {"transitions", "pydantic", "holidays", "states"}


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


# ----- workflows/: the application depends on ports; only the composition root on adapters ----

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
COMPOSITION_ROOT = "bootstrap.py"
APPLICATION = sorted(p for p in WORKFLOWS.rglob("*.py")
                     if p.relative_to(WORKFLOWS).as_posix() != COMPOSITION_ROOT)


def adapter_imports(path: Path) -> list[str]:
    """Every ``oversight.adapters`` module the file imports, wherever the import sits
    (module level, functions, ``TYPE_CHECKING`` blocks), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        found += [f"{name} (line {node.lineno})" for name in names
                  if name == "oversight.adapters" or name.startswith("oversight.adapters.")]
    return found


def test_the_check_finds_the_modules_of_workflows_and_spares_only_the_composition_root():
    """The service, its ports and the routing package are checked; bootstrap is not."""
    names = {p.relative_to(WORKFLOWS).as_posix() for p in APPLICATION}
    assert {"service.py", "ports.py", "firing.py", "queries.py", "routing/table.py"} <= names
    assert COMPOSITION_ROOT not in names
    assert adapter_imports(WORKFLOWS / COMPOSITION_ROOT) != []


def test_the_workflows_check_sees_imports_in_functions_and_type_checking_blocks(tmp_path):
    """A concrete class imported lazily or only for type hints is still found."""
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from typing import TYPE_CHECKING\n"
                      "if TYPE_CHECKING:\n    from oversight.adapters.store import tables\n"
                      "def f():\n    import oversight.adapters.scenario\n"
                      "from oversight.workflows.ports import UnitOfWork\n")
    assert adapter_imports(sneaky) == ["oversight.adapters.store (line 3)",
                                       "oversight.adapters.scenario (line 5)"]


@pytest.mark.parametrize("path", APPLICATION, ids=lambda p: p.relative_to(WORKFLOWS).as_posix())
def test_no_module_of_workflows_but_the_composition_root_imports_an_adapter(path):
    """The application reaches the store, deliveries and files through ports that
    workflows/bootstrap.py fills in, never through oversight.adapters itself."""
    assert adapter_imports(path) == []
