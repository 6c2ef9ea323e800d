"""schemathesis against ``oversight api`` with each role's token in turn: generated requests on
every operation, and no answer is a server error or outside the document."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from oversight.workflows.bootstrap import App
from tests.e2e.api_server import CliServer
from tests.security.conftest import ROLE_PEOPLE

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance")

pytestmark = pytest.mark.slow


def test_no_role_meets_a_server_error_or_an_undocumented_answer(
        teams: App, secrets: dict[str, str], tmp_path: Path) -> None:
    """Each of the eight roles: 5 generated examples an operation, fixed seed, one server."""
    failures = {}
    with CliServer(teams.settings.home) as served:
        for role in ROLE_PEOPLE:
            run = subprocess.run(
                [str(SCHEMATHESIS), "run", f"{served.url}/openapi.json",
                 "--header", f"Authorization: Bearer {secrets[role]}",
                 "--checks", ",".join(CHECKS), "--phases", "examples,fuzzing",
                 "--max-examples", "5", "--seed", "14", "--generation-database", "none",
                 "--workers", "1", "--request-timeout", "30", "--no-color"],
                capture_output=True, text=True, timeout=400, cwd=tmp_path)
            if run.returncode != 0:
                failures[role] = run.stdout[-2500:]
    assert failures == {}
