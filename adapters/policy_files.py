"""Policy files on disk: ``config/policies/<authority>.yaml``, validated into ``Policy``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from states.errors import PolicyError
from states.policy import Policy

DEFAULT_POLICY_DIR = Path(__file__).resolve().parent.parent / "config" / "policies"


def policy_path(name: str, directory: Path | None = None) -> Path:
    return (directory or DEFAULT_POLICY_DIR) / f"{name}.yaml"


def available_policies(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or DEFAULT_POLICY_DIR).glob("*.yaml"))


def load_policy_file(path: Path) -> Policy:
    """Read and validate one policy file; any fault is one PolicyError naming file and key."""
    if not path.is_file():
        known = ", ".join(available_policies(path.parent)) or "none"
        raise PolicyError(str(path), "", f"no such policy file (policies here: {known})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise PolicyError(str(path), where, f"not valid YAML: {getattr(error, 'problem', error)}") from None
    policy = Policy.from_mapping(data, source=str(path))
    if policy.authority != path.stem:
        raise PolicyError(str(path), "authority",
                          f"'{policy.authority}' does not match the file name '{path.stem}'")
    return policy


@lru_cache(maxsize=32)
def load_policy(name: str, directory: Path | None = None) -> Policy:
    """The named authority's policy, loaded once per process."""
    return load_policy_file(policy_path(name, directory))
