"""Fixtures for every test folder: a private Prefect home, one Prefect test harness, and the
migrated store templates' clean-up (docs/testing.md describes them all).

``PREFECT_HOME`` is set here, before anything imports Prefect, so no test touches the
developer's ``~/.prefect`` (profiles, local storage, the temporary server's database). It is a
new folder per process, so each ``xdist`` worker has its own. The harness (a throwaway Prefect
server) starts once per process, and only for the tests that ask for it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
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
# A pytest-xdist worker starts with COLUMNS=80 and LINES=24 in its environment, which a plain
# pytest run does not have: the CLI's console would wrap its tables at 80 columns instead of the
# 200 it uses on a pipe (adapters/cli/console.py), and cut the rule names the tests look for.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)


# Fixtures made once for a whole module (or class, or package): the tests that use one run
# together on one worker, so it is still made once.
_SHARED_SCOPES = {"module", "class", "package"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Where and when each test runs under ``pytest -n N --dist loadgroup
    --no-loadscope-reorder`` (``make test``): every test that runs a flow on the one worker
    that starts the Prefect harness, the tests of a module that share a module-scoped fixture
    (a wheel built, a year simulated) together so it is made once, every other test on
    whichever worker is free. The flow tests go first, then the ``slow`` ones (minutes of
    subprocesses under load), then the rest in file order: a long test started last would
    leave one worker idle while the other finishes it (without ``xdist`` the marks change
    nothing, and only the order moves). And every test that asks for ``today`` is marked
    ``today`` (see below)."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "prefect_harness" in fixtures:
            item.add_marker(pytest.mark.xdist_group("prefect"))
        elif _shares_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.partition("::")[0]))
        if "today" in fixtures:
            item.add_marker(pytest.mark.today)
    items.sort(key=lambda item: ("prefect_harness" not in getattr(item, "fixturenames", ()),
                                 item.get_closest_marker("slow") is None))


def _shares_a_module_fixture(item: pytest.Item) -> bool:
    """Whether this test uses a fixture made once for more than one test (but the session's,
    which each worker makes for itself anyway)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(definition.scope in _SHARED_SCOPES
               for definitions in info.name2fixturedefs.values() for definition in definitions)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One throwaway Prefect server for this process, started by the first test that runs a
    flow (39 s under load), kept to the end; flow runs skip their heartbeats.

    Only the tests that run a flow ask for it, by name or with
    ``@pytest.mark.usefixtures("prefect_harness")``; the others run with no server configured
    (:func:`_no_prefect_server_unless_asked`)."""
    from prefect.testing.utilities import prefect_test_harness

    from oversight.workflows.simulation.runs import without_heartbeat

    # Two minutes to start: on a loaded machine its first start (migrating its own database)
    # has taken more than the 60 s this allowed before.
    with prefect_test_harness(server_startup_timeout=120), without_heartbeat():
        yield


# ----- today --------------------------------------------------------------------------------
# A test that depends on today's date asks for `today` (and is marked `today` by that alone, so
# `pytest -m today` runs them all): OVERSIGHT_TEST_TODAY=YYYY-MM-DD runs them as if that were
# today; without it, today is the real date in Europe/London (docs/clock.md).


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
    # pytest's own timer (--durations) keeps the real clock: freezegun's default list names
    # "_pytest.runner." with a dot, which the module "_pytest.runner" itself never matches.
    with freezegun.freeze_time(noon, tick=True, ignore=["_pytest.runner", "_pytest.timing"]):
        yield day


@pytest.fixture(autouse=True)
def _no_prefect_server_unless_asked(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that did not ask for the harness sees no Prefect server even after one started
    for an earlier test in this process: ``oversight sweep`` and the rest then take their
    serverless path whatever ran before (with ``xdist``, what ran before varies)."""
    prefect_settings = sys.modules.get("prefect.settings")
    if "prefect_harness" in request.fixturenames or prefect_settings is None \
            or not prefect_settings.PREFECT_API_URL.value():
        yield
        return
    setting = prefect_settings.PREFECT_API_URL
    with prefect_settings.temporary_settings(restore_defaults={setting}):
        yield


@pytest.fixture(scope="session", autouse=True)
def _store_templates() -> Iterator[None]:
    """The migrated templates this process made (tests/store_templates.py) go at the end."""
    yield
    from tests.store_templates import TEMPLATES

    TEMPLATES.close()
