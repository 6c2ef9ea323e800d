"""Every quote of a policy file is the policy's own words: it appears verbatim in the authority's
seed text (whitespace and markdown emphasis aside), so a reader can find the sentence.

The seeds live in ``shared/seeds`` beside DOMAIN.md, which maps each seed file to its authority.
``shared/`` is found beside the clone (``../shared``, as CI has it) or at ``/work/shared``; the
test is skipped, saying so, only when neither exists.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from oversight.adapters.policy_files import DEFAULT_POLICY_DIR
from oversight.states.policy.model import Policy
from oversight.states.policy.rules import Rule

CLONE = Path(__file__).resolve().parents[2]


def shared_folder() -> Path | None:
    """The first of $OVERSIGHT_SHARED_DIR, ../shared beside the clone, /work/shared with a
    DOMAIN.md."""
    candidates = [os.environ.get("OVERSIGHT_SHARED_DIR"), CLONE.parent / "shared",
                  "/work/shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "DOMAIN.md").is_file():
            return Path(candidate)
    return None


def seeds_by_authority(shared: Path) -> dict[str, Path]:
    """DOMAIN.md's table: | `seeds/<file>` | <authority> | `<short name>` |."""
    text = (shared / "DOMAIN.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*`(seeds/[^`]+)`\s*\|[^|]*\|\s*`([a-z][a-z0-9_-]*)`\s*\|", text,
                      re.MULTILINE)
    return {authority: shared / seed for seed, authority in rows}


def words(text: str) -> str:
    """Whitespace and markdown emphasis are layout, not words."""
    return " ".join(text.replace("**", "").split())


def policy_files() -> list[Path]:
    """Every policy file shipped: each authority's current file and its versions."""
    return sorted([*DEFAULT_POLICY_DIR.glob("*.yaml"), *DEFAULT_POLICY_DIR.glob("*/*.yaml")])


def local_quotes(policy: Policy) -> list[tuple[str, str]]:
    """(section, quote) of every passage of the authority's own policy the file quotes."""
    found: list[tuple[str, str]] = []

    def walk(value: object) -> None:
        if isinstance(value, Rule):
            found.extend((p.section, p.quote) for p in value.cite.local_passages())
        if isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))

    walk(policy)
    return found


SHARED = shared_folder()


def test_domain_md_names_a_seed_for_each_authority_it_lists():
    """The table is read: at least one authority, each seed a file that exists."""
    if SHARED is None:
        pytest.skip("shared/ (DOMAIN.md and seeds) not found beside the clone or at /work/shared")
    seeds = seeds_by_authority(SHARED)
    assert seeds, "DOMAIN.md's seed table was not found"
    assert all(path.is_file() for path in seeds.values())


@pytest.mark.parametrize("path", policy_files(),
                         ids=lambda p: str(p.relative_to(DEFAULT_POLICY_DIR)))
def test_every_local_quote_appears_verbatim_in_the_authoritys_seed(path: Path):
    """Each cite's quote, adopted_by quote and conflicts_with quote is in the seed text."""
    if SHARED is None:
        pytest.skip("shared/ (DOMAIN.md and seeds) not found beside the clone or at /work/shared")
    policy = Policy.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")),
                                 source=str(path))
    seed = seeds_by_authority(SHARED).get(policy.authority)
    if seed is None:
        pytest.skip(f"DOMAIN.md lists no seed text for {policy.authority!r}")
    text = words(seed.read_text(encoding="utf-8"))
    missing = [(section, quote) for section, quote in local_quotes(policy)
               if words(quote) not in text]
    assert missing == []
