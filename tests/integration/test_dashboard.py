"""The dashboard's pages and read endpoints over a real store, through FastAPI's test client:
signing in with a token (a server-side session), what each role may see, and the same numbers on
pages and the API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
from fastapi.testclient import TestClient

from oversight.adapters.store import credentials
from oversight.adapters.web.pages import COOKIE, Dashboard
from oversight.adapters.web.server import dashboard_app
from oversight.workflows.bootstrap import App
from tests.integration.helpers import record
from tests.integration.test_reports import fill_quarter

TOKENS = {"t-a0": ("supervisee", "a0"), "t-tm1": ("manager", "tm1"),
          "t-wf": ("workforce", "wf1"), "t-admin": ("admin", None), "t-sys": ("system", None)}


@pytest.fixture
def store(app: App) -> App:
    """The first quarter of test_reports, and a0's and a1's ASYEs with a0's sessions."""
    fill_quarter(app)
    for worker in ("a0", "a1"):
        record(app, type="asye_enrolled", on="2026-01-05", worker=worker, supervisor="tm1")
    record(app, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="a0")
    for day in ("2026-01-12", "2026-01-19", "2026-02-02"):  # 26 Jan missed
        record(app, type="supervision_held", on=day, supervisor="tm1", supervisee="a0")
    record(app, type="asye_evidence_recorded", on="2026-02-03", worker="a0",
           kind="direct_observation")
    return app


SECRETS: dict[str, str] = {}
"""Name in TOKENS → the secret of the store token made for it (filled by the fixture)."""


@pytest.fixture
def client(store: App, today: date) -> TestClient:
    """The dashboard over the store, on the `today` fixture's clock (frozen: the tokens are
    made on it, and the pages read it)."""
    now = datetime.combine(today, time(12), tzinfo=UTC)
    with store.engine.begin() as connection:
        for name, (role, person) in TOKENS.items():
            SECRETS[name] = credentials.create_token(connection, role=role, person=person,
                                                     now=now)[1]
    board = Dashboard.of(store)
    # Served on loopback, so the cookies are not Secure and plain HTTP carries them.
    return TestClient(dashboard_app(board), base_url="http://127.0.0.1",
                      follow_redirects=False)


def form_csrf(client: TestClient) -> str:
    """The sign-in form's CSRF value (its cookie is kept by the client)."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, token: str) -> None:
    response = client.post("/login", data={"token": SECRETS.get(token, token), "next": "/",
                                           "csrf": form_csrf(client)})
    assert response.status_code == 303, response.text


def test_a_page_without_a_token_sends_the_browser_to_the_login_form(client: TestClient):
    """/team without a cookie: 303 to /login, remembering the page asked for."""
    response = client.get("/team")
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=%2Fteam")
    assert "<label for=\"token\">Access token" in client.get("/login").text


def test_signing_in_opens_a_session_whose_id_alone_is_in_an_http_only_cookie(
        client: TestClient):
    """A valid token: 303 to the page asked for and a session cookie scripts cannot read,
    holding a random id, never the token."""
    response = client.post("/login", data={"token": SECRETS["t-tm1"], "next": "/team",
                                           "csrf": form_csrf(client)})
    assert (response.status_code, response.headers["location"]) == (303, "/team")
    cookie = next(value for value in response.headers.get_list("set-cookie")
                  if value.startswith(f"{COOKIE}="))
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert SECRETS["t-tm1"] not in cookie


def test_a_wrong_token_is_refused_with_a_message_and_no_session(client: TestClient):
    """401, the form again with an alert; no session cookie set."""
    response = client.post("/login", data={"token": "guess", "csrf": form_csrf(client)})
    assert response.status_code == 401
    assert "That token is not valid" in response.text
    assert not [value for value in response.headers.get_list("set-cookie")
                if value.startswith(f"{COOKIE}=")]


def test_a_supervisee_sees_only_their_own_journey(client: TestClient):
    """a0 is sent to their ASYE; a1's page and API entry are 404; the API lists a0 alone."""
    sign_in(client, "t-a0")
    assert client.get("/").headers["location"] == "/asye/a0"
    page = client.get("/asye/a0")
    assert page.status_code == 200 and "ASYE of a0" in page.text
    assert client.get("/asye/a1").status_code == 404
    assert client.get("/v1/asye/a1").status_code == 404
    assert [j["worker"] for j in client.get("/v1/asye").json()] == ["a0"]
    assert client.get("/team").status_code == 403
    assert client.get("/v1/compliance").status_code == 403


