"""A seeded generator of an authority's year in the README's scenario format (``bench.simulate``).

Issue 15's shapes, for the Surrey policy:

- ``large``: 1,500 social workers, one team manager per 7, one head of service per 8 managers,
  1 in 8 of the workers an ASYE (starting through the first nine months); 10,000 Child and
  Family Assessments started through the year;
- ``small``: 150 workers, 1,000 assessments; ``tiny`` (for tests): 14 workers, 40 assessments
  over three months.

Every supervisee is supervised on the cadence the policy gives their role (an ASYE's phases by
the months since their start), with realistic slippage: most sessions a few working days early or
on the day, some late by up to three weeks, a few missed (the next cycle's session closes the
breached task). A few managers are absent for three to seven weeks: the sessions due while they
are away wait for their return (after four weeks the head of service arranges alternative
supervision). Assessments get management oversight at allocation and at days 10 and 20 (some
late, some missed), and are completed by day 35 with its oversight, or extended on day 33–35 and
completed by day 45 (a few overdue). Events after the year's end are dropped.

Nothing but the seed decides: ``generate("large", seed=15)`` is the same file on every machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

START, END = date(2026, 1, 5), date(2026, 12, 31)


@dataclass(frozen=True)
class Shape:
    workers: int
    assessments: int
    end: date
    absent_managers: int


SHAPES = {"tiny": Shape(14, 40, date(2026, 3, 31), 1),
          "small": Shape(150, 1_000, END, 2),
          "large": Shape(1_500, 10_000, END, 6)}


class Year:
    """The dates of one generated year: the policy's calendar and cadences, the seed's choices."""

    def __init__(self, shape: Shape, seed: int, policy: str = "surrey"):
        from oversight.adapters.policy_files import load_policy

        self.shape, self.random = shape, random.Random(seed)
        self.policy = load_policy(policy)
        self.calendar = self.policy.working_calendar()
        self.events: list[tuple[date, int, str]] = []

    def working(self, day: date, n: int) -> date:
        return self.calendar.working_days_after(day, n)

    def on_or_before(self, day: date) -> date:
        while not self.calendar.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def add(self, on: date, text: str) -> None:
        if on <= self.shape.end:
            self.events.append((on, len(self.events), f"{{on: {on.isoformat()}, {text}}}"))

    def slip(self) -> int | None:
        """Working days a session or oversight is held after its due date; None if missed."""
        draw = self.random.random()
        if draw < 0.04:
            return None
        if draw < 0.12:
            return self.random.randint(6, 15)
        if draw < 0.30:
            return self.random.randint(1, 5)
        return -self.random.randint(0, 3)

    def interval_after(self, role: str, started: date, held: date) -> date:
        if role != "asye":
            cadence = self.policy.cadence_for(role)
            assert cadence is not None and cadence.every is not None
            return cadence.every.after(held, self.calendar)
        for phase in self.policy.asye.phases:
            if phase.until is None or held < phase.until.after(started, self.calendar):
                return phase.every.after(held, self.calendar)
        raise AssertionError("the ASYE's last phase has no end")


def generate(size: str, seed: int = 15) -> str:
    """The scenario file's text for ``size`` (``tiny``, ``small`` or ``large``)."""
    shape = SHAPES[size]
    year = Year(shape, seed)
    staff, supervisor_of = _staff(year)
    absences = _absences(year, [s for s in staff if s[1] == "manager"])
    staff = [_after_return(member, absences, year) for member in staff]
    relationships = []
    for person, role, started, manager, _ in staff:
        if manager is None:
            continue
        begins = max(started, START)
        relationships.append(f"  - {{supervisor: {manager}, supervisee: {person}, "
                             f"started: {begins.isoformat()}}}")
        year.add(year.working(begins, year.random.choice((0, 0, 0, 1, 3))),
                 f"type: agreement_signed, supervisor: {manager}, supervisee: {person}")
        _supervision(year, person, role, started, begins, manager, absences)
        if role == "asye":
            for review in year.policy.asye.reviews:
                due = review.at.after(started, year.calendar)
                late = year.random.choice((0, 0, 0, 2, 4))
                year.add(year.working(due, late) if late else year.on_or_before(due),
                         f"type: review_held, worker: {person}, review: {review.review}")
    for manager, (away, back) in absences.items():
        year.add(away, f"type: supervisor_absence_started, supervisor: {manager}")
        if (back - away).days > 28:
            cover = year.working(away + timedelta(days=28), 2)
            head = next(s[3] for s in staff if s[0] == manager)
            joined = {s[0]: s[2] for s in staff}
            for person in supervisor_of[manager]:
                if joined[person] > away:
                    continue  # an ASYE starting later is supervised from their first day
                year.add(cover, f"type: alternative_supervision_arranged, supervisor: {manager}, "
                                f"supervisee: {person}, arranged_with: {head}")
        year.add(back, f"type: supervisor_returned, supervisor: {manager}")
    assessments = _assessments(year, staff)
    lines = [f"# A generated {size} authority's year (bench/authority.py, seed {seed}).",
             f"policy: {year.policy.authority}", f"from: {START.isoformat()}",
             f"to: {shape.end.isoformat()}", "staff:"]
    for person, role, started, manager, qualified in staff:
        lines.append(f"  - {{id: {person}, role: {role}, started: {started.isoformat()}"
                     + (f", manager: {manager}" if manager else "")
                     + f", qualified: {qualified.isoformat()}}}")
    lines += ["relationships:", *relationships, "assessments:", *assessments, "events:"]
    lines += [f"  - {text}" for _, _, text in sorted(year.events)]
    return "\n".join(lines) + "\n"


