"""`oversight why` shows a deadline moved off a non-working day, and the text a rule comes from."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Invoke, json_of, task_by_id


def test_why_shows_an_asye_review_moved_from_easter_sunday_to_the_tuesday(
        store: Path, oversight: Invoke):
    """Enrolled Mon 5 Jan 2026: 3 months is Sun 5 Apr, Easter Monday follows: due Tue 7 Apr."""
    enrolled = oversight("event", "--type", "asye_enrolled", "--on", "2026-01-05",
                         "-f", "worker=sw1", "-f", "supervisor=tm1")
    assert enrolled.exit_code == 0, enrolled.stderr
    task = task_by_id(json_of(oversight("tasks", "--json")), "asye:sw1:review:three_month")
    assert task["due"] == "2026-04-07"
    why = oversight("why", "asye:sw1:review:three_month")
    assert why.exit_code == 0, why.stderr
    assert ("Due date: 3 months after Mon 5 Jan 2026 = Sun 5 Apr 2026, moved to Tue 7 Apr 2026 "
            "(weekend, Easter Monday)") in why.stdout
    assert "rescheduled" not in why.stdout  # the move is the due date, not a later change


def test_why_names_the_national_text_of_a_rule_and_the_local_section_adopting_it(
        store: Path, oversight: Invoke):
    """The ASYE's final assessment cites the national framework, adopted by surrey §5.2."""
    enrolled = oversight("event", "--type", "asye_enrolled", "--on", "2026-01-05",
                         "-f", "worker=sw1", "-f", "supervisor=tm1")
    assert enrolled.exit_code == 0, enrolled.stderr
    final = next(t for t in json_of(oversight("tasks", "--json"))
                 if t["type"] == "asye_final_assessment")
    why = oversight("why", final["id"])
    assert why.exit_code == 0, why.stderr
    assert "Rule: ASYE framework Reviews (adopted by surrey §5.2) asye.final" in why.stdout
    assert "the final assessment at 12 months" in why.stdout
    assert "adopted by surrey §5.2" in why.stdout
