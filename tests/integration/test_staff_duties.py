"""Devon §8 ("Every staff member will have an annual appraisal completed with their line
manager") follows from the staff list: `oversight duties` starts each person's appraisal."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from oversight.adapters.imports import import_file
from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import initialise
from oversight.workflows.recording.staff_duties import start_for_staff_list
from oversight.workflows.settings import Settings
from tests.integration.helpers import snapshot
from tests.store_templates import migrated_sqlite

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)  # Mon 2 Mar 2026


def test_the_staff_list_raises_an_appraisal_for_each_member_with_a_line_manager(
        tmp_path: Path) -> None:
    """After importing Devon staff, tm1 and sw1 (each with a line manager) get an appraisal due
    Tue 2 Mar 2027 (12 months after the day it starts), led by their line manager; hos1 (no
    line manager) gets none; starting the duties again changes nothing."""
    app = initialise(Settings(home=tmp_path, database_url=migrated_sqlite(tmp_path / "o.db")),
                     "devon")
    path = tmp_path / "staff.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([
            ["id", "role", "started", "line_manager", "qualified"],
            ["hos1", "senior_manager", "2012-09-03", "", "2004-07-01"],
            ["tm1", "manager", "2018-04-03", "hos1", "2012-07-01"],
            ["sw1", "qualified_social_worker", "2021-09-01", "tm1", "2020-07-01"]])
    import_file(app, "staff", path, now=NOW)
    outcome = start_for_staff_list(app.service, now=NOW)
    with app.engine.connect() as connection:
        found = connection.execute(select(t.tasks.c.entity_id, t.tasks.c.assignee, t.tasks.c.due,
                                          t.tasks.c.section).where(
            t.tasks.c.entity_kind == "team_activity", t.tasks.c.entity_id.like("appraisal:%"))
            .order_by(t.tasks.c.entity_id)).all()
    assert outcome.tasks_opened >= 2  # other duties kept per staff member start too
    assert [tuple(row) for row in found] == [
        ("appraisal:sw1", "tm1", date(2027, 3, 2), "8"),
        ("appraisal:tm1", "hos1", date(2027, 3, 2), "8")]
    before = snapshot(app.engine)
    start_for_staff_list(app.service, now=NOW)
    assert snapshot(app.engine) == before
    app.engine.dispose()
