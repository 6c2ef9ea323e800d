"""Calendar feeds: each person's supervision calendar at a URL with its own read-only,
revocable secret, fetched here as a calendar client subscribed to it would (no bearer header,
If-None-Match on the next fetch) and read back with ``icalendar``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlsplit

import httpx
import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from oversight.adapters.api.app import create_app
from oversight.adapters.cli.app import app as cli
from oversight.adapters.store import credentials
from oversight.adapters.web.server import Running, start_in_thread
from oversight.workflows.bootstrap import App
from tests.integration.helpers import record
from tests.integration.test_calendar_export import STAMP, _team

OUTLOOK = {"User-Agent": "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0)"}
W0_DAYS = [date(2026, 3, 2), date(2026, 3, 30), date(2026, 4, 27), date(2026, 5, 26),
           date(2026, 6, 23), date(2026, 7, 21), date(2026, 8, 18), date(2026, 9, 15),
           date(2026, 10, 13), date(2026, 11, 10), date(2026, 12, 8), date(2027, 1, 5),
           date(2027, 2, 2), date(2027, 3, 2)]
"""w0 was supervised Mon 2 Feb 2026: due Mon 2 Mar, then every 4 weeks; Mon 25 May is the
Spring bank holiday, so Tue 26 May, and the rest follow from it (test_calendar_export)."""


@pytest.fixture
def served(app: App) -> Iterator[Running]:
    """The API on loopback, its clock at Mon 2 Mar 2026 09:00 UTC, over tm1's team."""
    _team(app)
    running = start_in_thread(create_app(app, clock=lambda: STAMP))
    yield running
    running.stop()


def _issue(person: str) -> dict[str, str]:
    made = CliRunner().invoke(cli, ["feed", "issue", person, "--json"])
    assert made.exit_code == 0, made.output
    return json.loads(made.stdout)


def _fetch(served: Running, feed: dict[str, str], **headers: str) -> httpx.Response:
    """GET the feed's path on the test server, as a subscribed client: no Authorization."""
    return httpx.get(served.url + urlsplit(feed["url"]).path, headers={**OUTLOOK, **headers},
                     timeout=30)


