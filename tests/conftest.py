"""Fixtures for every test folder: a private Prefect home, and one Prefect test harness.

``PREFECT_HOME`` is set here, before anything imports Prefect, so no test touches the
developer's ``~/.prefect`` (profiles, local storage, the temporary server's database). The
harness (a throwaway Prefect server) starts once per session, and only for the tests that ask
for it: the unit tests never start Prefect.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="oversight-tests-prefect-")
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# The harness server logs harmless cancellations as it stops at the end of the session.
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One throwaway Prefect server for the whole session; flow runs skip their heartbeats."""
    from prefect.testing.utilities import prefect_test_harness

    from oversight.workflows.simulation import without_heartbeat

    with prefect_test_harness(server_startup_timeout=60), without_heartbeat():
        yield


@pytest.fixture(scope="session", autouse=True)
def _store_templates() -> Iterator[None]:
    """The migrated templates this process made (tests/store_templates.py) go at the end."""
    yield
    from tests.store_templates import TEMPLATES

    TEMPLATES.close()
