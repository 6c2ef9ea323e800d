"""Loose edges: a policy that lint calls an error never runs, an unsupported database is one
line, and a command asked for JSON fails in JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from oversight.adapters.policy_files import policy_path

OVERSIGHT = str(Path(sys.executable).parent / "oversight")


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    return subprocess.run([OVERSIGHT, *args], env={**clean, **env}, capture_output=True,
                          text=True, timeout=120)


def test_init_refuses_a_policy_that_lint_calls_an_error(tmp_path: Path) -> None:
    """Surrey's file with one cadence ``every: {weeks: 0}``: init exits 1 naming the key and
    creates no store; ``policy lint`` reports the same rule as an error."""
    folder = tmp_path / "policies"
    folder.mkdir()
    text = policy_path("surrey").read_text(encoding="utf-8")
    assert text.count("every: {weeks: 4}") >= 1
    (folder / "surrey.yaml").write_text(text.replace("every: {weeks: 4}", "every: {weeks: 0}",
                                                     1), encoding="utf-8")
    home = tmp_path / "home"
    run = _run("--policy-dir", str(folder), "init", "--policy", "surrey",
               OVERSIGHT_HOME=str(home))
    assert run.returncode == 1
    assert "every is 0: a recurring obligation would fall due again the day it is met" in \
        run.stderr
    assert not (home / "oversight.db").exists()
    lint = _run("--policy-dir", str(folder), "policy", "lint", "surrey", "--json",
                OVERSIGHT_HOME=str(home))
    assert lint.returncode == 1 and '"severity": "error"' in lint.stdout


@pytest.mark.parametrize("url", ["mysql://user:secret@db.example/oversight",
                                 "oracle+cx_oracle://u:p@h/x", "mssql://h/x"])
def test_an_unsupported_database_url_is_one_line_naming_the_supported_ones(
        tmp_path: Path, url: str) -> None:
    """No traceback, no password echoed: one line, exit 1."""
    run = _run("status", OVERSIGHT_HOME=str(tmp_path), OVERSIGHT_DATABASE_URL=url)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "secret" not in run.stderr
    assert "not supported; use sqlite:///PATH or postgresql://" in lines[0]


def test_a_command_asked_for_json_fails_in_json(tmp_path: Path) -> None:
    """``event … --json`` with an unknown type, and a usage error: JSON on stdout, exit 1."""
    home = tmp_path / "home"
    assert _run("init", "--policy", "surrey", OVERSIGHT_HOME=str(home)).returncode == 0
    bad = _run("event", json.dumps({"type": "nope", "on": "2026-01-05"}), "--json",
               OVERSIGHT_HOME=str(home))
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["error"].startswith("unknown event type 'nope'")
    usage = _run("tasks", "--json", "--no-such-flag", OVERSIGHT_HOME=str(home))
    assert usage.returncode == 1 and "No such option" in json.loads(usage.stdout)["error"]
    shutil.rmtree(home, ignore_errors=True)
