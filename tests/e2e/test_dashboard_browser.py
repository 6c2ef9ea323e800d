"""The dashboard in a real browser: Debian's headless Chromium, driven by chromedriver through
Selenium, over a simulated year of the Surrey team (``config/scenarios/surrey-team.yaml``).

The dashboard is served on loopback; the test signs in with a manager's token, opens the team
page and an ASYE page, checks the figures shown against the API's answers for the same period,
and saves screenshots under the test's temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from oversight.adapters.store import credentials
from oversight.adapters.web.pages import Dashboard
from oversight.adapters.web.server import Running, dashboard_app, start_in_thread
from oversight.workflows.bootstrap import open_app
from oversight.workflows.settings import Settings
from oversight.workflows.simulation.runs import simulate
from tests.chromium import NEEDS_CHROMIUM, headless_chromium
from tests.e2e.conftest import TEAM

TOKENS = {"manager-token": ("manager", "tm1"), "nq1-token": ("supervisee", "nq1")}
SECRETS: dict[str, str] = {}
"""Name in TOKENS → the secret of the store token made for it (the ``served`` fixture)."""
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}

pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture(scope="module")
def year_store(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """The surrey-team scenario simulated through the real engine into a SQLite file."""
    folder = tmp_path_factory.mktemp("year")
    simulate(TEAM, store=folder / "year.db", home=folder)
    return folder / "year.db"


@pytest.fixture(scope="module")
def served(year_store: Path) -> Iterator[Running]:
    from datetime import UTC, datetime

    ready = open_app(Settings(home=year_store.parent, database_url=f"sqlite:///{year_store}"))
    with ready.engine.begin() as connection:
        for name, (role, person) in TOKENS.items():
            SECRETS[name] = credentials.create_token(connection, role=role, person=person,
                                                     now=datetime.now(UTC))[1]
    running = start_in_thread(dashboard_app(Dashboard.of(ready)))
    yield running
    running.stop()
    ready.engine.dispose()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    with headless_chromium(tmp_path / "chromium-profile") as driver:
        yield driver


def sign_in(browser, base: str, token: str) -> None:  # type: ignore[no-untyped-def]
    """Type the token into the login form, submit it, and wait for the page it leads to."""
    from selenium.webdriver.common.by import By

    browser.get(f"{base}/login")
    browser.find_element(By.ID, "token").send_keys(SECRETS.get(token, token))
    browser.find_element(By.ID, "sign-in").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 15).until(lambda driver: "/login" not in driver.current_url)


def api(base: str, path: str, token: str, **params: str) -> object:
    answer = httpx.get(f"{base}{path}", params=params,
                       headers={"Authorization": f"Bearer {SECRETS.get(token, token)}"},
                       timeout=30)
    answer.raise_for_status()
    return answer.json()


def test_a_manager_signs_in_and_sees_the_teams_figures_and_an_asye_as_the_api_gives_them(
        served: Running, browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Team page: each category's due, on time, breached and share equal /v1/compliance's;
    nq2's page: sessions met, missed dates and the final date equal /v1/asye/nq2's."""
    from selenium.webdriver.common.by import By

    base = served.url
    sign_in(browser, base, "manager-token")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Supervision oversight"
    cookie = browser.get_cookie("oversight_session")
    assert cookie["httpOnly"] is True and cookie["value"] != SECRETS["manager-token"]

    browser.get(f"{base}/team?from={YEAR['from']}&to={YEAR['to']}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Compliance: team of tm1"
    figures = api(base, "/v1/compliance", "manager-token", **YEAR)
    assert figures["totals"]["due"] > 100  # a year of a team: the page has real numbers to show
    for line in figures["categories"]:
        row = browser.find_element(By.CSS_SELECTOR, f'tr[data-category="{line["category"]}"]')
        shown = {cell.get_attribute("class").split()[-1]: cell.text
                 for cell in row.find_elements(By.CSS_SELECTOR, "td.num")}
        expected_share = "—" if line["percent_on_time"] is None else str(line["percent_on_time"])
        assert (shown["due"], shown["on-time"], shown["breached"], shown["percent"]) == (
            str(line["due"]), str(line["on_time"]), str(line["breached"]), expected_share)
    chart = browser.find_element(By.ID, "compliance-trend")
    assert chart.find_element(By.TAG_NAME, "title").get_attribute("textContent").startswith(
        "Share of tasks on time by month")
    assert len(chart.find_elements(By.CSS_SELECTOR, "g.bar")) == 12
    browser.save_screenshot(str(tmp_path / "team.png"))

    browser.get(f"{base}/asye/nq2")
    progress = api(base, "/v1/asye/nq2", "manager-token")
    totals = progress["totals"]
    assert browser.find_element(By.ID, "sessions-on-time").text == (
        f"{totals['held_on_time']} / {totals['required']}")
    assert browser.find_element(By.ID, "gap-count").text == str(totals["gaps"])
    assert browser.find_element(By.ID, "end").text.startswith(progress["end"])
    timeline = browser.find_element(By.ID, "asye-timeline")
    assert len(timeline.find_elements(By.CSS_SELECTOR, ".gap")) == totals["gaps"] > 0
    assert len(timeline.find_elements(By.CSS_SELECTOR, ".held, .late")) == totals["held"]
    browser.save_screenshot(str(tmp_path / "asye-nq2.png"))
    assert (tmp_path / "team.png").stat().st_size > 10_000
    assert (tmp_path / "asye-nq2.png").stat().st_size > 10_000


def test_a_supervisee_in_the_browser_sees_only_their_own_journey(
        served: Running, browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    """nq1 lands on their ASYE; nq2's page says there is no journey they can see."""
    from selenium.webdriver.common.by import By

    base = served.url
    sign_in(browser, base, "nq1-token")
    assert browser.current_url == f"{base}/asye/nq1"
    assert browser.find_element(By.TAG_NAME, "h1").text == "ASYE of nq1"
    browser.get(f"{base}/asye/nq2")
    assert browser.find_element(By.TAG_NAME, "h1").text == "No such journey"
    browser.get(f"{base}/team")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not available"
    browser.get(f"{base}/asye/nq1")
    browser.save_screenshot(str(tmp_path / "asye-nq1.png"))
