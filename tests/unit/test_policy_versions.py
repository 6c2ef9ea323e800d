"""Policy versions: the files' layout, the version in force on a day, and which due dates a new
version moves (replan's arithmetic)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from oversight.adapters.policy_files import (
    load_policy,
    load_policy_book,
    load_policy_file,
    load_policy_ref,
    policy_ref_path,
)
from oversight.states.errors import PolicyError
from oversight.states.policy.book import PolicyBook
from oversight.states.policy.model import Policy
from oversight.states.views.replan import plan_replan
from tests.policy_versions import qualified_every, shipped, with_version, write_policy


def version_of(authority: str, version: str, effective_from: date,
               edit: Callable[[dict[str, Any]], None] | None = None) -> Policy:
    mapping = shipped(authority)
    mapping.update(version=version, effective_from=effective_from)
    if edit is not None:
        edit(mapping)
    return Policy.from_mapping(mapping, source=f"{authority}/{version}.yaml")


# ----- the version in force --------------------------------------------------------------------


def test_the_version_in_force_is_the_last_to_take_effect_on_or_before_the_day():
    """Three Surrey versions: each day falls under the latest one already in effect."""
    first = load_policy("surrey")  # 2024-12, from 18 December 2024
    second = version_of("surrey", "2026-04", date(2026, 4, 1))
    third = version_of("surrey", "2027-01", date(2027, 1, 1))
    book = PolicyBook.of(third, first, second, current=first)
    assert [p.version for p in book.versions] == ["2024-12", "2026-04", "2027-01"]
    assert book.in_force(date(2026, 3, 31)).version == "2024-12"
    assert book.in_force(date(2026, 4, 1)).version == "2026-04"
    assert book.in_force(date(2026, 12, 31)).version == "2026-04"
    assert book.in_force(date(2027, 1, 1)).version == "2027-01"
    assert (book.current.version, book.latest.version) == ("2024-12", "2027-01")


def test_before_the_first_version_takes_effect_the_first_applies():
    """A store never has a day without rules: 2020 runs under Surrey's December 2024 version."""
    book = PolicyBook.of(load_policy("surrey"))
    assert book.in_force(date(2020, 1, 1)).version == "2024-12"


def test_two_versions_taking_effect_on_one_day_are_refused():
    """Which of the two would be in force that day is not said: the book names both."""
    with pytest.raises(PolicyError) as refused:
        PolicyBook.of(version_of("surrey", "a", date(2026, 4, 1)),
                      version_of("surrey", "b", date(2026, 4, 1)))
    assert refused.value.key == "effective_from"
    assert "versions 'a' and 'b' both take effect on 2026-04-01" in refused.value.reason


def test_versions_of_two_authorities_do_not_make_one_book():
    """Surrey and Hull versions are refused together."""
    with pytest.raises(PolicyError, match="different authorities: hull, surrey"):
        PolicyBook.of(load_policy("surrey"), load_policy("hull"))


def test_asking_for_a_version_the_book_does_not_have_lists_those_it_has():
    """An unknown version is one error naming the versions there are."""
    with pytest.raises(PolicyError, match=r"no version '2030' of the surrey policy \(versions: "
                                          r"2024-12\)"):
        PolicyBook.of(load_policy("surrey")).version("2030")


# ----- the files -------------------------------------------------------------------------------


def test_the_loader_reads_the_current_file_and_the_versions_folder(tmp_path: Path):
    """<dir>/surrey.yaml is current; <dir>/surrey/2026-04.yaml a later version of it."""
    folder = with_version(tmp_path, "surrey", "2026-04", date(2026, 4, 1), qualified_every(2))
    book = load_policy_book("surrey", folder)
    assert [p.version for p in book.versions] == ["2024-12", "2026-04"]
    assert book.current.version == "2024-12"
    assert book.in_force(date(2026, 4, 1)).cadence_for("qualified_social_worker").every.weeks == 2


def test_a_plain_policy_folder_is_a_book_of_one_version():
    """The shipped folder has no versions folders: each book holds its current file only."""
    assert [p.version for p in load_policy_book("devon").versions] == ["2025-02"]


