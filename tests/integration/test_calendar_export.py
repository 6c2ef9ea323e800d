"""The calendar export: a person's sessions for the next 12 months as an .ics file that the
``icalendar`` parser reads back with the right dates (sunderland §4.3, surrey §4.3)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Calendar

from oversight.adapters.ics import sessions_calendar
from oversight.workflows.bootstrap import App
from oversight.workflows.reads.planner import sessions_ahead
from tests.integration.helpers import record

TODAY = date(2026, 3, 2)
STAMP = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _events(ics: bytes) -> list[tuple[date, str, str, list[str]]]:
    parsed = Calendar.from_ical(ics)
    found = []
    for event in parsed.walk("VEVENT"):
        categories = [str(c) for c in event.get("categories").cats]
        found.append((event.decoded("dtstart"), str(event["summary"]), str(event["uid"]),
                      categories))
    return found


def _team(app: App) -> None:
    record(app, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="w0")
    record(app, type="supervision_held", on="2026-02-02", supervisor="tm1", supervisee="w0")
    record(app, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="a0")
    record(app, type="asye_enrolled", on="2026-01-05", worker="a0", supervisor="tm1")
    for held in ("2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02", "2026-02-09",
                 "2026-02-16", "2026-02-23"):
        record(app, type="supervision_held", on=held, supervisor="tm1", supervisee="a0")


def test_a_workers_year_of_four_weekly_sessions_reads_back_from_the_ics_file(app: App) -> None:
    """w0 was supervised on 2 February: due 2 March, then every 4 weeks to March 2027; Mon 25
    May 2026 is the Spring bank holiday, so that one is due Tue 26 May and the rest follow it."""
    _team(app)
    ics = sessions_calendar("w0", sessions_ahead(app.store, app.policy, "w0", today=TODAY),
                            now=STAMP)
    events = _events(ics)
    assert [day for day, *_ in events] == [
        date(2026, 3, 2), date(2026, 3, 30), date(2026, 4, 27), date(2026, 5, 26),
        date(2026, 6, 23), date(2026, 7, 21), date(2026, 8, 18), date(2026, 9, 15),
        date(2026, 10, 13), date(2026, 11, 10), date(2026, 12, 8), date(2027, 1, 5),
        date(2027, 2, 2), date(2027, 3, 2)]
    assert events[0][3] == ["supervision", "due"]
    assert all(categories == ["supervision", "projected"] for *_, categories in events[1:])
    assert len({uid for _, _, uid, _ in events}) == len(events)
    assert all(summary.endswith("tm1 with w0") for _, summary, _, _ in events)
    assert Calendar.from_ical(ics)["x-wr-calname"] == "Supervision: w0"


def test_an_asyes_sessions_widen_from_weekly_to_fortnightly_at_three_months(app: App) -> None:
    """a0's last session was 23 February: weekly until 5 April, fortnightly from then; a week
    after 30 March is Easter Monday, so Tue 7 Apr, then every fortnight from it to Tue 2 Jun."""
    _team(app)
    sessions = sessions_ahead(app.store, app.policy, "a0", today=TODAY, months=3)
    days = [s.on for s in sessions]
    assert days[:6] == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16),
                        date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 7)]
    assert days[6:] == [date(2026, 4, 21), date(2026, 5, 5), date(2026, 5, 19),
                        date(2026, 6, 2)]
    assert {s.type for s in sessions} == {"asye_supervision"}
    assert {s.rule for s in sessions} == {"surrey §4.1"} or all("surrey" in s.rule
                                                             for s in sessions)


def test_a_supervisors_calendar_holds_every_supervisee_and_planned_sessions_keep_their_date(
        app: App) -> None:
    """tm1's calendar has w0's and a0's sessions; a session planned for 25 March replaces the
    30 March due date and the cadence follows it."""
    _team(app)
    record(app, type="session_planned", on="2026-03-02", supervisor="tm1", supervisee="w0",
           session="w0-march", for_date="2026-03-25")
    sessions = sessions_ahead(app.store, app.policy, "tm1", today=TODAY, months=2)
    w0 = [(s.on, s.status, s.session) for s in sessions if s.supervisee == "w0"]
    assert w0 == [(date(2026, 3, 2), "due", None), (date(2026, 3, 25), "planned", "w0-march"),
                  (date(2026, 4, 22), "projected", None)]
    assert {s.supervisee for s in sessions} == {"w0", "a0"}
    events = _events(sessions_calendar("tm1", sessions, now=STAMP))
    planned = [e for e in events if "planned" in e[3]]
    # The planned session is w0's 3rd with tm1 (2 Feb held, 2 Mar due): its UID names that,
    # not the booking, so planning it kept the event the calendar had for the 3rd.
    assert [(day, uid) for day, _, uid, _ in planned] == [
        (date(2026, 3, 25), "relationship:tm1:w0:personal_supervision:3@oversight")]


def test_an_ended_relationship_leaves_the_calendar(app: App) -> None:
    """Once w0 moves team, tm1 has no sessions with w0 ahead."""
    _team(app)
    record(app, type="relationship_ended", on="2026-03-01", supervisor="tm1", supervisee="w0",
           reason="moved")
    assert sessions_ahead(app.store, app.policy, "w0", today=TODAY) == []
