"""Hull §3's returner cadence reached by events about an existing worker: "fortnightly for the
first 3 months and then a minimum of monthly" after a major change of role or a long absence.

tm1 supervises sw1 (qualified, in post since 2021: monthly under hull §3) from Mon 2 Mar 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.adapters.store.unit_of_work import SqlUnitOfWork
from oversight.states.directory import StaffMember
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.settings import Settings
from tests.store_templates import migrated_sqlite

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


@pytest.fixture
def hull(tmp_path: Path) -> App:
    app = initialise(Settings(home=tmp_path, database_url=migrated_sqlite(tmp_path / "o.db")),
                     "hull")
    with SqlUnitOfWork(app.engine) as uow:
        uow.staff.upsert([
            StaffMember("hos1", "senior_manager", date(2012, 9, 3), None, date(2004, 7, 1)),
            StaffMember("tm1", "manager", date(2018, 4, 3), "hos1", date(2012, 7, 1)),
            StaffMember("sw1", "qualified_social_worker", date(2021, 9, 1), "tm1",
                        date(2020, 7, 1))])
        uow.commit()
    record(app, "relationship_started", "2026-03-02", supervisor="tm1", supervisee="sw1")
    return app


def record(app: App, type_: str, on: str, **fields: Any) -> None:
    app.service.record(parse_event({"type": type_, "on": on, **fields}), now=NOW)


def open_sessions(app: App) -> list[date]:
    with app.engine.connect() as connection:
        return list(connection.execute(select(t.tasks.c.due).where(
            t.tasks.c.type == "personal_supervision", t.tasks.c.state == "open")).scalars())


def test_a_change_of_role_puts_the_worker_on_fortnightly_supervision_for_three_months(
        hull: App) -> None:
    """Role changed Mon 16 Mar: next due Mon 30 Mar (2 weeks) instead of Thu 2 Apr (a month
    after 2 Mar). Held Mon 15 Jun, still within the 3 months (to Tue 16 Jun): due Mon 29 Jun.
    Held Tue 16 Jun, the 3 months passed: monthly again, due Thu 16 Jul."""
    assert open_sessions(hull) == [date(2026, 4, 2)]
    record(hull, "role_changed", "2026-03-16", person="sw1")
    assert open_sessions(hull) == [date(2026, 3, 30)]
    record(hull, "supervision_held", "2026-06-15", supervisor="tm1", supervisee="sw1",
           minutes=90)
    assert open_sessions(hull) == [date(2026, 6, 29)]
    record(hull, "supervision_held", "2026-06-16", supervisor="tm1", supervisee="sw1",
           minutes=90)
    assert open_sessions(hull) == [date(2026, 7, 16)]


def test_a_long_absence_makes_a_returner_and_a_short_one_changes_nothing(hull: App) -> None:
    """Back Thu 12 Mar after 10 days: still monthly (due Thu 2 Apr stands). Back Tue 12 May
    after 42 days (4 weeks or more, hull.yaml's threshold): due Tue 26 May, a fortnight on; the
    session due 2 Apr was already missed by then: breached Fri 3 Apr, before the return is
    applied (a breach is judged by the dates, not by a sweep)."""
    record(hull, "returned_to_work", "2026-03-12", person="sw1", absent_days=10)
    assert open_sessions(hull) == [date(2026, 4, 2)]
    record(hull, "returned_to_work", "2026-05-12", person="sw1", absent_days=42)
    assert sorted(open_sessions(hull)) == [date(2026, 5, 26)]
    with hull.engine.connect() as connection:
        missed = connection.execute(select(t.tasks.c.state, t.tasks.c.breached_on).where(
            t.tasks.c.due == date(2026, 4, 2))).all()
    assert [(state, on) for state, on in missed] == [("escalated", date(2026, 4, 3))]
