"""Whether a Prefect server is configured, read as Prefect reads it but without importing it:
the environment first, then the active profile of the profiles file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ASK = "from oversight.adapters.cli.serverless import prefect_server; print(prefect_server())"


def configured(tmp_path: Path, profiles: str | None, **env: str) -> str:
    """What a fresh process (Prefect not imported) finds, with this profiles file."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    path = tmp_path / "profiles.toml"
    if profiles is not None:
        path.write_text(profiles, encoding="utf-8")
    clean.update(PREFECT_PROFILES_PATH=str(path), **env)
    done = subprocess.run([sys.executable, "-c", ASK], env=clean, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout.strip()


def test_no_url_anywhere_is_no_server(tmp_path: Path):
    """No PREFECT_API_URL and no profiles file: None, so the commands run without Prefect."""
    assert configured(tmp_path, None) == "None"


def test_the_active_profile_names_the_server(tmp_path: Path):
    """`prefect profile use local` with an API URL there: that URL."""
    profiles = ('active = "local"\n[profiles.ephemeral]\n[profiles.local]\n'
                'PREFECT_API_URL = "http://127.0.0.1:4200/api"\n')
    assert configured(tmp_path, profiles) == "http://127.0.0.1:4200/api"


def test_the_environment_wins_and_another_active_profile_has_none(tmp_path: Path):
    """PREFECT_API_URL in the environment is the answer; a profile without one is None."""
    profiles = 'active = "ephemeral"\n[profiles.ephemeral]\n[profiles.local]\n' \
               'PREFECT_API_URL = "http://127.0.0.1:4200/api"\n'
    assert configured(tmp_path, profiles) == "None"
    assert configured(tmp_path, profiles, PREFECT_API_URL="http://prefect:4200/api") == \
        "http://prefect:4200/api"
    assert configured(tmp_path, profiles, PREFECT_PROFILE="local") == "http://127.0.0.1:4200/api"