Staff = tuple[str, str, date, "str | None", date]
"""id, role, started, line manager, qualified."""


def _staff(year: Year) -> tuple[list[Staff], dict[str, list[str]]]:
    """Heads of service over managers (8 each) over workers (7 each), 1 in 8 an ASYE."""
    pick: Callable[[int, int], int] = year.random.randint
    workers = year.shape.workers
    managers = -(-workers // 7)
    heads = -(-managers // 8)
    staff: list[Staff] = []
    for h in range(heads):
        staff.append((f"hos{h}", "senior_manager", date(2010 + h % 5, 9, 1), None,
                      date(2004, 7, 1)))
    for m in range(managers):
        staff.append((f"tm{m}", "manager", date(2016 + m % 6, 4, 4), f"hos{m // 8}",
                      date(2010 + m % 6, 7, 1)))
    for w in range(workers):
        manager = f"tm{w // 7}"
        if w % 8 == 7:
            latest = min(270, (year.shape.end - START).days * 3 // 4)
            started = year.on_or_before(START + timedelta(days=pick(0, latest)))
            staff.append((f"nq{w}", "asye", started, manager, started - timedelta(days=90)))
        else:
            staff.append((f"sw{w}", "qualified_social_worker", date(2015 + w % 10, 9, 1),
                          manager, date(2015 + w % 10, 7, 1)))
    supervisees: dict[str, list[str]] = {}
    for person, _, _, line_manager, _ in staff:
        if line_manager is not None:
            supervisees.setdefault(line_manager, []).append(person)
    return staff, supervisees


def _absences(year: Year, managers: list[Staff]) -> dict[str, tuple[date, date]]:
    chosen = year.random.sample(managers, min(year.shape.absent_managers, len(managers)))
    out = {}
    for manager, *_ in chosen:
        away = year.on_or_before(START + timedelta(days=year.random.randint(20, 60)))
        out[manager] = (away, year.working(away, year.random.randint(15, 35)))
    return out


def _after_return(member: Staff, absences: dict[str, tuple[date, date]], year: Year) -> Staff:
    """An ASYE due to start while their manager is away starts the working day after the
    return: their relationship, begun while the manager was away, would be active, and the
    engine refuses ``supervisor_returned`` for a relationship it never saw absent."""
    person, role, started, manager, qualified = member
    away = absences.get(manager) if manager else None
    if role == "asye" and away is not None and away[0] <= started <= away[1]:
        return person, role, year.working(away[1], 1), manager, qualified
    return member


def _supervision(year: Year, person: str, role: str, started: date, begins: date,
                 supervisor: str, absences: dict[str, tuple[date, date]]) -> None:
    held = begins
    while True:
        due = year.interval_after(role, started, held)
        slip = year.slip() if role != "asye" or year.random.random() < 0.5 else 0
        if slip is None:  # missed: the next cycle's session closes the breached task
            when = year.on_or_before(year.interval_after(role, started, due))
        else:
            when = year.working(year.on_or_before(due), slip)
        away = absences.get(supervisor)
        if away and away[0] <= when < away[1]:
            when = year.working(away[1], year.random.randint(1, 4))
        if when > year.shape.end:
            return
        year.add(when, f"type: supervision_held, supervisor: {supervisor}, supervisee: {person}")
        held = when


def _assessments(year: Year, staff: list[Staff]) -> list[str]:
    practitioners = [s for s in staff if s[1] in ("qualified_social_worker", "asye")]
    section: list[str] = []
    span = (year.shape.end - START).days
    points = [p for p in year.policy.assessment.oversight_points if not p.at_completion]
    for n in range(year.shape.assessments):
        opened = year.on_or_before(START + timedelta(days=year.random.randint(3, span)))
        worker, _, worker_started, manager, _ = year.random.choice(practitioners)
        while worker_started > opened:  # an ASYE not yet started: someone already there
            worker, _, worker_started, manager, _ = year.random.choice(practitioners)
        child = f"c{n}"
        section.append(f"  - {{child: {child}, worker: {worker}, manager: {manager}, "
                       f"started: {opened.isoformat()}}}")
        for point in points:
            slip = year.slip()
            if slip is not None:
                due = point.due.after(opened, year.calendar)
                slip = max(slip, 0) if point.point == "allocation" else slip
                year.add(year.working(due, slip),
                         f"type: oversight_recorded, child: {child}, point: {point.point}")
        draw = year.random.random()
        if draw < 0.08:
            year.add(year.working(opened, year.random.randint(33, 35)),
                     f"type: assessment_extended, child: {child}")
            done = year.working(opened, year.random.randint(40, 45) if draw > 0.01 else 52)
        else:
            done = year.working(opened, year.random.randint(22, 35))
            year.add(done, f"type: oversight_recorded, child: {child}, point: day35")
        year.add(done, f"type: assessment_completed, child: {child}")
    return section


def describe(text: str) -> dict[str, Any]:
    """Counts of a generated file, without parsing it: staff, assessments, events."""
    sections = {"staff:": 0, "relationships:": 0, "assessments:": 0, "events:": 0}
    current = None
    for line in text.splitlines():
        if line in sections:
            current = line
        elif current and line.startswith("  - "):
            sections[current] += 1
    return {key.rstrip(":"): value for key, value in sections.items()}
