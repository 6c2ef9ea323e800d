"""The deployment on a real Prefect server: `prefect server start`, a process work pool, the
deployments of prefect.yaml (by `oversight deploy`), a worker, and a sweep run through them.

Everything runs on loopback with its own PREFECT_HOME under the test's folder; the store is a
SQLite file the worker's flow runs reach through OVERSIGHT_DATABASE_URL. The server, the worker
and their children are stopped at the end whatever happens.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from oversight.workflows.bootstrap import open_app
from oversight.workflows.settings import Settings
from tests.integration import team
from tests.integration.helpers import due_ids, rows

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group (the worker's flow runs, the server's uvicorn), then SIGKILL."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@pytest.fixture
def prefect_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A Prefect server on a free loopback port, its own home; skipped if it cannot start."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OVERSIGHT_"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false",
               PREFECT_LOGGING_LEVEL="WARNING", PREFECT_WORKER_QUERY_SECONDS="1",
               PREFECT_WORKER_PREFETCH_SECONDS="1", PYTHONPATH=str(REPO))
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host",
                               "127.0.0.1", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.skip("`prefect server start` did not come up on loopback within 60 s: "
                            + (tmp_path / "server.log").read_text(errors="replace")[-500:])
            time.sleep(0.5)
        yield env
    finally:
        _stop(server)
        log.close()


def _run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(args), cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args[:5])} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_a_sweep_deployment_run_by_a_worker_fires_the_due_timers_of_the_store(
        prefect_env: dict[str, str], tmp_path: Path) -> None:
    """`oversight deploy` registers prefect.yaml's deployments; a process worker runs a sweep
    triggered with `prefect deployment run`, and the store's due timers are fired once."""
    store = tmp_path / "store.db"
    url = f"sqlite:///{store}"
    env = {**prefect_env, "OVERSIGHT_DATABASE_URL": url, "OVERSIGHT_HOME": str(tmp_path)}
    _run(env, sys.executable, "-m", "tests.integration.worker", "seed", url, "--workers", "6",
         "--asyes", "1")
    due = len(due_ids(open_app(Settings(home=tmp_path, database_url=url)), team.YEAR_END))
    assert due > 30

    deployed = _run(env, str(Path(sys.executable).with_name("oversight")), "deploy", "--json")
    assert "sweep/oversight-sweep" in deployed.stdout
    listed = _run(env, sys.executable, "-m", "prefect", "deployment", "ls")
    assert "oversight-sweep" in listed.stdout and "oversight-dispatch" in listed.stdout

    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool",
                               "oversight", "--type", "process"], cwd=tmp_path, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        run = _run(env, sys.executable, "-m", "prefect", "deployment", "run",
                   "sweep/oversight-sweep", "--param", f"as_of={team.YEAR_END.isoformat()}",
                   "--watch", "--watch-timeout", "90", timeout=120)
        assert "Completed" in run.stdout, run.stdout
    finally:
        _stop(worker)
        log.close()

    app = open_app(Settings(home=tmp_path, database_url=url))
    assert due_ids(app, team.YEAR_END) == []
    fired = [a for a in rows(app.engine, "audit") if a["cause"].startswith("timer:")]
    assert len(fired) >= due
    assert any(t["state"] == "escalated" for t in rows(app.engine, "tasks"))
