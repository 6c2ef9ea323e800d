"""One meaning of *breached*: its deadline passed before it was met, whether or not it was met
later. On one store, the demo's summary, the compliance report, the team page, the tasks
page's filter and ``oversight tasks --breached`` count the same tasks; ``--overdue`` is what is
still not met and past due."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from oversight.adapters.cli.app import app as cli
from oversight.adapters.store import credentials
from oversight.adapters.web.pages import Dashboard
from oversight.adapters.web.server import dashboard_app
from oversight.workflows.bootstrap import App
from oversight.workflows.reads import queries
from oversight.workflows.reads.compliance import Period, compliance, store_today
from tests.integration.test_reports import fill_quarter

LATE = "relationship:tm1:w0:supervision:2"
"""w0's second supervision: due Mon 2 Mar 2026 (4 weeks after the one held Mon 2 Feb), held
Tue 10 Mar: met, but late, so breached."""


@pytest.fixture
def quarter(app: App, today: date, monkeypatch: pytest.MonkeyPatch) -> App:
    """The first quarter of test_reports, read on the `today` fixture's day (its clock is
    frozen: the dashboard, the CLI and the tokens read it)."""
    fill_quarter(app)
    monkeypatch.setenv("OVERSIGHT_DATABASE_URL", app.settings.url)
    return app


def _signed_in(app: App) -> TestClient:
    with app.engine.begin() as connection:
        secret = credentials.create_token(connection, role="admin", person=None,
                                          now=datetime.now(UTC))[1]  # the frozen clock
    client = TestClient(dashboard_app(Dashboard.of(app)),
                        base_url="http://127.0.0.1", follow_redirects=False)
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    assert client.post("/login", data={"token": secret, "csrf": csrf, "next": "/"}
                       ).status_code == 303
    return client


def test_the_summary_the_report_the_team_page_the_tasks_page_and_the_cli_agree(
        quarter: App, today: date) -> None:
    """Judged on the same day (the store's today, the `today` fixture's: the quarter's
    records end in March 2026), every path counts the same breached tasks, and each counts
    w0's supervision met late."""
    assert store_today(quarter.store, datetime.combine(today, time(12), tzinfo=UTC)) == today
    summary = sum(line["breached"] for line in queries.summary_by_rule(
        queries.tasks(quarter.store), as_of=today))
    period = {"from": "2026-01-01", "to": today.isoformat()}
    report = compliance(quarter.store, Period(date(2026, 1, 1), today))["totals"]["breached"]
    listed = CliRunner().invoke(cli, ["tasks", "--breached", "--json"])
    assert listed.exit_code == 0, listed.output
    cli_ids = {task["id"] for task in json.loads(listed.stdout)}

    client = _signed_in(quarter)
    team = client.get("/team", params=period).text
    team_total = int(re.search(  # type: ignore[union-attr]
        r'<tr data-category="all">.*?<td class="num breached">(\d+)</td>', team).group(1))
    tasks_page = client.get("/tasks", params={"state": "breached"}).text
    page_total = int(re.search(r"<caption>(\d+) tasks?", tasks_page).group(1))  # type: ignore[union-attr]

    assert summary == report == len(cli_ids) == team_total == page_total > 0
    assert LATE in cli_ids
    assert re.search(r"closed 2026-03-10 <span class=\"late\">\(late\)</span>", tasks_page)


def test_overdue_is_what_is_still_not_met_and_past_due(quarter: App) -> None:
    """On 31 Mar 2026, w0's late supervision is breached but not overdue (it was met); every
    overdue task is unmet and due before that day."""
    judged = CliRunner().invoke(cli, ["tasks", "--overdue", "--as-of", "2026-03-31", "--json"])
    assert judged.exit_code == 0, judged.output
    overdue = json.loads(judged.stdout)
    assert overdue and all(t["state"] in ("open", "breached", "escalated")
                           and t["due"] < "2026-03-31" for t in overdue)
    assert LATE not in {t["id"] for t in overdue}
    breached = json.loads(CliRunner().invoke(
        cli, ["tasks", "--breached", "--as-of", "2026-03-31", "--json"]).stdout)
    assert LATE in {t["id"] for t in breached}
    assert {t["id"] for t in overdue if t["type"] != "escalation"} <= {t["id"] for t in breached}


def test_the_tasks_page_lists_by_due_date_a_page_at_a_time(
        quarter: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five a page (set so here; 100 by default): every page in due-date order, the pages
    together every task once, with links on to the next and back."""
    from oversight.adapters.web import pages

    monkeypatch.setattr(pages, "TASKS_PER_PAGE", 5)
    client = _signed_in(quarter)
    first = client.get("/tasks").text
    total = int(re.search(r"<caption>(\d+) tasks", first).group(1))  # type: ignore[union-attr]
    count = -(-total // 5)
    assert f"page 1 of {count}" in first and 'rel="next" href="/tasks?page=2"' in first
    seen: list[str] = []
    for number in range(1, count + 1):
        text = client.get("/tasks", params={"page": number}).text
        seen += re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td>", text)
    assert len(seen) == total == len(queries.tasks(quarter.store)) and seen == sorted(seen)
    last = client.get("/tasks", params={"page": count}).text
    assert f'rel="prev" href="/tasks?page={count - 1}"' in last and 'rel="next"' not in last
