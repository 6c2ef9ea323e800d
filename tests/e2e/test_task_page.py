"""The task page: where every task message's ``link`` leads (``/tasks/{id}`` on the dashboard,
served by the API's process too). Signed in, a person allowed to see the task finds what is
due, when, for whom, the rule with its quote, the due date's arithmetic as ``oversight why``
gives it, the history and the messages sent with their delivery state; without a session the
link goes to the sign-in form and back; JSON stays under ``/v1``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest

from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, open_app
from oversight.workflows.settings import Settings
from tests.chromium import NEEDS_CHROMIUM, headless_chromium
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    NOW,
    SEED,
    ApiServer,
    api_store,
    server,
    token,
)

TASK = "assessment:c1:complete"
"""C&F for c1 started Mon 2 Feb 2026: day 35 is Mon 23 Mar 2026 (no holiday in between)."""
QUOTE = "completion of the assessment at day 35"


@pytest.fixture
def linked(api_store: App, server: ApiServer) -> App:  # noqa: F811 - fixtures
    """The two teams' first events, their messages linking to this server, then one dispatch
    (to the embedded JSON Lines file)."""
    from oversight.workflows.delivery.dispatch import Backoff, dispatch
    from oversight.workflows.reads.receivers import close_all

    app = open_app(Settings(home=api_store.settings.home, database_url=api_store.settings.url,
                            link_base=server.url))
    for raw in SEED:
        app.service.record(parse_event(raw), now=NOW)
    deliverers = app.deliverers(run_at=NOW)
    try:
        dispatch(app.deliveries, deliverers=deliverers, routing=app.settings.routing(),
                 backoff=Backoff.from_policy(app.settings.delivery), now=NOW)
    finally:
        close_all(deliverers)
    return app


def _links(app: App) -> dict[str, str]:
    """Each task's link, as its messages carry it (the last message's)."""
    from sqlalchemy import select

    from oversight.adapters.store import tables as t

    with app.engine.connect() as connection:
        return {row.task_id: row.message["data"]["link"] for row in connection.execute(
            select(t.outbox.c.task_id, t.outbox.c.message).order_by(t.outbox.c.seq))}


def _sign_in(http: httpx.Client, secret: str, target: str) -> httpx.Response:
    """The sign-in form as a browser fills it: its CSRF value, the token, where to go next."""
    form = http.get("/login", params={"next": target})
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, form.text
    return http.post("/login", data={"token": secret, "csrf": csrf.group(1), "next": target})


def test_a_messages_link_without_a_session_signs_in_and_comes_back_to_the_task_page(
        linked: App, server: ApiServer) -> None:  # noqa: F811
    """The link is ``<link_base>/tasks/<id>``; unsigned it goes to the sign-in form with
    ``next``, signing in comes back to it, and the page shows the task, the rule, its quote,
    the due date's arithmetic and the delivered messages."""
    link = _links(linked)[TASK]
    assert link == f"{server.url}/tasks/{TASK}"
    path = urlsplit(link).path
    with httpx.Client(base_url=server.url, timeout=30) as http:
        first = http.get(path)
        assert first.status_code == 303
        assert first.headers["location"] == f"/login?next={quote(path, safe='')}"
        signed = _sign_in(http, token(linked, "manager", "tm1"), path)
        assert (signed.status_code, signed.headers["location"]) == (303, path)
        page = http.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "complete assessment, due 2026-03-23" in text
    assert "sw1 (worker)" in text and "child:c1" in text
    assert "surrey §4.1" in text and f"“{QUOTE}”" in text
    assert "Due date: 2026-02-02 + 35 working days = 2026-03-23" in text
    assert re.search(r"<td>\d+</td><td>opened</td><td>jsonl</td><td class=\"\">delivered", text)
    assert "assessment_started" in text  # the history: the event that opened it


def test_the_page_shows_a_due_date_moved_off_a_bank_holiday_as_why_does(
        linked: App, server: ApiServer) -> None:  # noqa: F811
    """sw2's three-month ASYE review: 3 months after Mon 5 Jan 2026 is Sun 5 Apr (Easter
    Sunday); Mon 6 Apr is Easter Monday, so it is due Tue 7 Apr 2026."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        _sign_in(http, token(linked, "manager", "tm1"), "/")
        page = http.get("/tasks/asye:sw2:review:three_month")
    assert page.status_code == 200
    assert ("3 months after Mon 5 Jan 2026 = Sun 5 Apr 2026, moved to Tue 7 Apr 2026 "
            "(weekend, Easter Monday)") in page.text


def test_a_person_who_may_not_see_the_task_finds_no_such_task_and_the_refusal_is_logged(
        linked: App, server: ApiServer) -> None:  # noqa: F811
    """sw3 (tm2's team) cannot see sw1's task: the same answer as a missing task, and the
    access log says refused; the JSON stays at /v1/tasks/{id}."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        _sign_in(http, token(linked, "supervisee", "sw3"), "/")
        refused = http.get(f"/tasks/{TASK}")
        missing = http.get("/tasks/no-such-task")
    assert refused.status_code == missing.status_code == 404
    assert "No such task" in refused.text and "sw1" not in refused.text
    admin = token(linked, "admin")
    with httpx.Client(base_url=server.url, timeout=30,
                      headers={"Authorization": f"Bearer {admin}"}) as http:
        log = http.get("/v1/access-log", params={"target": f"task:{TASK}"}).json()
        one = http.get(f"/v1/tasks/{TASK}")
    assert [(line["person"], line["resource"], line["outcome"]) for line in log] == [
        ("sw3", "dashboard:task", "refused")]
    assert one.status_code == 200 and one.json()["due"] == "2026-03-23"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    with headless_chromium(tmp_path / "chromium-profile") as driver:
        yield driver


@pytest.mark.slow
@NEEDS_CHROMIUM
def test_in_chromium_a_message_link_signs_in_and_shows_the_rule_quote_and_due_date(
        linked: App, server: ApiServer, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811,E501
    """Open the message's link in Chromium: the sign-in form, then the task page with the
    rule, its quote and the due date's arithmetic."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(_links(linked)[TASK])
    WebDriverWait(browser, 15).until(lambda driver: "/login" in driver.current_url)
    browser.find_element(By.ID, "token").send_keys(token(linked, "manager", "tm1"))
    browser.find_element(By.ID, "sign-in").click()
    WebDriverWait(browser, 15).until(lambda driver: "/login" not in driver.current_url)
    assert urlsplit(browser.current_url).path == f"/tasks/{TASK}"
    assert browser.find_element(By.ID, "task-title").text == \
        "complete assessment, due 2026-03-23"
    assert browser.find_element(By.ID, "rule").text == "surrey §4.1 (assessment.completion)"
    assert browser.find_element(By.ID, "quote").text == f"“{QUOTE}”"
    assert "Due date: 2026-02-02 + 35 working days = 2026-03-23" in \
        browser.find_element(By.ID, "why").text
    browser.save_screenshot(str(tmp_path / "task-page.png"))
