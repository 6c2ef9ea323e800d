"""Policy files on disk, validated into ``Policy``; every version of an authority's policy.

Layout (``DEFAULT_POLICY_DIR`` or ``Settings.policy_dir``)::

    <dir>/<authority>.yaml              the current version: what `init` and the machines use today
    <dir>/<authority>/<version>.yaml    other versions, earlier or later, one file each

Each file states ``version`` and ``effective_from``; a versioned file's name is its version. The
versions of one authority form a :class:`~oversight.states.policy.book.PolicyBook`: the service steps an
entity under the version in force on the step's day. A reference on the command line is
``<authority>``, ``<authority>@<version>``, or the path of a file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from oversight.states.errors import PolicyError
from oversight.states.policy.model import Policy
from oversight.states.policy.book import PolicyBook
from oversight.states.policy.lint import Finding, lint, schema_findings

DEFAULT_POLICY_DIR = Path(__file__).resolve().parent.parent / "config" / "policies"


def policy_path(name: str, directory: Path | None = None) -> Path:
    return (directory or DEFAULT_POLICY_DIR) / f"{name}.yaml"


def version_paths(name: str, directory: Path | None = None) -> list[Path]:
    """The files of the authority's other versions, ``<dir>/<name>/<version>.yaml``."""
    return sorted(((directory or DEFAULT_POLICY_DIR) / name).glob("*.yaml"))


def available_policies(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or DEFAULT_POLICY_DIR).glob("*.yaml"))


def read_policy_mapping(path: Path) -> Any:
    """The parsed YAML of a policy file; a missing file or bad YAML is one PolicyError."""
    if not path.is_file():
        known = ", ".join(available_policies(path.parent)) or "none"
        raise PolicyError(str(path), "", f"no such policy file (policies here: {known})")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", error)
        raise PolicyError(str(path), where, f"not valid YAML: {problem}") from None


def load_policy_file(path: Path) -> Policy:
    """Read and validate one policy file; any fault is one PolicyError naming file and key.

    ``<authority>.yaml`` must hold that authority; ``<authority>/<version>.yaml`` that version.
    """
    policy = Policy.from_mapping(read_policy_mapping(path), source=str(path))
    if policy.authority == path.stem:
        return policy
    if policy.authority == path.parent.name:
        if policy.version != path.stem:
            raise PolicyError(str(path), "version",
                              f"'{policy.version}' does not match the file name '{path.stem}'")
        return policy
    raise PolicyError(str(path), "authority",
                      f"'{policy.authority}' does not match the file name '{path.stem}'")


@lru_cache(maxsize=32)
def load_policy(name: str, directory: Path | None = None) -> Policy:
    """The named authority's current policy, loaded once per process."""
    return load_policy_file(policy_path(name, directory))


@lru_cache(maxsize=32)
def load_policy_book(name: str, directory: Path | None = None) -> PolicyBook:
    """The current version and every other version of the authority's policy."""
    current = load_policy(name, directory)
    others = []
    for path in version_paths(name, directory):
        policy = load_policy_file(path)
        if policy.version != current.version:
            others.append(policy)
        elif policy != current:  # the current version may also be kept in the folder, unchanged
            raise PolicyError(str(path), "version", f"version '{policy.version}' differs from "
                                                    f"{name}.yaml, which is that version too")
    return PolicyBook.of(current, *others, current=current,
                         source=str(policy_path(name, directory)))


def policy_ref_path(ref: str, directory: Path | None = None) -> Path:
    """The file of ``<authority>``, ``<authority>@<version>`` or a path given as such."""
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        return Path(ref)
    name, _, version = ref.partition("@")
    current = policy_path(name, directory)
    if not version:
        return current
    versioned = (directory or DEFAULT_POLICY_DIR) / name / f"{version}.yaml"
    if versioned.is_file() or not current.is_file():
        return versioned
    if load_policy(name, directory).version == version:
        return current
    known = ", ".join(p.version for p in load_policy_book(name, directory).versions)
    raise PolicyError(str(versioned), "", f"no version '{version}' of the {name} policy "
                                          f"(versions: {known})")


def load_policy_ref(ref: str, directory: Path | None = None) -> Policy:
    """The policy a command line names: ``surrey``, ``devon@2025-02`` or ``path/to/file.yaml``."""
    return load_policy_file(policy_ref_path(ref, directory))


def lint_policy_file(path: Path) -> list[Finding]:
    """Every schema fault of the file (all of them, each with its key), or if it validates,
    what :func:`oversight.states.policy.lint.lint` finds; a file that does not parse is one error."""
    try:
        data = read_policy_mapping(path)
    except PolicyError as error:
        return [Finding("error", error.key, error.reason)]
    faults = schema_findings(data)
    if faults:
        return faults
    try:
        policy = load_policy_file(path)
    except PolicyError as error:  # valid, but not the authority or version its name says
        return [Finding("error", error.key, error.reason)]
    return lint(policy)
