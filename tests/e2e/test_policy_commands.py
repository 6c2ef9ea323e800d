"""`oversight policy show|lint|diff|compare` and `oversight replan` end to end."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.conftest import Invoke, json_of
from tests.policy_versions import qualified_every, shipped, with_version, write_policy

STAFF = """\
staff:
  - {id: tm1, role: manager, started: 2018-04-03, qualified: 2012-07-01}
  - {id: sw2, role: qualified_social_worker, started: 2021-09-01, manager: tm1,
     qualified: 2020-07-01}
"""
PAIR = {"supervisor": "tm1", "supervisee": "sw2"}


def typo_file(tmp_path: Path) -> Path:
    mapping = shipped("devon")
    mapping["escalaton"] = mapping.pop("escalation")
    return write_policy(tmp_path / "devon.yaml", mapping)


# ----- policy show, lint, diff, compare -------------------------------------------------------


def test_policy_show_lists_every_devon_rule_with_section_interval_in_words_and_quote(
        oversight: Invoke):
    """The table has the four columns and Devon's fortnightly ASYE phase, quoted."""
    result = oversight("policy", "show", "devon")
    assert result.exit_code == 0, result.stderr
    for text in ("§", "Rule", "What it times", "Quote", "asye.phases.fortnightly",
                 "every 2 weeks; until 6 months", "From 6 weeks to 6 months, fortnightly",
                 "version 2025-02, in effect from 2025-02-24"):
        assert text in result.stdout


def test_policy_show_json_gives_each_rule_its_path_intervals_and_citation(oversight: Invoke):
    """Programs get every rule with its section, words, intervals, quote, source and note."""
    shown = json_of(oversight("policy", "show", "surrey", "--json"))
    assert (shown["authority"], shown["version"], shown["effective_from"]) == (
        "surrey", "2024-12", "2024-12-18")
    rules = {rule["rule"]: rule for rule in shown["rules"]}
    day10 = rules["assessment.oversight_points.day10"]
    assert (day10["section"], day10["times"], day10["intervals"]) == (
        "4.1", "due 10 working days after the start", {"due": "10 working days"})
    assert day10["quote"].startswith("At day 10")


def test_policy_lint_devon_passes_and_reports_the_section_4_1_conflict(oversight: Invoke):
    """Exit 0 with two warnings: §4.1's two-weekly three months against §5.2, which applies."""
    result = oversight("policy", "lint", "devon")
    assert result.exit_code == 0, result.stderr
    assert "0 error(s), 2 warning(s)" in result.stdout
    linted = json_of(oversight("policy", "lint", "devon", "--json"))
    assert [(f["rule"], f["other"]["section"], f["applied"]["section"])
            for f in linted["findings"]] == [("asye.phases.weekly", "4.1", "5.2"),
                                             ("asye.phases.fortnightly", "4.1", "5.2")]


