"""The authority, name and version of the policy a store runs, for ``oversight status``.

Status shows only these three, but they are worth showing only from a policy file that validates
(``load_policy``: the schema, then what lint calls an error), and validating means importing the
policy model, which takes longer than the rest of the command. So a file that validated is
remembered: ``<home>/cache/policy-headers.json`` keeps its header under its resolved path, with
the file's inode, size and modification and change times, and a fingerprint of the code that
validated it (the versions of Python and pydantic, and the size and modification time of
PyYAML's module, of every module of ``oversight.states`` and of the policy-file adapter). Any
difference, an unreadable cache or a missing entry, and the file is validated again, failing as
it always did. The cache is written only into a home folder that exists: a read creates none.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CACHE_FILE = Path("cache") / "policy-headers.json"
"""Under the settings' home folder."""


@dataclass(frozen=True)
class PolicyHeader:
    """What ``oversight status`` says of the policy: ``surrey``, its name and version."""

    authority: str
    name: str
    version: str


def policy_header(name: str, directory: Path | None, home: Path) -> PolicyHeader:
    """The header of authority ``name``'s current policy, found as ``load_policy`` finds it;
    from the cache when the file and the code are those that validated it, else validated now
    (a fault is the same :class:`~oversight.states.errors.PolicyError` as ever)."""
    from oversight.adapters.policy_files import load_policy, policy_path, policy_place

    if policy_place(name, directory) is None:
        load_policy(name, directory)  # raises: no such policy file, and where it looked
    path = policy_path(name, directory).resolve()
    key = _file_key(path)
    cache = home / CACHE_FILE
    entries = _read(cache)
    entry = entries.get(str(path))
    if isinstance(entry, dict) and entry.get("key") == key:
        try:
            return PolicyHeader(**entry["header"])
        except (KeyError, TypeError):
            pass  # a cache written by hand or by other code: validate the file instead
    policy = load_policy(name, directory)
    header = PolicyHeader(policy.authority, policy.name, policy.version)
    if home.is_dir():
        entries[str(path)] = {"key": key, "header": asdict(header)}
        _write(cache, entries)
    return header


def _file_key(path: Path) -> dict[str, Any]:
    found = path.stat()
    return {"inode": found.st_ino, "size": found.st_size, "mtime_ns": found.st_mtime_ns,
            "ctime_ns": found.st_ctime_ns, "code": code_fingerprint()}


def code_fingerprint() -> list[Any]:
    """What decides whether a policy file is valid: the code's versions and its source files."""
    from importlib.util import find_spec

    import pydantic  # imported already: typer validates options with it

    import oversight.adapters.policy_files as policy_files
    import oversight.states as states

    # PyYAML by its installed files, not its version: importing it to ask would cost more than
    # the cache saves, and the packages' metadata takes as long to search.
    found = find_spec("yaml")
    yaml_files = [found.origin, *_stamp(found.origin)] if found and found.origin else []
    # Lists, not tuples: the key is compared with one read back from JSON.
    sources = [[str(Path(policy_files.__file__).resolve()), *_stamp(policy_files.__file__)]]
    for folder, subfolders, names in os.walk(Path(states.__file__).parent):
        subfolders[:] = sorted(one for one in subfolders if one != "__pycache__")
        sources += [[os.path.join(folder, one), *_stamp(os.path.join(folder, one))]
                    for one in sorted(names) if one.endswith(".py")]
    return [sys.version, pydantic.VERSION, yaml_files, sources]


def _stamp(path: str) -> list[int]:
    found = os.stat(path)
    return [found.st_size, found.st_mtime_ns]


def _read(cache: Path) -> dict[str, Any]:
    try:
        entries = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _write(cache: Path, entries: dict[str, Any]) -> None:
    """Whole or not at all (a temporary file renamed over it); a cache that cannot be written
    is only a slower next start."""
    try:
        cache.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache.parent, prefix=".policy-headers-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(entries, stream)
        os.replace(temporary, cache)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


__all__ = ["CACHE_FILE", "PolicyHeader", "code_fingerprint", "policy_header"]
