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
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

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


# ----- today --------------------------------------------------------------------------------
# A test that depends on today's date asks for `today` (and is marked `today` by that alone, so
# `pytest -m today` runs them all): OVERSIGHT_TEST_TODAY=YYYY-MM-DD runs them as if that were
# today; without it, today is the real date in Europe/London (docs/clock.md).


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "today" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.today)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Iterator[date]:
    """Today (Europe/London), as OVERSIGHT_TEST_TODAY sets it: the clock of this process is
    frozen at noon UTC that day (freezegun; it ticks on from there) and OVERSIGHT_CLOCK says
    the same to the processes a test starts on its scratch store."""
    import freezegun

    setting = os.environ.get("OVERSIGHT_TEST_TODAY")
    day = (date.fromisoformat(setting) if setting
           else datetime.now(ZoneInfo("Europe/London")).date())
    noon = datetime.combine(day, time(12), tzinfo=UTC)  # the same day in London, GMT or BST
    monkeypatch.setenv("OVERSIGHT_CLOCK", noon.isoformat())
    with freezegun.freeze_time(noon, tick=True):
        yield day
