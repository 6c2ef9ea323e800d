"""Path traversal: no file argument, path parameter or setting reaches a file it should not.

The API and the dashboard never map a request to a file; the command line writes only where it
is told, never over an existing file when the export is personal data, and reads only the file
named; the files adapter writes inside its folder (its prefix is an identifier).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oversight.workflows.bootstrap import App
from oversight.workflows.delivery.settings import SettingsInvalid
from oversight.workflows.settings import Settings
from tests.security.conftest import bearer

TRAVERSALS = ["..%2F..%2F..%2Fetc%2Fpasswd", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
              "....%2F%2F....%2F%2Fetc%2Fpasswd", "%252e%252e%252fetc%252fpasswd"]
PASSWD = "root:x:0:0"


@pytest.mark.parametrize("probe", TRAVERSALS)
def test_no_path_parameter_of_the_api_or_the_dashboard_reads_a_file(
        api: TestClient, secrets: dict[str, str], probe: str) -> None:
    """Every route with a path parameter, given a traversal: a problem or a page, never the
    file, never a server error."""
    admin = bearer(secrets["admin"])
    for path in (f"/v1/entities/relationship/{probe}", f"/v1/entities/{probe}/x/history",
                 f"/v1/tasks/{probe}", f"/v1/people/{probe}/calendar.ics", f"/v1/asye/{probe}",
                 f"/v1/subject-access/{probe}", f"/tasks/{probe}", f"/asye/{probe}",
                 f"/{probe}", f"/dashboard.css/{probe}"):
        answer = api.get(path, headers=admin)
        assert answer.status_code < 500 and PASSWD not in answer.text, (path, answer.text)


def _oversight(app: App, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    env.update(OVERSIGHT_HOME=str(app.settings.home))
    return subprocess.run([str(Path(sys.executable).parent / "oversight"), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_subject_access_export_never_overwrites_a_file_nor_writes_outside_a_folder(
        teams: App, tmp_path: Path) -> None:
    """``--out`` naming an existing file (``../`` or not) or a missing folder: one line,
    exit 1, the file unchanged."""
    kept = tmp_path / "kept.txt"
    kept.write_text("mine\n", encoding="utf-8")
    sneaky = tmp_path / "sub" / ".." / "kept.txt"
    (tmp_path / "sub").mkdir()
    for target, says in ((kept, "exists"), (sneaky, "exists"),
                         (tmp_path / "missing" / "x.json", "does not exist")):
        run = _oversight(teams, "subject-access", "sw1", "--out", str(target))
        assert run.returncode == 1 and says in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    assert kept.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("args", [
    ("import", "staff", "../../../../etc/shadow-not-there.csv"),
    ("report", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "csv",
     "--out", "/nonexistent-folder/../../x.csv"),
    ("calendar", "sw1", "--out", "/nonexistent-folder/x.ics"),
    ("simulate", "../../../../etc/passwd"),
    ("policy", "lint", "/etc/passwd"),
])
def test_a_file_argument_naming_somewhere_else_is_one_line_and_no_contents(
        teams: App, args: tuple[str, ...]) -> None:
    """A file that is not there or not ours: exit 1 with the reason (``policy lint`` reports
    it as a finding), no traceback and none of /etc/passwd's contents."""
    run = _oversight(teams, *args)
    assert run.returncode == 1, run.stdout
    assert "Traceback" not in run.stderr and PASSWD not in run.stderr + run.stdout
    assert "error" in (run.stderr + run.stdout).lower()


def test_the_files_adapters_prefix_cannot_climb_out_of_its_folder(tmp_path: Path) -> None:
    """``prefix: ../escape`` is refused when the settings are read: nothing is written."""
    with pytest.raises((SettingsInvalid, ValueError)):
        Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}", receivers={
            "lcs": {"adapter": "files", "directory": str(tmp_path / "out"),
                    "prefix": "../escape"}})
    assert not (tmp_path / "escape").exists()
