"""``GET /v1/people/{id}/calendar.ics``: a calendar program's view of the year ahead."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar

from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    api_store,
    client,
    seeded,
    server,
    token,
)


def test_a_supervisee_downloads_their_year_of_sessions_as_icalendar(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """sw1 was supervised on 2 February: the next session is due on 2 March (the server's
    today), then every 4 weeks for 12 months (surrey §4.1)."""
    with client(server, token(seeded, "supervisee", "sw1")) as http:
        answer = http.get("/v1/people/sw1/calendar.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    events = list(Calendar.from_ical(answer.content).walk("VEVENT"))
    days = [event.decoded("dtstart") for event in events]
    assert days[:3] == [date(2026, 3, 2), date(2026, 3, 30), date(2026, 4, 27)]
    # Mon 25 May 2026 is the Spring bank holiday: that one is due Tue 26 May (29 days on), and
    # the cadence runs on 28 days at a time from it, to Tue 2 Mar 2027.
    assert days[3] == date(2026, 5, 26)
    assert days[-1] == date(2027, 3, 2) and len(days) == 14
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    assert gaps == [28, 28, 29] + [28] * 10
    assert all("sw1" in str(event["summary"]) for event in events)


def test_a_supervisor_plans_from_a_chosen_day_and_sees_the_asye_weekly_sessions(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """From 1 June for 1 month, tm1 sees each supervisee's overdue session on its due date,
    then the cadence from that day: sw1 every 4 weeks, the ASYE sw2 fortnightly (weekly until
    5 April)."""
    with client(server, token(seeded, "supervisor", "tm1")) as http:
        answer = http.get("/v1/people/tm1/calendar.ics", params={"from": "2026-06-01",
                                                                  "months": 1})
    events = list(Calendar.from_ical(answer.content).walk("VEVENT"))
    by_person: dict[str, list[date]] = {}
    for event in events:
        who = str(event["summary"]).rsplit(" ", 1)[-1]
        by_person.setdefault(who, []).append(event.decoded("dtstart"))
    assert by_person["sw2"][0] == date(2026, 1, 12)  # overdue: never held
    assert by_person["sw2"][1:] == [date(2026, 6, 15), date(2026, 6, 29)]
    assert by_person["sw1"] == [date(2026, 3, 2), date(2026, 6, 29)]
