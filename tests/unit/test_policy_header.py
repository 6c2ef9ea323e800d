"""``oversight status`` names the policy from a file that validated, remembered under the home
folder only while the file and the code are the ones that validated it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from oversight.adapters import policy_files
from oversight.adapters.cli import policy_header as header_module
from oversight.adapters.cli.policy_header import CACHE_FILE, PolicyHeader, policy_header
from oversight.states.errors import PolicyError

SURREY = PolicyHeader("surrey", "Surrey Children's Services", "2024-12")


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    """A policy folder holding a copy of the shipped surrey.yaml."""
    folder = tmp_path / "policies"
    folder.mkdir()
    shutil.copy(policy_files.SHIPPED_POLICY_DIR / "surrey.yaml", folder / "surrey.yaml")
    return folder


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def _validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each call of load_policy from now on, by authority (the policy is still loaded)."""
    calls: list[str] = []
    load = policy_files.load_policy

    def counted(name: str, directory: Path | None = None) -> object:
        calls.append(name)
        return load(name, directory)

    monkeypatch.setattr(policy_files, "load_policy", counted)
    return calls


def test_a_file_validated_once_is_named_from_the_cache_the_next_time(
        policies: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first read validates and writes home/cache; the second validates nothing."""
    calls = _validations(monkeypatch)
    assert policy_header("surrey", policies, home) == SURREY
    assert (home / CACHE_FILE).is_file()
    assert policy_header("surrey", policies, home) == SURREY
    assert calls == ["surrey"]


def test_a_file_changed_since_it_validated_is_validated_again_and_refused(
        policies: Path, home: Path) -> None:
    """A cached file edited into a lint error (a cadence of 0 weeks, the same size) fails as
    it always did, in the next process (here: load_policy's own per-process memory cleared)."""
    assert policy_header("surrey", policies, home) == SURREY
    path = policies / "surrey.yaml"
    text = path.read_text(encoding="utf-8")
    assert "every: {weeks: 4}" in text
    path.write_text(text.replace("every: {weeks: 4}", "every: {weeks: 0}", 1), encoding="utf-8")
    policy_files._load_current.cache_clear()
    with pytest.raises(PolicyError, match="qualified_social_worker: every is 0"):
        policy_header("surrey", policies, home)


def test_the_cache_of_other_code_is_not_trusted(
        policies: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same file under a different code fingerprint is validated again."""
    assert policy_header("surrey", policies, home) == SURREY
    calls = _validations(monkeypatch)
    monkeypatch.setattr(header_module, "code_fingerprint", lambda: ["another version"])
    assert policy_header("surrey", policies, home) == SURREY
    assert calls == ["surrey"]


def test_an_unreadable_cache_is_ignored_and_written_again(
        policies: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache cut short (not JSON) is a miss, then a good cache again."""
    (home / CACHE_FILE).parent.mkdir()
    (home / CACHE_FILE).write_text('{"cut', encoding="utf-8")
    calls = _validations(monkeypatch)
    assert policy_header("surrey", policies, home) == SURREY
    assert policy_header("surrey", policies, home) == SURREY
    assert calls == ["surrey"]


def test_without_a_home_folder_the_policy_is_validated_and_nothing_is_created(
        policies: Path, tmp_path: Path) -> None:
    """A read creates no folder: with no home, every read validates the file."""
    missing = tmp_path / "nowhere"
    assert policy_header("surrey", policies, missing) == SURREY
    assert not missing.exists()


def test_an_authority_with_no_file_is_refused_as_load_policy_refuses_it(
        policies: Path, home: Path) -> None:
    """No nowhere.yaml in any place: the same PolicyError, and no cache entry."""
    with pytest.raises(PolicyError, match="no such policy file"):
        policy_header("nowhere", policies, home)
    assert not (home / CACHE_FILE).exists()
