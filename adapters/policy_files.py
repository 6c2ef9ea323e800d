"""Policy files on disk, validated into ``Policy``; every version of an authority's policy.

Layout of a policy folder::

    <dir>/<authority>.yaml              the current version: what `init` and the machines use today
    <dir>/<authority>/<version>.yaml    other versions, earlier or later, one file each

An authority is looked for in three places, in this order, and the first that has
``<authority>.yaml`` gives it and its versions (``oversight policy list`` shows where each came
from): the folder given (``--policy-dir`` / ``OVERSIGHT_POLICY_DIR``, ``Settings.policy_dir``),
``./config/policies`` under the working folder, then the policies shipped inside the package
(``oversight.config/policies``, found with ``importlib.resources`` so an installed ``oversight``
needs no checkout).

Each file states ``version`` and ``effective_from``; a versioned file's name is its version. The
versions of one authority form a :class:`~oversight.states.policy.book.PolicyBook`: the service
steps an entity under the version in force on the step's day. A reference on the command line is
``<authority>``, ``<authority>@<version>``, or the path of a file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oversight.states.errors import PolicyError
from oversight.workflows.policy_places import (  # where files are; this module reads them
    DEFAULT_POLICY_DIR,
    LOCAL_POLICY_DIR,
    SHIPPED_POLICY_DIR,
    PolicyPlace,
    _names_in,
    available_policies,
    policy_path,
    policy_place,
    policy_places,
    version_paths,
)

if TYPE_CHECKING:  # the model is imported where a file is validated: finding one needs none of
    # it, and it takes a tenth of a second (`oversight status` names a policy it validated before)
    from oversight.states.policy.book import PolicyBook
    from oversight.states.policy.lint import Finding
    from oversight.states.policy.model import Policy


def read_policy_mapping(path: Path) -> Any:
    """The parsed YAML of a policy file; a missing file or bad YAML is one PolicyError.

    Parsed by libyaml when PyYAML has it (the same constructor, so the same data, several
    times faster); a file it refuses is read again by the Python parser, for its message."""
    import yaml

    if not path.is_file():
        known = ", ".join(_names_in(path.parent)) or "none"
        raise PolicyError(str(path), "", f"no such policy file (policies here: {known})")
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", error)
        raise PolicyError(str(path), where, f"not valid YAML: {problem}") from None


def load_policy_file(path: Path) -> Policy:
    """Read and validate one policy file; any fault is one PolicyError naming file and key.

    ``<authority>.yaml`` must hold that authority; ``<authority>/<version>.yaml`` that version.
    What ``oversight policy lint`` calls an error (``every: {weeks: 0}``: every task breached
    the day it is raised) is refused too, so no command runs such a policy (issue 14).
    """
    from oversight.states.policy.lint import lint

    policy = _validated_policy_file(path)
    errors = [finding for finding in lint(policy) if finding.severity == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more: `oversight policy lint {path}`)" \
            if len(errors) > 1 else ""
        raise PolicyError(str(path), errors[0].rule, errors[0].message + more)
    return policy


def _validated_policy_file(path: Path) -> Policy:
    """The file's policy, valid and named as its file says; not yet linted."""
    from oversight.states.policy.model import Policy

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


def load_policy(name: str, directory: Path | None = None) -> Policy:
    """The named authority's current policy, loaded once per process and file."""
    if policy_place(name, directory) is None:
        looked = ", ".join(str(place.folder) for place in policy_places(directory)) or "nowhere"
        known = ", ".join(available_policies(directory)) or "none"
        raise PolicyError(f"{name}.yaml", "", f"no such policy file in {looked} "
                                              f"(policies: {known}; see `oversight policy list`)")
    return _load_current(policy_path(name, directory).resolve())


def load_policy_book(name: str, directory: Path | None = None) -> PolicyBook:
    """The current version and every other version of the authority's policy."""
    return _load_book(name, policy_path(name, directory).resolve())


@lru_cache(maxsize=32)
def _load_current(path: Path) -> Policy:
    return load_policy_file(path)


@lru_cache(maxsize=32)
def _load_book(name: str, current_path: Path) -> PolicyBook:
    from oversight.states.policy.book import PolicyBook

    current = _load_current(current_path)
    others = []
    for path in sorted((current_path.parent / name).glob("*.yaml")):
        policy = load_policy_file(path)
        if policy.version != current.version:
            others.append(policy)
        elif policy != current:  # the current version may also be kept in the folder, unchanged
            raise PolicyError(str(path), "version", f"version '{policy.version}' differs from "
                                                    f"{name}.yaml, which is that version too")
    return PolicyBook.of(current, *others, current=current, source=str(current_path))


def policy_ref_path(ref: str, directory: Path | None = None) -> Path:
    """The file of ``<authority>``, ``<authority>@<version>`` or a path given as such."""
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        return Path(ref)
    name, _, version = ref.partition("@")
    current = policy_path(name, directory)
    if not version:
        return current
    versioned = current.parent / name / f"{version}.yaml"
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
    """Every schema fault of the file (all of them, each with its key), or if it validates, what
    :func:`oversight.states.policy.lint.lint` finds; a file that does not parse is one error."""
    from oversight.states.policy.lint import Finding, lint, schema_findings

    try:
        data = read_policy_mapping(path)
    except PolicyError as error:
        return [Finding("error", error.key, error.reason)]
    faults = schema_findings(data)
    if faults:
        return faults
    try:
        policy = _validated_policy_file(path)
    except PolicyError as error:  # valid, but not the authority or version its name says
        return [Finding("error", error.key, error.reason)]
    return lint(policy)


# The places are found by oversight.workflows.policy_places; they are named here too, beside
# the reading, for the callers that read what they find.
__all__ = ["DEFAULT_POLICY_DIR", "LOCAL_POLICY_DIR", "PolicyPlace", "SHIPPED_POLICY_DIR",
           "available_policies", "lint_policy_file", "load_policy", "load_policy_book",
           "load_policy_file", "load_policy_ref", "policy_path", "policy_place", "policy_places",
           "policy_ref_path", "read_policy_mapping", "version_paths"]
