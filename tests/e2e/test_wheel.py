"""The wheel, installed (not editable) in a fresh virtualenv, runs from an empty folder elsewhere.

The wheel is built from a copy of the working tree, so the test sees what a clone would ship.
To spare downloading every dependency again, the virtualenv finds the test environment's
site-packages through a ``.pth`` line: a path in a ``.pth`` file is only added to ``sys.path``,
the ``.pth`` files inside it (the editable install's import hook among them) are not run, so
``oversight`` itself can only come from the wheel, which the test checks first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", ".oversight", "*.egg-info",
                                    "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
                                    ".hypothesis", "tests", "bench")

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the wheel of this tree installed in it; its ``bin`` folder."""
    work = tmp_path_factory.mktemp("wheel")
    source, wheels, venv = work / "source", work / "wheels", work / "venv"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE, symlinks=True)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
        "--wheel-dir", wheels, source, cwd=work)
    (wheel,) = wheels.glob("oversight-*.whl")
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    site = Path(run(venv / "bin" / "python", "-c", "import sysconfig; "
                    "print(sysconfig.get_paths()['purelib'])", cwd=work).stdout.strip())
    # The dependencies, from this environment; added after the virtualenv's own site-packages.
    (site / "test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n",
                                               encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--no-deps",
        "--quiet", wheel, cwd=work)
    return venv / "bin"


def clean_environment(home: Path) -> dict[str, str]:
    """The environment of a person who has just installed oversight: nothing of this repo's."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("OVERSIGHT_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), PREFECT_HOME=str(home / "prefect"),
               PREFECT_LOGGING_LEVEL="ERROR")
    import prefect.settings

    # Flow runs go to the session's Prefect test server instead of a temporary one of their own.
    url = prefect.settings.PREFECT_API_URL.value()
    if url:
        env["PREFECT_API_URL"] = url
    return env


def test_the_installed_package_comes_from_the_wheel_not_from_the_repository(installed: Path,
                                                                            tmp_path: Path):
    """``oversight`` imports from the virtualenv's site-packages, never from this checkout."""
    found = run(installed / "python", "-c", "import oversight.states, oversight.config, json; "
                "print(json.dumps([list(oversight.__path__), oversight.config.__file__]))",
                cwd=tmp_path, env=clean_environment(tmp_path))
    paths, config = json.loads(found.stdout)
    venv = str(installed.parent)
    assert all(path.startswith(venv) for path in paths) and paths, paths
    assert config.startswith(venv) and not config.startswith(str(REPO))


def test_init_policy_list_and_simulate_work_from_an_empty_folder(installed: Path, tmp_path: Path):
    """From an empty folder: ``init --policy hull``, ``policy list``, ``simulate example``."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    env = clean_environment(tmp_path)
    oversight = installed / "oversight"
    started = time.perf_counter()

    ready = run(oversight, "init", "--policy", "hull", cwd=folder, env=env)
    assert "Hull" in ready.stdout and (folder / ".oversight" / "oversight.db").is_file()

    listed = json.loads(run(oversight, "policy", "list", "--json", cwd=folder, env=env).stdout)
    assert [place["origin"] for place in listed["search_order"]] == ["shipped"]
    venv = str(installed.parent)
    assert listed["policies"] and all(p["origin"] == "shipped" and p["file"].startswith(venv)
                                      and p["versions"] for p in listed["policies"])
    assert "hull" in [p["authority"] for p in listed["policies"]]

    simulated = json.loads(run(oversight, "simulate", "example", "--json", cwd=folder, env=env,
                               timeout=600).stdout)
    assert simulated["tasks"] and simulated["transitions"]
    print(f"installed oversight: init, policy list and simulate in "
          f"{time.perf_counter() - started:.1f} s")