def test_the_journey_page_shows_the_progress_the_api_gives(client: TestClient):
    """Sessions met, gaps and evidence on the page are the API's numbers; the timeline is SVG."""
    sign_in(client, "t-admin")
    progress = client.get("/v1/asye/a0").json()
    page = client.get("/asye/a0").text
    totals = progress["totals"]
    assert re.search(rf'id="sessions-on-time">{totals["held_on_time"]} / {totals["required"]}<',
                     page)
    assert f'id="gap-count" class="bad">{totals["gaps"]}<' in page
    assert progress["gaps"][0] == {"due": "2026-01-26", "phase": "weekly"}
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="asye-timeline" role="img"' in page
    assert "<title id=\"asye-timeline-title\">ASYE timeline of a0</title>" in page
    assert page.count('class="gap"') == totals["gaps"]
    assert '<tr data-kind="direct_observation"><th scope="row">direct observations</th>' \
           '<td class="num">1</td>' in page


def test_a_manager_sees_their_teams_figures_and_they_match_the_api(client: TestClient):
    """tm1's team page and /v1/compliance agree for the same period, row by row."""
    sign_in(client, "t-tm1")
    period = {"from": "2026-01-01", "to": "2026-03-31"}
    figures = client.get("/v1/compliance", params=period).json()
    page = client.get("/team", params=period).text
    assert figures["team"]["manager"] == "tm1"
    for line in figures["categories"]:
        row = re.search(rf'<tr data-category="{line["category"]}">(.*?)</tr>', page).group(1)
        cells = re.findall(r'<td class="num (\w[\w-]*)">([^<]*)</td>', row)
        shown = dict(cells)
        assert (int(shown["due"]), int(shown["on-time"]), int(shown["breached"])) == (
            line["due"], line["on_time"], line["breached"])
    assert 'id="compliance-trend" role="img"' in page
    assert client.get("/team", params={**period, "team": "hos1"}).status_code == 403


def test_the_team_page_refuses_a_period_starting_after_today(client: TestClient, today: date,
                                                             app: App):
    """/team?from=<tomorrow>: the 400 page that says the first day may not be after today,
    and no read logged as allowed (tests/e2e/test_future_dates.py lists the entry)."""
    from tests.integration.helpers import snapshot

    sign_in(client, "t-tm1")
    before = snapshot(app.engine)
    tomorrow = date.fromordinal(today.toordinal() + 1).isoformat()
    page = client.get("/team", params={"from": tomorrow, "to": "9999-12-31"})
    assert page.status_code == 400
    assert "not after the last nor after today" in page.text
    assert snapshot(app.engine) == before


def test_workforce_sees_every_journey_and_no_team_figures(client: TestClient):
    """The workforce token lists a0 and a1; the team page is not theirs."""
    sign_in(client, "t-wf")
    assert [j["worker"] for j in client.get("/v1/asye").json()] == ["a0", "a1"]
    assert client.get("/team").status_code == 403
    tasks = client.get("/tasks").text
    assert "asye_supervision" in tasks and "personal_supervision" not in tasks


def test_the_task_list_filters_by_state_and_person(client: TestClient):
    """Escalated tasks for or about tm1: w1's and a0's agreements (due Mon 5 Jan; a0's never
    signed, escalated Tue 6 Jan before a0's first session of Mon 12 Jan is applied) and c1's
    day 20 oversight."""
    sign_in(client, "t-admin")
    page = client.get("/tasks", params={"state": "escalated", "person": "tm1"}).text
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td[^>]*>(\w+)", page)
    assert rows and {state for _, state in rows} == {"escalated"}
    assert sorted(due for due, _ in rows) == ["2026-01-05", "2026-01-05", "2026-03-30"]


def test_the_api_needs_a_bearer_token_and_a_system_token_reads_nothing(client: TestClient):
    """401 without a token; a system token is live but reads no progress: 403."""
    assert client.get("/v1/asye").status_code == 401
    system = {"Authorization": f"Bearer {SECRETS['t-sys']}"}
    assert client.get("/v1/asye", headers=system).status_code == 403
    answer = client.get("/v1/asye", headers={"Authorization": f"Bearer {SECRETS['t-admin']}"})
    assert answer.status_code == 200 and len(answer.json()) == 2
    assert date.fromisoformat(answer.json()[0]["as_of"]) >= date(2026, 3, 31)


def test_a_page_asked_with_a_bad_query_string_answers_a_page_and_the_api_keeps_its_problem(
        client: TestClient):
    """/tasks?page=abc and ?page=0: 400, an HTML page naming page; /v1/compliance?from=soon,
    an API route on the same app, still answers its JSON problem (422)."""
    sign_in(client, "t-admin")
    for bad in ("abc", "0"):
        answer = client.get("/tasks", params={"page": bad})
        assert answer.status_code == 400
        assert answer.headers["content-type"].startswith("text/html")
        assert "Not an address this page takes" in answer.text and "page: " in answer.text
    api = client.get("/v1/compliance", params={"from": "soon"},
                     headers={"Authorization": f"Bearer {SECRETS['t-admin']}"})
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/problem+json")