def test_a_subscribed_calendar_client_reads_a_workers_sessions_and_revalidates_by_etag(
        app: App, served: Running) -> None:
    """The feed URL is also given as webcal://; fetched without a token it is iCalendar with
    w0's sessions on their days; fetched again with its ETag it is 304 Not Modified."""
    feed = _issue("w0")
    assert feed["webcal"] == "webcal://" + feed["url"].split("://", 1)[1]
    assert feed["url"].startswith(app.settings.link_base + "/v1/feeds/cal_")

    first = _fetch(served, feed)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(first.content)
    events = list(calendar.walk("VEVENT"))
    assert [event.decoded("dtstart") for event in events] == W0_DAYS
    assert all(str(event["summary"]).endswith("tm1 with w0") for event in events)
    assert str(calendar["x-wr-calname"]) == "Supervision: w0"

    again = _fetch(served, feed, **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert _fetch(served, feed, **{"If-None-Match": '"stale"'}).status_code == 200


def test_a_feed_holds_only_its_persons_sessions(app: App, served: Running) -> None:
    """a0's feed has a0's ASYE sessions with tm1 and none of w0's; tm1's has both, as
    supervisor."""
    a0 = Calendar.from_ical(_fetch(served, _issue("a0")).content)
    tm1 = Calendar.from_ical(_fetch(served, _issue("tm1")).content)
    a0_summaries = {str(event["summary"]) for event in a0.walk("VEVENT")}
    assert a0_summaries and all(summary.endswith("tm1 with a0") for summary in a0_summaries)
    tm1_with = {str(event["summary"]).rsplit(" ", 1)[-1] for event in tm1.walk("VEVENT")}
    assert tm1_with == {"w0", "a0"}


def test_a_revoked_or_replaced_feed_and_an_api_token_in_its_place_answer_404(
        app: App, served: Running) -> None:
    """Revoked: 404. Issued again: the old URL stays 404, the new one works. An API token is
    not a feed secret. Each fetch is in the access log."""
    feed = _issue("w0")
    assert _fetch(served, feed).status_code == 200
    revoked = CliRunner().invoke(cli, ["feed", "revoke", "w0"])
    assert revoked.exit_code == 0 and "Revoked w0's calendar feed." in revoked.stdout
    assert _fetch(served, feed).status_code == 404
    assert CliRunner().invoke(cli, ["feed", "revoke", "w0"]).exit_code == 1

    renewed = _issue("w0")
    assert _fetch(served, renewed).status_code == 200
    assert _fetch(served, feed).status_code == 404
    with app.engine.begin() as connection:
        _, api_token = credentials.create_token(connection, role="admin", person=None, now=STAMP)
    assert httpx.get(f"{served.url}/v1/feeds/{api_token}.ics", timeout=30).status_code == 404

    listed = json.loads(CliRunner().invoke(cli, ["feed", "list", "--json"]).stdout)
    assert [(row["person"], row["revoked"] is None) for row in listed] == [
        ("w0", True), ("w0", False)]
    assert "cal_" not in json.dumps(listed)
    from sqlalchemy import select

    from oversight.adapters.store import tables as t

    with app.engine.connect() as connection:
        log = connection.execute(select(t.access_log.c.resource, t.access_log.c.target,
                                        t.access_log.c.outcome).where(
            t.access_log.c.resource == "calendar-feed").order_by(t.access_log.c.id)).all()
    assert [tuple(row) for row in log] == [
        ("calendar-feed", "person:w0", "allowed"), ("calendar-feed", "feed:unknown", "refused"),
        ("calendar-feed", "person:w0", "allowed"), ("calendar-feed", "feed:unknown", "refused"),
        ("calendar-feed", "feed:unknown", "refused")]


W0_SERIES = "relationship:tm1:w0:personal_supervision"
W0_EARLY = [date(2026, 3, 27), date(2026, 4, 24), date(2026, 5, 22), date(2026, 6, 19),
            date(2026, 7, 17), date(2026, 8, 14), date(2026, 9, 11), date(2026, 10, 9),
            date(2026, 11, 6), date(2026, 12, 4), date(2027, 1, 4), date(2027, 2, 1),
            date(2027, 3, 1)]
"""w0's 3rd to 15th sessions once the 2nd is held early, on Fri 27 Feb 2026: every 28 days on
Fridays from Fri 27 Mar, until Fri 1 Jan 2027, New Year's Day, gives way to Mon 4 Jan; then Mon
1 Feb and Mon 1 Mar 2027 (the 16th, Mon 29 Mar, is past the 12 months to Tue 2 Mar 2027)."""


def _events_by_uid(served: Running, feed: dict[str, str]) -> dict[str, tuple[date, int]]:
    calendar = Calendar.from_ical(_fetch(served, feed).content)
    return {str(event["uid"]): (event.decoded("dtstart"), int(event["sequence"]))
            for event in calendar.walk("VEVENT")}


def test_a_held_session_keeps_every_uid_of_the_series_and_moves_the_dates_with_a_sequence(
        app: App, served: Running) -> None:
    """tm1's feed names w0's sessions 2 to 15 by their place in the series, SEQUENCE 0, twice
    alike; w0's 2nd held early (Fri 27 Feb) leaves the 2nd out, keeps the UIDs of the 3rd to
    15th on their new dates with SEQUENCE 1, and a0's series, unmoved, at 0."""
    feed = _issue("tm1")
    before = _events_by_uid(served, feed)
    w0_before = {uid: seen for uid, seen in before.items() if uid.startswith(W0_SERIES)}
    assert sorted(w0_before.values()) == [(day, 0) for day in W0_DAYS]
    assert w0_before[f"{W0_SERIES}:2@oversight"] == (date(2026, 3, 2), 0)
    assert w0_before[f"{W0_SERIES}:15@oversight"] == (date(2027, 3, 2), 0)
    assert _events_by_uid(served, feed) == before  # fetched again, nothing moved

    record(app, type="supervision_held", on="2026-02-27", supervisor="tm1", supervisee="w0")
    after = _events_by_uid(served, feed)
    assert set(after) == set(before) - {f"{W0_SERIES}:2@oversight"}
    assert [after[f"{W0_SERIES}:{n}@oversight"] for n in range(3, 16)] == [
        (day, 1) for day in W0_EARLY]
    a0 = {uid: seen for uid, seen in before.items() if not uid.startswith(W0_SERIES)}
    assert a0 and all(after[uid] == seen for uid, seen in a0.items())
    assert _events_by_uid(served, feed) == after  # and again: SEQUENCE stays at 1


def test_a_feed_asks_to_be_fetched_again_within_the_hour_in_durations(
        app: App, served: Running) -> None:
    """REFRESH-INTERVAL (RFC 7986) and Outlook's X-PUBLISHED-TTL are both PT1H."""
    content = _fetch(served, _issue("w0")).content
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in content
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in content