def test_a_version_file_named_unlike_its_version_is_refused_with_file_key_and_reason(
        tmp_path: Path):
    """surrey/2026-04.yaml that says version 2026-05 is refused at its 'version' key."""
    mapping = shipped("surrey")
    mapping.update(version="2026-05", effective_from="2026-05-01")
    path = write_policy(tmp_path / "surrey" / "2026-04.yaml", mapping)
    with pytest.raises(PolicyError) as refused:
        load_policy_file(path)
    assert (refused.value.source, refused.value.key, refused.value.reason) == (
        str(path), "version", "'2026-05' does not match the file name '2026-04'")


def test_the_current_version_kept_again_in_the_folder_must_be_the_same(tmp_path: Path):
    """A copy of surrey.yaml's version in surrey/ that differs from it is refused."""
    folder = with_version(tmp_path, "surrey", "2024-12", date(2024, 12, 18), qualified_every(2))
    with pytest.raises(PolicyError, match="differs from surrey.yaml"):
        load_policy_book("surrey", folder)


def test_a_policy_is_named_by_authority_by_version_or_by_path(tmp_path: Path):
    """'surrey', 'surrey@2026-04', 'surrey@2024-12' (the current file) and a path all resolve."""
    folder = with_version(tmp_path, "surrey", "2026-04", date(2026, 4, 1), qualified_every(2))
    assert policy_ref_path("surrey", folder) == folder / "surrey.yaml"
    assert policy_ref_path("surrey@2026-04", folder) == folder / "surrey" / "2026-04.yaml"
    assert policy_ref_path("surrey@2024-12", folder) == folder / "surrey.yaml"
    assert load_policy_ref(str(folder / "surrey" / "2026-04.yaml")).version == "2026-04"
    with pytest.raises(PolicyError, match=r"no version '1999' of the surrey policy"):
        policy_ref_path("surrey@1999", folder)


# ----- replan's arithmetic ---------------------------------------------------------------------


def task(rule: str, version: str, start: str, interval: str, result: str, due: str | None = None,
         key: str = "supervision:2") -> dict[str, Any]:
    """An open task row as the store holds it."""
    return {"id": f"relationship:tm1:sw2:{key}", "entity_kind": "relationship",
            "entity_id": "tm1:sw2", "key": key, "type": "personal_supervision",
            "due": date.fromisoformat(due or result),
            "rule": {"authority": "surrey", "section": "4.1", "rule": rule, "version": version},
            "basis": {"start": start, "interval": interval, "result": result}}


QUALIFIED = "personal_supervision.roles.qualified_social_worker"


@pytest.fixture
def fortnightly_book() -> PolicyBook:
    """Surrey 2024-12 and a version from 1 February 2026 that sees qualified staff fortnightly."""
    later = version_of("surrey", "2026-02", date(2026, 2, 1), qualified_every(2))
    return PolicyBook.of(load_policy("surrey"), later)


def test_a_due_date_moves_by_the_new_interval_counted_from_the_same_start(fortnightly_book):
    """Held 2 Feb: due 2 March at 4 weeks, 16 February at 2 weeks: 14 days earlier."""
    plan = plan_replan(fortnightly_book, fortnightly_book.latest,
                       [task(QUALIFIED, "2024-12", "2026-02-02", "4 weeks", "2026-03-02")])
    [move] = plan.moves
    assert (move.old_due, move.new_due, move.days) == (date(2026, 3, 2), date(2026, 2, 16), -14)
    assert (move.part, move.old_interval, move.new_interval) == ("every", "4 weeks", "2 weeks")
    assert move.basis.explain() == "2026-02-02 + 2 weeks = 2026-02-16"


