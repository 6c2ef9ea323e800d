"""Writes ``surrey-team.yaml``: a year of a sample Surrey team, for ``make demo``.

Run it from the repository root with ``.venv/bin/python config/scenarios/make_surrey_team.py``;
the output is committed beside it. Nothing is random: every date comes from the Surrey policy
and the working-day calendar in ``states/``, and every departure from the policy is listed
below by name, so the year reads as a story:

- a head of service (hos1) over a team manager (tm1, qualified 2012) over five qualified social
  workers (sw1-sw5) and two ASYEs (nq1 from 5 January, nq2 from 2 March);
- every supervision agreement signed on the day the relationship starts, but sw4's, three
  working days late;
- supervision held on or a little before its due date, but for the sessions in ``LATE`` (held
  some working days after it) and ``MISSED`` (not held: the next cycle's session closes it);
- tm1 off from 1 June to 17 July: more than four weeks, so §4.3 asks for alternative
  supervision within the following week, which hos1 arranges on 30 June; sessions due in the
  first four weeks wait for it, and hos1 holds them until tm1 is back;
- twelve Child and Family Assessments, each with management oversight at allocation and at
  days 10, 20 and 35 (working days), but for the misses and delays in ``ASSESSMENTS``; two
  extended and completed by day 45, one extended and overdue;
- the ASYE three- and six-month reviews held, nq2's six-month one four working days late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from oversight.adapters.policy_files import load_policy
from oversight.states.calendar import WorkingCalendar

POLICY = load_policy("surrey")
CALENDAR: WorkingCalendar = POLICY.working_calendar()
START, END = date(2026, 1, 5), date(2026, 12, 31)
OUTPUT = Path(__file__).resolve().parent / "surrey-team.yaml"

STAFF = [
    # id, role, started, line manager, qualified
    ("hos1", "senior_manager", date(2012, 9, 3), None, date(2004, 7, 1)),
    ("tm1", "manager", date(2018, 4, 3), "hos1", date(2012, 7, 1)),
    ("sw1", "qualified_social_worker", date(2019, 9, 2), "tm1", date(2019, 7, 1)),
    ("sw2", "qualified_social_worker", date(2021, 1, 4), "tm1", date(2020, 7, 1)),
    ("sw3", "qualified_social_worker", date(2022, 10, 3), "tm1", date(2022, 7, 1)),
    ("sw4", "qualified_social_worker", date(2023, 9, 4), "tm1", date(2021, 7, 1)),
    ("sw5", "qualified_social_worker", date(2024, 11, 4), "tm1", date(2023, 7, 1)),
    ("nq1", "asye", START, "tm1", date(2025, 7, 1)),
    ("nq2", "asye", date(2026, 3, 2), "tm1", date(2025, 12, 1)),
]
SUPERVISOR = {"tm1": "hos1", **{s[0]: "tm1" for s in STAFF if s[3] == "tm1"}}
AGREEMENT_DELAY = {"sw4": 3}
"""Supervisee → working days the agreement was signed after the relationship started."""
LATE = {("sw2", 4): 3, ("sw5", 8): 5, ("nq1", 9): 2, ("tm1", 5): 6}
"""(supervisee, session number) → working days held after its due date."""
MISSED = {("sw3", 6), ("nq2", 16)}
"""(supervisee, session number) not held: the next cycle's session closes the breached task."""
ABSENCE = (date(2026, 6, 1), date(2026, 7, 17))
"""tm1 away (first day, day back); hos1 arranges alternative supervision on ``COVER``."""
COVER = date(2026, 6, 30)
REVIEW_DELAY = {("nq2", "six_month"): 4}


@dataclass(frozen=True)
class Assessment:
    child: str
    worker: str
    started: date
    complete_on: int = 33
    """Working day of completion."""
    extend_on: int | None = None
    """Working day of the decision to extend to day 45."""
    missed: tuple[str, ...] = ()
    """Oversight points never recorded."""
    late: dict[str, int] = field(default_factory=dict)
    """Oversight point → working days recorded after it was due."""


