"""The dashboard's session, CSRF and headers in headless Chromium (Debian's, via chromedriver),
served by uvicorn on loopback over the two teams' store.

A page of another origin (another loopback port) posts a sign-in form to the dashboard, as a
login-CSRF attack would: the dashboard refuses it and opens no session.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from oversight.adapters.store import credentials
from oversight.adapters.web.server import Running, dashboard_app, start_in_thread
from oversight.adapters.web.sessions import Dashboard
from oversight.workflows.bootstrap import App
from tests.chromium import NEEDS_CHROMIUM, headless_chromium

pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture
def served(teams: App) -> Iterator[tuple[Running, str]]:
    """The dashboard on loopback, and a live manager token for tm1."""
    with teams.engine.begin() as connection:
        _, secret = credentials.create_token(connection, role="manager", person="tm1",
                                             now=datetime.now(UTC))
    running = start_in_thread(dashboard_app(Dashboard.of(teams)))
    yield running, secret
    running.stop()


@pytest.fixture
def attacker(served: tuple[Running, str]) -> Iterator[str]:
    """Another origin serving a page that posts the manager's token to the dashboard's
    sign-in as soon as it loads."""
    target, secret = served[0].url, served[1]
    page = (f'<!doctype html><title>win a prize</title><form id="f" method="post" '
            f'action="{target}/login"><input name="token" value="{secret}">'
            f'<input name="next" value="/tasks"></form>'
            f'<script>document.getElementById("f").submit()</script>').encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    with headless_chromium(tmp_path / "chromium-profile", window="1280,1200") as driver:
        yield driver


def _sign_in(browser, base: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{base}/login?next=/tasks")
    browser.find_element(By.ID, "token").send_keys(secret)
    browser.find_element(By.ID, "sign-in").click()
    WebDriverWait(browser, 15).until(lambda driver: "/login" not in driver.current_url)


def test_the_session_cookie_is_http_only_strict_and_holds_no_token(
        served: tuple[Running, str], browser) -> None:  # type: ignore[no-untyped-def]
    """Signed in: the cookie is HttpOnly, SameSite=Strict, not Secure on loopback, a random id
    (not the token); page scripts see no cookie; the stylesheet loads under the CSP."""
    running, secret = served
    _sign_in(browser, running.url, secret)
    cookie = browser.get_cookie("oversight_session")
    assert cookie is not None and cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict" and cookie["secure"] is False
    assert cookie["value"] != secret and len(cookie["value"]) >= 40
    assert browser.execute_script("return document.cookie") == ""
    header = browser.execute_script(
        "return getComputedStyle(document.querySelector('header')).backgroundColor")
    assert header == "rgb(11, 46, 79)"


def test_a_sign_in_posted_from_another_origin_is_refused(
        served: tuple[Running, str], attacker: str, browser) -> None:  # type: ignore[no-untyped-def]
    """The attacker's page submits the form: "Sign in again", and no session cookie."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    running, _ = served
    browser.get(attacker)
    WebDriverWait(browser, 15).until(lambda driver: driver.current_url.startswith(running.url))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in again"
    browser.get(f"{running.url}/login")
    assert browser.get_cookie("oversight_session") is None


def test_signing_out_in_the_browser_ends_the_session(
        served: tuple[Running, str], browser) -> None:  # type: ignore[no-untyped-def]
    """Sign out (the form carries the CSRF value): back at sign-in; the task page asks again."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    running, secret = served
    _sign_in(browser, running.url, secret)
    browser.find_element(By.CSS_SELECTOR, "header form button").click()
    # The click only starts the navigation: wait for the page it leads to (or time out).
    WebDriverWait(browser, 15).until(lambda b: "/login" in b.current_url)
    assert browser.current_url.startswith(f"{running.url}/login")
    browser.get(f"{running.url}/tasks")
    assert browser.current_url.startswith(f"{running.url}/login")


def test_the_pages_refuse_to_be_framed_and_send_no_referrer(served: tuple[Running, str]) -> None:
    """The headers the browser enforces, as served by uvicorn."""
    answer = httpx.get(f"{served[0].url}/login", timeout=30)
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"
