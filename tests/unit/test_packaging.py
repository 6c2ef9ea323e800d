"""What the wheel ships: every package folder under its ``oversight.*`` name, and every data file.

pyproject.toml lists the packages by hand (each top-level folder is mapped under ``oversight`` by
``package-dir``, which package discovery does not follow), so these tests catch a new folder or a
new kind of data file that the list would leave out of an installed ``oversight``.
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FOLDERS = {"oversight.states": "states", "oversight.adapters": "adapters",
           "oversight.workflows": "workflows", "oversight.config": "config"}
# Alembic's scripts are package data of oversight.adapters.store, read by path, not imported.
NOT_PACKAGES = ("migrations",)


def setuptools_table() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"]


def package_folders() -> dict[str, Path]:
    """Every folder with an ``__init__.py`` under the four top-level folders, by import name."""
    found = {}
    for package, folder in FOLDERS.items():
        for init in sorted((REPO / folder).rglob("__init__.py")):
            parts = init.parent.relative_to(REPO / folder).parts
            if any(part in NOT_PACKAGES or part == "__pycache__" for part in parts):
                continue
            found[".".join((package, *parts))] = init.parent
    return found


def test_the_top_level_folders_install_under_the_one_oversight_import_package():
    """package-dir maps exactly states, adapters, workflows and config under ``oversight``."""
    assert setuptools_table()["package-dir"] == FOLDERS


def test_the_packages_list_names_every_folder_that_has_an_init_file():
    """A folder with ``__init__.py`` missing from ``packages`` would be missing from the wheel."""
    listed = sorted(setuptools_table()["packages"])
    assert listed == sorted(package_folders()), (
        "pyproject.toml [tool.setuptools] packages must list every package folder: "
        f"missing {sorted(set(package_folders()) - set(listed))}, "
        f"extra {sorted(set(listed) - set(package_folders()))}")


def test_every_data_file_in_a_package_is_shipped_as_package_data():
    """Policies, scenarios, templates, migrations: each file is matched by a package-data glob."""
    patterns = setuptools_table()["package-data"]
    folders = package_folders()
    unshipped = []
    for top in FOLDERS.values():
        for path in sorted((REPO / top).rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts:
                continue
            # The package a file belongs to is the innermost package folder holding it.
            package = max((name for name, where in folders.items() if path.is_relative_to(where)),
                          key=lambda name: len(folders[name].parts))
            relative = path.relative_to(folders[package]).as_posix()
            if "/" not in relative and path.suffix == ".py":
                continue  # a module: shipped as code
            if fnmatch(relative, "scenarios/make_*.py"):
                continue  # the generators of the shipped scenarios: tools of the repository
            # setuptools' `*` stops at a folder, so the depth must match too.
            if not any(fnmatch(relative, glob) and relative.count("/") == glob.count("/")
                       for glob in patterns.get(package, [])):
                unshipped.append(f"{package}: {relative}")
    assert unshipped == []


def test_the_shipped_policies_and_scenarios_are_there_to_be_found_as_resources():
    """importlib.resources finds the policies and scenarios the package ships, as files."""
    from importlib.resources import files

    shipped = files("oversight.config")
    policies = sorted(p.name for p in (shipped / "policies").iterdir() if p.name.endswith(".yaml"))
    on_disk = sorted(p.name for p in (REPO / "config" / "policies").glob("*.yaml"))
    assert policies == on_disk and policies  # every authority there is, none pinned here
    assert (shipped / "scenarios" / "example.yaml").is_file()