ASSESSMENTS = [
    Assessment("c01", "sw1", date(2026, 2, 2), complete_on=31),
    Assessment("c02", "sw2", date(2026, 2, 16), complete_on=35),
    Assessment("c03", "sw3", date(2026, 3, 9), missed=("day10",)),
    Assessment("c04", "sw4", date(2026, 3, 25), complete_on=34),
    Assessment("c05", "sw5", date(2026, 4, 20), late={"allocation": 2}),
    Assessment("c06", "sw1", date(2026, 5, 11), missed=("day20",), complete_on=30),
    Assessment("c07", "nq1", date(2026, 6, 8), extend_on=34, complete_on=43),
    Assessment("c08", "sw2", date(2026, 7, 6), complete_on=29),
    Assessment("c09", "sw3", date(2026, 8, 3), extend_on=35, complete_on=45),
    Assessment("c10", "sw4", date(2026, 9, 1), late={"day20": 3}, complete_on=35),
    Assessment("c11", "sw5", date(2026, 9, 21), extend_on=35, complete_on=50),
    Assessment("c12", "nq2", date(2026, 10, 12), complete_on=32),
]


def on_or_before(day: date) -> date:
    """The last working day on or before ``day``."""
    while not CALENDAR.is_working_day(day):
        day = date.fromordinal(day.toordinal() - 1)
    return day


def working(day: date, n: int) -> date:
    return CALENDAR.working_days_after(day, n)


def tm1_away(day: date) -> bool:
    return ABSENCE[0] <= day < ABSENCE[1]


def event(on: date, type_: str, note: str = "", **fields: str) -> tuple[date, str, str]:
    body = ", ".join(f"{key}: {value}" for key, value in fields.items())
    return on, f"{{on: {on.isoformat()}, type: {type_}, {body}}}", note


def interval_after(person: str, role: str, held: date) -> date:
    """When the next session is due: one interval after ``held``, the interval in force then."""
    if role != "asye":
        cadence = POLICY.cadence_for(role)
        assert cadence is not None and cadence.every is not None
        return cadence.every.after(held, CALENDAR)
    started = next(s[2] for s in STAFF if s[0] == person)
    for phase in POLICY.asye.phases:
        if phase.until is None or held < phase.until.after(started, CALENDAR):
            return phase.every.after(held, CALENDAR)
    raise AssertionError("the last phase has no end")


def supervision(person: str, role: str, started: date) -> list[tuple[date, str, str]]:
    supervisor = SUPERVISOR[person]
    events: list[tuple[date, str, str]] = []
    held, number = started, 0
    while True:
        number += 1
        due = interval_after(person, role, held)
        note = ""
        if (person, number) in MISSED:
            when, note = on_or_before(interval_after(person, role, due)), f"session {number} missed"
        elif (person, number) in LATE:
            when = working(due, LATE[person, number])
            note = f"session {number} held {LATE[person, number]} working days late"
        else:
            # A few working days early for the monthly kinds, on the day for weekly and fortnightly.
            early = number % 3 if role != "asye" else 0
            when = working(on_or_before(due), -early)
        actor = {}
        if supervisor == "tm1" and tm1_away(when):
            if when < COVER:
                when = working(COVER, 1 + number % 3)
                note = note or f"session {number} waited for alternative supervision"
            actor = {"actor": "hos1"}
        if person == "tm1" and tm1_away(when):
            when, note = working(ABSENCE[1], 2), f"session {number} after tm1's return"
        if when > END:
            return events
        events.append(event(when, "supervision_held", note, supervisor=supervisor,
                            supervisee=person, **actor))
        held = when


