"""A policy folder under ``tmp_path`` with a second version of one authority's policy.

No authority among the five has published a later version the product could ship, so the tests
make one: ``<tmp>/<authority>.yaml`` is a copy of the shipped file (the current version) and
``<tmp>/<authority>/<version>.yaml`` the shipped file changed by ``edit``.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from oversight.adapters.policy_files import DEFAULT_POLICY_DIR

Edit = Callable[[dict[str, Any]], None]


def shipped(authority: str) -> dict[str, Any]:
    """The parsed shipped file, a fresh copy to edit."""
    text = (DEFAULT_POLICY_DIR / f"{authority}.yaml").read_text(encoding="utf-8")
    return copy.deepcopy(yaml.safe_load(text))


def write_policy(path: Path, mapping: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def with_version(folder: Path, authority: str, version: str, effective_from: date,
                 edit: Edit) -> Path:
    """``folder`` holding the shipped policy and a new version of it; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEFAULT_POLICY_DIR / f"{authority}.yaml", folder / f"{authority}.yaml")
    mapping = shipped(authority)
    mapping.update(version=version, effective_from=effective_from)
    edit(mapping)
    write_policy(folder / authority / f"{version}.yaml", mapping)
    return folder


def qualified_every(weeks: int) -> Edit:
    """The version supervises qualified social workers every ``weeks`` weeks."""

    def edit(mapping: dict[str, Any]) -> None:
        mapping["personal_supervision"]["roles"]["qualified_social_worker"]["every"] = {
            "weeks": weeks}

    return edit
