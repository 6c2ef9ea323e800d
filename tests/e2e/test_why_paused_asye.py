"""`oversight why` on an ASYE task a pause moved: the arithmetic of the date it has now (the
count, the pause, then the one roll: DOMAIN.md's "shifts first, one roll last"), written to the
task's row by the rescheduling, and the history's line for the move.

Surrey's ASYE (the national framework, adopted by surrey §5.2): the 3-month review. sw1 enrols
on Fri 31 Jul 2026: 3 months is Sat 31 Oct, moved to Mon 2 Nov (weekend). Paused Mon 3 Aug,
resumed Thu 13 Aug: 10 days, so Sat 31 Oct + 10 = Tue 10 Nov 2026, a working day, not rolled.
The clock is fixed at Tue 1 Sep 2026, noon UTC, before the review falls due.
"""

from __future__ import annotations

from pathlib import Path

import freezegun
import pytest

from tests.e2e.conftest import Invoke, json_of, task_by_id

REVIEW = "asye:sw1:review:three_month"
PAUSED = ("Due date: 3 months after Fri 31 Jul 2026 = Sat 31 Oct 2026, + 10 days paused = "
          "Tue 10 Nov 2026")


@pytest.fixture
def paused(store: Path, oversight: Invoke) -> Invoke:
    """sw1 enrolled Fri 31 Jul 2026, paused Mon 3 Aug (event p1), resumed Thu 13 Aug (r1)."""
    with freezegun.freeze_time("2026-09-01T12:00:00+00:00"):
        for args in (("asye_enrolled", "2026-07-31", "-f", "supervisor=tm1"),
                     ("asye_paused", "2026-08-03", "-f", "event_id=p1"),
                     ("asye_resumed", "2026-08-13", "-f", "event_id=r1")):
            done = oversight("event", "--type", args[0], "--on", args[1], "-f", "worker=sw1",
                             *args[2:])
            assert done.exit_code == 0, done.stderr
    return oversight


def test_why_on_a_paused_asye_review_shows_the_count_the_pause_and_no_later_rescheduling(
        paused: Invoke):
    """Due Tue 10 Nov 2026; the one arithmetic line is the one that gives it; no "then
    rescheduled to" after the opening's Mon 2 Nov."""
    with freezegun.freeze_time("2026-09-01T12:00:00+00:00"):
        task = task_by_id(json_of(paused("tasks", "--json")), REVIEW)
        why = paused("why", REVIEW)
    assert task["due"] == "2026-11-10"
    assert why.exit_code == 0, why.stderr
    assert "Raised on 2026-07-31, due 2026-11-10" in why.stdout
    assert PAUSED in why.stdout
    assert "rescheduled" not in why.stdout
    assert "Mon 2 Nov" not in why.stdout and "State: open, due 2026-11-10" in why.stdout


def test_the_history_keeps_the_move_for_the_pause_with_its_arithmetic(paused: Invoke):
    """The resumption's audit line says the review moved and how: the same arithmetic."""
    with freezegun.freeze_time("2026-09-01T12:00:00+00:00"):
        history = paused("history", "asye:sw1", "--json")
    assert history.exit_code == 0, history.stderr
    triggers = [line["trigger"] for line in json_of(history)]
    assert ("review:three_month moved for the pause: 3 months after Fri 31 Jul 2026 = "
            "Sat 31 Oct 2026, + 10 days paused = Tue 10 Nov 2026") in triggers


def test_the_pause_retracted_gives_back_the_opening_date_and_its_arithmetic_on_the_same_task(
        paused: Invoke):
    """Pause and resumption retracted: the re-derived review keeps its id, due Mon 2 Nov again,
    and why shows the opening's arithmetic (Sat 31 Oct moved to Mon 2 Nov, a weekend), with
    no "then rescheduled"."""
    with freezegun.freeze_time("2026-09-01T12:00:00+00:00"):
        for event_id in ("r1", "p1"):
            done = paused("event", "retract", event_id, "--reason", "entered for the wrong worker")
            assert done.exit_code == 0, done.stderr
        task = task_by_id(json_of(paused("tasks", "--json")), REVIEW)
        why = paused("why", REVIEW)
    assert task["due"] == "2026-11-02" and task["state"] == "open"
    assert ("Due date: 3 months after Fri 31 Jul 2026 = Sat 31 Oct 2026, moved to Mon 2 Nov "
            "2026 (weekend)") in why.stdout
    assert "rescheduled" not in why.stdout and "paused" not in why.stdout


def test_a_pause_recorded_late_writes_the_same_arithmetic_as_one_recorded_in_time(
        store: Path, oversight: Invoke):
    """Enrolled, then a direct observation of Fri 21 Aug recorded, then the pause (Mon 3 to
    Thu 13 Aug) recorded late, re-deriving the journey: the review is due Tue 10 Nov with the
    pause's arithmetic, as in time."""
    with freezegun.freeze_time("2026-09-01T12:00:00+00:00"):
        for args in (("asye_enrolled", "2026-07-31", "-f", "worker=sw1", "-f", "supervisor=tm1"),
                     ("asye_evidence_recorded", "2026-08-21", "-f", "worker=sw1",
                      "-f", "kind=direct_observation"),
                     ("asye_paused", "2026-08-03", "-f", "worker=sw1"),
                     ("asye_resumed", "2026-08-13", "-f", "worker=sw1")):
            done = oversight("event", "--type", args[0], "--on", args[1], *args[2:])
            assert done.exit_code == 0, done.stderr
        task = task_by_id(json_of(oversight("tasks", "--json")), REVIEW)
        why = oversight("why", REVIEW)
        history = [line["trigger"] for line in json_of(oversight("history", "asye:sw1", "--json"))]
    assert "rederive" in history  # the pause came late: the journey was re-derived
    assert task["due"] == "2026-11-10"
    assert PAUSED in why.stdout and "rescheduled" not in why.stdout
