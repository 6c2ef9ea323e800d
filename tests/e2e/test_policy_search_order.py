"""Where policies are found: --policy-dir / OVERSIGHT_POLICY_DIR, ./config/policies, shipped.

Each folder here holds a copy of a shipped policy under a version of its own, so which file won
shows in the version a command reports.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oversight.adapters.policy_files import SHIPPED_POLICY_DIR
from tests.e2e.conftest import Invoke, json_of


def copy_as_version(authority: str, folder: Path, version: str) -> Path:
    """The shipped policy of ``authority`` in ``folder``, claiming to be ``version``."""
    text = (SHIPPED_POLICY_DIR / f"{authority}.yaml").read_text(encoding="utf-8")
    lines = [f'version: "{version}"' if line.startswith("version:") else line
             for line in text.splitlines()]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{authority}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, away from the checkout's own config/policies."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_policy_list_says_where_each_authority_came_from(
        home: Path, elsewhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        oversight: Invoke):
    """surrey from OVERSIGHT_POLICY_DIR, hull from ./config/policies, the rest shipped."""
    mine = tmp_path / "mine"
    copy_as_version("surrey", mine, "2099-01")
    copy_as_version("hull", elsewhere / "config" / "policies", "2098-01")
    monkeypatch.setenv("OVERSIGHT_POLICY_DIR", str(mine))

    listed = json_of(oversight("policy", "list", "--json"))

    assert [place["origin"] for place in listed["search_order"]] == [
        "--policy-dir", "./config/policies", "shipped"]
    found = {p["authority"]: p for p in listed["policies"]}
    assert (found["surrey"]["origin"], found["surrey"]["current"]) == ("--policy-dir", "2099-01")
    assert found["surrey"]["file"] == str(mine / "surrey.yaml")
    assert (found["hull"]["origin"], found["hull"]["current"]) == ("./config/policies", "2098-01")
    shipped = {p.stem for p in SHIPPED_POLICY_DIR.glob("*.yaml")} - {"surrey", "hull"}
    assert shipped and all(found[name]["origin"] == "shipped" for name in shipped)
    assert set(found) == shipped | {"surrey", "hull"}


def test_the_policy_dir_option_wins_over_the_working_folders_policies(
        home: Path, elsewhere: Path, tmp_path: Path, oversight: Invoke):
    """``--policy-dir`` has hull 2097-01, ./config/policies hull 2098-01: init runs 2097-01."""
    copy_as_version("hull", elsewhere / "config" / "policies", "2098-01")
    copy_as_version("hull", tmp_path / "given", "2097-01")

    ready = oversight("--policy-dir", str(tmp_path / "given"), "init", "--policy", "hull")

    assert ready.exit_code == 0, ready.stderr
    assert "policy version 2097-01" in ready.stdout


def test_a_name_found_nowhere_is_one_line_naming_the_folders_looked_in(
        home: Path, elsewhere: Path, oversight: Invoke):
    """``init --policy atlantis``: one line, the folders searched, `oversight policy list`."""
    refused = oversight("init", "--policy", "atlantis")

    assert refused.exit_code == 1
    assert refused.stderr.count("\n") == 1
    assert "no such policy file" in refused.stderr and str(SHIPPED_POLICY_DIR) in refused.stderr
    assert "oversight policy list" in refused.stderr
