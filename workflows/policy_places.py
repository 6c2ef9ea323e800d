"""Where policy files are found: the folders an authority is looked for in, and the names there.

Knowing *where* needs no parser and no adapter, so the settings (which check that a route names
an existing authority) and the policy-file adapter (which reads what is found) share it. The
order of the places is explained in :mod:`oversight.adapters.policy_files`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


def _shipped_folder() -> Path:
    folder = files("oversight.config") / "policies"
    if not isinstance(folder, Path):  # a zipped install: policies must be files to be read
        raise RuntimeError("the oversight package must be installed as files, not zipped")
    return folder


SHIPPED_POLICY_DIR = _shipped_folder()
"""The policies shipped inside the package: the last place an authority is looked for."""
DEFAULT_POLICY_DIR = SHIPPED_POLICY_DIR  # the name tests and older callers know it by

LOCAL_POLICY_DIR = Path("config") / "policies"
"""Relative to the working folder: a deployment's own policies, before the shipped ones."""


@dataclass(frozen=True)
class PolicyPlace:
    """A folder policies are looked for in, and what put it in the search order."""

    folder: Path
    origin: str  # "--policy-dir", "./config/policies" or "shipped"


def policy_places(directory: Path | None = None) -> list[PolicyPlace]:
    """The folders an authority is looked for in, first first; each folder once."""
    places = [PolicyPlace(directory, "--policy-dir")] if directory is not None else []
    places += [PolicyPlace(LOCAL_POLICY_DIR, "./config/policies"),
               PolicyPlace(SHIPPED_POLICY_DIR, "shipped")]
    shipped, seen, found = SHIPPED_POLICY_DIR.resolve(), set(), []
    for place in places:
        key = place.folder.resolve()
        # In a checkout ./config/policies *is* the shipped folder: it is called that, last.
        if key in seen or (key == shipped and place.origin != "shipped"):
            continue
        if not place.folder.is_dir():
            continue
        seen.add(key)
        found.append(place)
    return found


def policy_place(name: str, directory: Path | None = None) -> PolicyPlace | None:
    """The first place that has ``<name>.yaml``, or None."""
    for place in policy_places(directory):
        if (place.folder / f"{name}.yaml").is_file():
            return place
    return None


def policy_path(name: str, directory: Path | None = None) -> Path:
    """The file of the authority's current policy (where it would be, if it is nowhere)."""
    place = policy_place(name, directory)
    folder = place.folder if place else (directory or SHIPPED_POLICY_DIR)
    return folder / f"{name}.yaml"


def version_paths(name: str, directory: Path | None = None) -> list[Path]:
    """The files of the authority's other versions, ``<dir>/<name>/<version>.yaml``, from the
    folder its current policy came from."""
    return sorted((policy_path(name, directory).parent / name).glob("*.yaml"))


def _names_in(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


def available_policies(directory: Path | None = None) -> list[str]:
    """Every authority found in any of the places, once."""
    return sorted({name for place in policy_places(directory) for name in _names_in(place.folder)})


__all__ = ["DEFAULT_POLICY_DIR", "LOCAL_POLICY_DIR", "SHIPPED_POLICY_DIR", "PolicyPlace",
           "available_policies", "policy_path", "policy_place", "policy_places",
           "version_paths"]
