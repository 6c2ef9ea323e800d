"""A cancellation may name the relationship instead of a planned session: it cancels the
relationship's next session due, and hull §3's "re-scheduled to take place within 5 working
days" follows. tm1 supervises sw1 from Mon 2 Mar 2026 (no bank holiday in the weeks below)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.integration.test_returners import hull, record  # noqa: F401 - the Hull store fixture


def _reschedules(app: App) -> list[tuple[str, date]]:
    with app.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(t.tasks.c.entity_id,
                                                                t.tasks.c.due).where(
            t.tasks.c.type == "reschedule_session").order_by(t.tasks.c.entity_id))]


def test_cancelling_the_pairs_next_session_with_none_planned_is_rescheduled_within_5_days(
        hull: App) -> None:  # noqa: F811 - the fixture
    """'tm1's session with sw1 was cancelled' on Wed 11 Mar: rescheduled by Wed 18 Mar (Thu 12,
    Fri 13, Mon 16, Tue 17, Wed 18: 5 working days)."""
    record(hull, "session_cancelled", "2026-03-11", supervisor="tm1", supervisee="sw1")
    assert _reschedules(hull) == [("tm1:sw1:2026-03-11", date(2026, 3, 18))]


def test_cancelling_the_pairs_next_session_cancels_the_earliest_planned_one(
        hull: App) -> None:  # noqa: F811 - the fixture
    """Sessions planned for Fri 20 Mar (s1) and Fri 3 Apr (s2); the pair's cancellation on Mon
    16 Mar cancels s1: rescheduled within 5 working days of 20 Mar, by Fri 27 Mar."""
    for session, day in (("s1", "2026-03-20"), ("s2", "2026-04-03")):
        record(hull, "session_planned", "2026-03-02", supervisor="tm1", supervisee="sw1",
               session=session, for_date=day)
    record(hull, "session_cancelled", "2026-03-16", supervisor="tm1", supervisee="sw1")
    assert _reschedules(hull) == [("s1", date(2026, 3, 27))]