def relationships() -> tuple[list[str], list[tuple[date, str, str]]]:
    section, events = [], []
    for person, role, started, manager, _ in STAFF:
        if manager is None:
            continue
        begins = max(started, START)
        section.append(f"  - {{supervisor: {manager}, supervisee: {person}, "
                       f"started: {begins.isoformat()}}}")
        delay = AGREEMENT_DELAY.get(person, 0)
        events.append(event(working(begins, delay), "agreement_signed",
                            f"signed {delay} working days late" if delay else "",
                            supervisor=manager, supervisee=person))
        events += supervision(person, role, begins)
    return section, events


def absence() -> list[tuple[date, str, str]]:
    events = [event(ABSENCE[0], "supervisor_absence_started", "tm1 off sick",
                    supervisor="tm1")]
    for person, *_ in STAFF:
        if SUPERVISOR.get(person) == "tm1":
            events.append(event(COVER, "alternative_supervision_arranged", "", supervisor="tm1",
                                supervisee=person, arranged_with="hos1"))
    events.append(event(ABSENCE[1], "supervisor_returned", "", supervisor="tm1"))
    return events


def reviews() -> list[tuple[date, str, str]]:
    events = []
    for person, role, started, *_ in STAFF:
        if role != "asye":
            continue
        for review in POLICY.asye.reviews:
            due = review.at.after(started, CALENDAR)
            delay = REVIEW_DELAY.get((person, review.review), 0)
            when = working(due, delay) if delay else on_or_before(due)
            events.append(event(when, "review_held", f"{delay} working days late" if delay else "",
                                worker=person, review=review.review))
    return events


def assessment_events(item: Assessment) -> list[tuple[date, str, str]]:
    events, manager = [], {"actor": "hos1"}
    for point in POLICY.assessment.oversight_points:
        if point.point in item.missed or point.at_completion:
            continue
        due = point.due.after(item.started, CALENDAR)
        # On time: on the day of allocation, the working day before the later points.
        on_time = 0 if point.point == "allocation" else -1
        when = working(due, item.late.get(point.point, on_time))
        note = f"{item.late[point.point]} working days late" if point.point in item.late else ""
        events.append(event(when, "oversight_recorded", note, child=item.child, point=point.point,
                            **(manager if tm1_away(when) else {})))
    if item.extend_on is not None:
        when = working(item.started, item.extend_on)
        events.append(event(when, "assessment_extended", f"extended on day {item.extend_on}",
                            child=item.child))
    done = working(item.started, item.complete_on)
    if item.extend_on is None:
        events.append(event(done, "oversight_recorded", "", child=item.child, point="day35"))
    note = "" if item.extend_on is None else f"completed on day {item.complete_on}" + (
        " (overdue: past day 45)" if item.complete_on > 45 else "")
    events.append(event(done, "assessment_completed", note, child=item.child))
    return events


def render() -> str:
    section, events = relationships()
    events += absence() + reviews()
    for item in ASSESSMENTS:
        events += assessment_events(item)
    events.sort(key=lambda e: e[0])  # stable: a day's events keep the order written above
    lines = [
        "# A year of a sample Surrey team: written by make_surrey_team.py (read it for the story).",
        "# Regenerate with `.venv/bin/python config/scenarios/make_surrey_team.py`.",
        "policy: surrey",
        f"from: {START.isoformat()}",
        f"to: {END.isoformat()}",
        "staff:",
    ]
    for person, role, started, manager, qualified in STAFF:
        extra = f", manager: {manager}" if manager else ""
        lines.append(f"  - {{id: {person}, role: {role}, started: {started.isoformat()}{extra}, "
                     f"qualified: {qualified.isoformat()}}}")
    lines += ["relationships:", *section, "assessments:"]
    for item in ASSESSMENTS:
        lines.append(f"  - {{child: {item.child}, worker: {item.worker}, manager: tm1, "
                     f"started: {item.started.isoformat()}}}")
    lines.append("events:")
    for _, text, note in events:
        lines.append(f"  - {text}" + (f"  # {note}" if note else ""))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