def test_policy_lint_of_a_file_with_a_typo_fails_naming_file_key_and_reason(
        oversight: Invoke, tmp_path: Path):
    """Exit 1; each finding has the file, the key as written and the reason."""
    path = typo_file(tmp_path)
    result = oversight("policy", "lint", str(path), "--json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert found["errors"] == 2
    assert {(f["file"], f["rule"], f["message"]) for f in found["findings"]} == {
        (str(path), "escalaton", "unknown key (a typo?)"),
        (str(path), "escalation", "required key is missing")}
    table = oversight("policy", "lint", str(path))
    assert table.exit_code == 1 and "escalaton" in table.stdout and "2 error(s)" in table.stdout


def test_every_policy_command_refuses_a_bad_file_in_one_line(oversight: Invoke, tmp_path: Path):
    """`policy show` and `policy diff` on the typo file: one line with file, key and reason."""
    path = typo_file(tmp_path)
    for args in (("policy", "show", str(path)), ("policy", "diff", "devon", str(path))):
        result = oversight(*args)
        assert result.exit_code == 1
        assert result.stderr == (f"error: {path}: escalaton: unknown key (a typo?) "
                                 f"(and 1 more problem)\n")


def test_policy_diff_of_two_versions_lists_only_the_rule_that_changed(
        oversight: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """surrey against surrey@2026-04 in a policy folder: the qualified cadence alone differs."""
    folder = with_version(tmp_path, "surrey", "2026-04", date(2026, 4, 1), qualified_every(2))
    monkeypatch.setenv("OVERSIGHT_POLICY_DIR", str(folder))
    found = json_of(oversight("policy", "diff", "surrey", "surrey@2026-04", "--json"))
    assert (found["a"]["version"], found["b"]["version"]) == ("2024-12", "2026-04")
    assert [(r["rule"], r["change"], r["a"]["times"], r["b"]["times"]) for r in found["rules"]] == [
        ("personal_supervision.roles.qualified_social_worker", "changed", "every 4 weeks",
         "every 2 weeks")]
    table = oversight("policy", "diff", "surrey", "surrey@2026-04")
    assert "1 rule(s) differ" in table.stdout and "timing" in table.stdout


def test_policy_diff_across_authorities_puts_their_rules_side_by_side(oversight: Invoke):
    """Surrey against Hull: rules only in one of them, and timings that differ."""
    found = json_of(oversight("policy", "diff", "surrey", "hull", "--timing", "--json"))
    changes = {r["rule"]: r["change"] for r in found["rules"]}
    assert changes["personal_supervision.roles.residential"] == "only_in_a"
    assert changes["retention"] == "only_in_b"
    assert changes["personal_supervision.roles.qualified_social_worker"] == "changed"
    assert "asye.reviews.three_month" not in changes  # cited differently, timed alike
    result = oversight("policy", "diff", "surrey", "hull")
    assert "only in A" in result.stdout and "only in B" in result.stdout


def test_policy_compare_prints_the_readme_table_for_the_five_policies(oversight: Invoke):
    """--markdown is the file docs/policy-comparison.md; the table shows the ASYE row."""
    result = oversight("policy", "compare", "--markdown", "surrey", "sunderland", "systemic",
                       "devon", "hull")
    assert result.exit_code == 0, result.stderr
    document = Path(__file__).resolve().parents[2] / "docs" / "policy-comparison.md"
    assert result.stdout == document.read_text(encoding="utf-8")
    table = oversight("policy", "compare")
    assert "ASYE / NQSW, first year" in table.stdout and "29" in table.stdout
    rows = json_of(oversight("policy", "compare", "--json"))["rows"]
    assert rows[0]["numbers"]["surrey"] == {"sessions": 29}


# ----- replan ---------------------------------------------------------------------------------


@pytest.fixture
def supervised(home: Path, oversight: Invoke, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Surrey store whose folder has version 2025-02 (qualified staff fortnightly from
    17 February 2025); tm1 held sw2's supervision on 3 February 2025, so the next is due on
    3 March under 2024-12."""
    folder = with_version(tmp_path / "policies", "surrey", "2025-02", date(2025, 2, 17),
                          qualified_every(2))
    monkeypatch.setenv("OVERSIGHT_POLICY_DIR", str(folder))
    staff = tmp_path / "staff.yaml"
    staff.write_text(STAFF, encoding="utf-8")
    assert oversight("init").exit_code == 0
    assert oversight("import", "staff", str(staff)).exit_code == 0
    for type_, on in (("relationship_started", "2025-01-06"), ("agreement_signed", "2025-01-06"),
                      ("supervision_held", "2025-02-03")):
        recorded = oversight("event", json.dumps({"type": type_, "on": on, **PAIR}))
        assert recorded.exit_code == 0, recorded.stderr
    return home


def open_supervision(oversight: Invoke) -> dict:
    [task] = [t for t in json_of(oversight("tasks", "--open", "--json"))
              if t["type"] == "personal_supervision"]
    return task


def test_replan_dry_run_shows_the_due_date_that_moves_and_changes_nothing(
        supervised: Path, oversight: Invoke):
    """Under 2025-02 the session due 3 March is due 17 February: 14 days earlier, not yet moved."""
    plan = json_of(oversight("replan", "--policy", "surrey", "--dry-run", "--json"))
    assert (plan["version"], plan["applied"]) == ("2025-02", False)
    assert [(m["task"], m["old_due"], m["new_due"], m["days"], m["old_interval"],
             m["new_interval"]) for m in plan["moves"]] == [
        ("relationship:tm1:sw2:supervision:2", "2025-03-03", "2025-02-17", -14, "4 weeks",
         "2 weeks")]
    table = oversight("replan", "--policy", "surrey", "--version", "2025-02", "--dry-run")
    assert table.exit_code == 0, table.stderr
    for text in ("2025-03-03", "2025-02-17", "-14 days", "4 weeks → 2 weeks",
                 "Nothing was changed (--dry-run)"):
        assert text in table.stdout
    assert open_supervision(oversight)["due"] == "2025-03-03"


def test_replan_applies_the_move_and_the_task_then_cites_the_new_version(
        supervised: Path, oversight: Invoke):
    """Applied, the task is due 17 February; `why` names version 2025-02 and the new sum."""
    applied = json_of(oversight("replan", "--policy", "surrey", "--json"))
    assert applied["applied"] is True and len(applied["moves"]) == 1
    task = open_supervision(oversight)
    assert task["due"] == "2025-02-17"
    why = oversight("why", task["id"])
    assert "(policy version 2025-02)" in why.stdout
    assert "2025-02-03 + 2 weeks = 2025-02-17" in why.stdout
    history = json_of(oversight("history", "relationship:tm1:sw2", "--json"))
    assert history[-1]["cause"] == "replan:surrey@2025-02"
    assert json_of(oversight("replan", "--dry-run", "--json"))["moves"] == []


def test_replan_for_an_authority_the_store_does_not_run_is_refused(
        supervised: Path, oversight: Invoke):
    """A Surrey store cannot be replanned onto Devon: one line, exit 1."""
    result = oversight("replan", "--policy", "devon", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == "error: this store runs the 'surrey' policy, not 'devon'\n"


def test_replan_onto_a_version_that_does_not_exist_lists_the_versions(
        supervised: Path, oversight: Invoke):
    """--version 2031 is refused, naming 2024-12 and 2025-02."""
    result = oversight("replan", "--version", "2031", "--dry-run")
    assert result.exit_code == 1
    assert "no version '2031' of the surrey policy (versions: 2024-12, 2025-02)" in result.stderr