def test_a_new_date_before_the_version_takes_effect_is_held_back_to_that_day(fortnightly_book):
    """Held 12 January and due 9 February: two weeks give 26 January, before the version's
    1 February, so it moves to 1 February; one held 26 January moves to 9 February."""
    plan = plan_replan(fortnightly_book, fortnightly_book.latest, [
        task(QUALIFIED, "2024-12", "2026-01-26", "4 weeks", "2026-02-23", key="supervision:3"),
        task(QUALIFIED, "2024-12", "2026-01-12", "4 weeks", "2026-02-09", key="supervision:2")])
    moves = {m.key: (m.new_due, m.held_back) for m in plan.moves}
    assert moves == {"supervision:3": (date(2026, 2, 9), False),
                     "supervision:2": (date(2026, 2, 1), True)}


def test_a_task_due_before_the_version_takes_effect_keeps_its_date(fortnightly_book):
    """Due 26 January under 2024-12: it fell due before 2026-02 applied."""
    plan = plan_replan(fortnightly_book, fortnightly_book.latest,
                       [task(QUALIFIED, "2024-12", "2025-12-29", "4 weeks", "2026-01-26")])
    assert plan.moves == []
    assert plan.kept == [("relationship:tm1:sw2:supervision:2",
                          "due before version 2026-02 takes effect")]


def test_a_task_already_under_the_version_and_an_unmoved_one_keep_their_dates(fortnightly_book):
    """A task raised under 2026-02, and an agreement the version does not change."""
    plan = plan_replan(fortnightly_book, fortnightly_book.latest, [
        task(QUALIFIED, "2026-02", "2026-02-02", "2 weeks", "2026-02-16"),
        task("relationship.agreement", "2024-12", "2026-02-02", "0 working days", "2026-02-02",
             key="agreement")])
    assert (plan.moves, plan.unchanged, plan.kept) == ([], 2, [])


def test_a_move_made_after_the_task_was_opened_is_kept(fortnightly_book):
    """An ASYE-like pause moved the due date 21 days on; the new date keeps those 21 days."""
    plan = plan_replan(fortnightly_book, fortnightly_book.latest, [
        task(QUALIFIED, "2024-12", "2026-02-02", "4 weeks", "2026-03-02", due="2026-03-23")])
    [move] = plan.moves
    assert (move.new_due, move.days) == (date(2026, 3, 9), -14)
    # Mon 2 Feb + 2 weeks = Mon 16 Feb, + the 21 days (Mon 2 Mar to Mon 23 Mar) = Mon 9 Mar.
    assert move.basis.explain() == \
        "2 weeks after Mon 2 Feb 2026 = Mon 16 Feb 2026, + 21 days paused = Mon 9 Mar 2026"


def test_a_high_risk_discussion_moves_by_the_new_high_risk_interval():
    """Devon CIN high risk: monthly, then every 3 weeks; the usual 2 months is untouched."""
    def cin_three_weekly(mapping):  # type: ignore[no-untyped-def]
        cin = next(c for c in mapping["child_supervision"]["cases"] if c["case_type"] == "cin")
        cin["high_risk"] = {"weeks": 3}

    book = PolicyBook.of(load_policy("devon"),
                         version_of("devon", "2026-04", date(2026, 4, 1), cin_three_weekly))
    row = task("child_supervision.cases.cin", "2025-02", "2026-04-06", "1 month (high risk)",
               "2026-05-06", key="discussion:3")
    [move] = plan_replan(book, book.latest, [row]).moves
    assert (move.part, move.new_due, move.days) == ("high_risk", date(2026, 4, 27), -9)


def test_a_rule_the_new_version_drops_leaves_its_tasks_with_a_reason():
    """Surrey without a student cadence: a student's open session cannot be re-timed."""
    def no_students(mapping):  # type: ignore[no-untyped-def]
        del mapping["personal_supervision"]["roles"]["student"]

    book = PolicyBook.of(load_policy("surrey"),
                         version_of("surrey", "2026-02", date(2026, 2, 1), no_students))
    plan = plan_replan(book, book.latest, [task("personal_supervision.roles.student", "2024-12",
                                                "2026-02-02", "1 week", "2026-02-09")])
    assert plan.kept == [("relationship:tm1:sw2:supervision:2",
                          "version 2026-02 has no rule personal_supervision.roles.student")]
