"""A deterministic Surrey team and its first quarter of events, shared by the tests and the
subprocesses they start (so both sides build exactly the same store)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from oversight.states.directory import StaffMember

START = date(2026, 1, 5)
YEAR_END = date(2026, 12, 31)
NOW = datetime(2026, 12, 31, 6, 0, tzinfo=UTC)
"""The instant every step in these tests is recorded at: fixed, so reruns compare equal."""


def staff(workers: int, asyes: int = 1) -> list[StaffMember]:
    """Head of service hos1 above team manager tm1, who manages ``workers`` qualified social
    workers w0… and ``asyes`` newly qualified workers a0…."""
    members = [
        StaffMember("hos1", "senior_manager", started=date(2012, 9, 3), qualified=date(2004, 7, 1)),
        StaffMember("tm1", "manager", started=date(2018, 4, 3), line_manager="hos1",
                    qualified=date(2012, 7, 1)),
    ]
    members += [StaffMember(f"w{i}", "qualified_social_worker", started=date(2021, 9, 1),
                            line_manager="tm1", qualified=date(2020, 7, 1))
                for i in range(workers)]
    members += [StaffMember(f"a{i}", "asye", started=START, line_manager="tm1",
                            qualified=date(2025, 7, 1)) for i in range(asyes)]
    return members


def events(workers: int, asyes: int = 1) -> list[dict[str, Any]]:
    """Relationships, agreements, sessions, ASYE enrolments and one assessment per worker, in
    date order, each with an event id; a mix that leaves some work done and much of it due."""
    out: list[dict[str, Any]] = []

    def add(on: date, type_: str, **fields: Any) -> None:
        out.append({"type": type_, "on": on.isoformat(), "event_id": f"seed-{len(out)}", **fields})

    for i in range(workers):
        add(START, "relationship_started", supervisor="tm1", supervisee=f"w{i}")
        if i % 2 == 0:
            add(START + timedelta(days=1), "agreement_signed", supervisor="tm1", supervisee=f"w{i}")
    for i in range(asyes):
        add(START, "relationship_started", supervisor="tm1", supervisee=f"a{i}")
        add(START, "asye_enrolled", worker=f"a{i}", supervisor="tm1")
        add(START + timedelta(days=7), "supervision_held", supervisor="tm1", supervisee=f"a{i}")
    for i in range(workers):
        started = date(2026, 2, 2) + timedelta(days=i % 20)
        add(started, "assessment_started", child=f"c{i}", worker=f"w{i}", manager="tm1")
        if i % 3 == 0:
            add(started, "oversight_recorded", child=f"c{i}", point="allocation")
        if i % 4 == 0:
            add(date(2026, 2, 2), "supervision_held", supervisor="tm1", supervisee=f"w{i}")
        if i % 5 == 0:
            add(started + timedelta(days=30), "assessment_completed", child=f"c{i}")
    return sorted(out, key=lambda e: e["on"])
