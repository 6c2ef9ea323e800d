"""``policy lint``: conflicts inside one policy, intervals that contradict each other, and every
schema fault of a file at once (the loader's refusals themselves are tested in test_policy.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from oversight.adapters.policy_files import lint_policy_file, load_policy
from oversight.states.policy.lint import lint, schema_findings
from oversight.states.policy.model import Policy
from tests.policy_versions import shipped, write_policy
from tests.unit.policy_scenarios import POLICIES


def linted(mapping: dict[str, Any]) -> list[tuple[str, str, str]]:
    policy = Policy.from_mapping(mapping, source="test.yaml")
    return [(f.severity, f.rule, f.message) for f in lint(policy)]


def test_devon_lint_reports_the_nqsw_conflict_with_both_passages_and_the_one_applied():
    """§4.1 (two-weekly for three months) against §5.2: the file applies §5.2 in both phases."""
    conflicts = [f for f in lint(load_policy("devon")) if f.other is not None]
    assert [(f.severity, f.rule) for f in conflicts] == [
        ("warning", "asye.phases.weekly"), ("warning", "asye.phases.fortnightly")]
    weekly = conflicts[0]
    assert weekly.other["section"] == "4.1"
    assert "two-weekly for the first three months" in weekly.other["quote"]
    assert weekly.applied == {"section": "5.2",
                              "quote": "Weekly Supervision for the first 6 weeks."}
    assert "the file applies §5.2" in weekly.message and "§4.1 says" in weekly.message
    assert "(every week; until 6 weeks)" in weekly.message


@pytest.mark.parametrize("authority", POLICIES)
def test_the_five_shipped_policies_lint_without_errors(authority):
    """Warnings are for people to read; none of the five files has an error."""
    assert [f for f in lint(load_policy(authority)) if f.severity == "error"] == []


def test_a_high_risk_interval_not_shorter_than_the_usual_one_is_an_error():
    """Devon CIN 'high risk' every 2 months, like its usual interval, contradicts the key."""
    mapping = shipped("devon")
    cin = next(c for c in mapping["child_supervision"]["cases"] if c["case_type"] == "cin")
    cin["high_risk"] = {"months": 2}
    assert ("error", "child_supervision.cases.cin",
            "high_risk (2 months) is not shorter than every (2 months)") in linted(mapping)


def test_an_if_assessed_interval_not_longer_than_the_usual_one_is_an_error():
    """Surrey CWD 'if assessed' every 2 months, closer than 3, contradicts the key."""
    mapping = shipped("surrey")
    cwd = next(c for c in mapping["child_supervision"]["cases"] if c["case_type"] == "cwd")
    cwd["if_assessed"] = {"months": 2}
    assert ("error", "child_supervision.cases.cwd",
            "if_assessed (2 months) is not longer than every (3 months)") in linted(mapping)


def test_a_recurring_interval_of_zero_is_an_error():
    """A monthly group supervision written as every 0 months would fall due forever."""
    mapping = shipped("devon")
    mapping["team_activities"][0]["every"] = {"months": 0}
    found = linted(mapping)
    assert ("error", "team_activities.group_supervision") in [(s, r) for s, r, _ in found]


def test_two_rules_with_one_path_are_an_error():
    """Two team activities named alike could not be told apart in a task's citation."""
    mapping = shipped("hull")
    mapping["team_activities"][1]["activity"] = "reflective_discussion"
    errors = [(rule, message) for severity, rule, message in linted(mapping)
              if severity == "error"]
    assert errors == [("team_activities.reflective_discussion",
                       "2 rules have this path: tasks could cite only one of them; give each a "
                       "distinct name")]


def test_an_escalation_slower_than_a_weekly_cadence_is_a_warning():
    """Ten working days to escalate a missed weekly session: the next is due first."""
    mapping = shipped("hull")
    mapping["escalation"]["respond_within"] = {"working_days": 10}
    warned = {rule for severity, rule, _ in linted(mapping) if severity == "warning"}
    assert {"personal_supervision.roles.student", "asye.phases.weekly"} <= warned
    assert "asye.phases.fortnightly" not in warned  # ten working days: two weeks, not longer


def test_an_early_phase_no_closer_than_the_usual_interval_is_a_warning():
    """Hull returners 'initially' every 6 weeks, against monthly after, change nothing."""
    mapping = shipped("hull")
    mapping["personal_supervision"]["roles"]["returner"]["initially"][0]["every"] = {"weeks": 6}
    assert ("warning", "personal_supervision.roles.returner",
            "initially[0].every (6 weeks) is not closer than every (1 month): the early phase "
            "changes nothing") in linted(mapping)


def test_an_asye_review_at_or_after_the_final_assessment_is_a_warning():
    """A review at 12 months in a 12-month ASYE comes with the final assessment, not before."""
    mapping = shipped("hull")
    mapping["asye"]["reviews"][1]["at"] = {"months": 12}
    assert ("warning", "asye.reviews.six_month",
            "at 12 months, not before the final assessment (12 months)") in linted(mapping)


def test_an_oversight_point_past_the_extended_limit_is_an_error():
    """Surrey's day-35 point moved to day 50 falls after the 45-day statutory limit."""
    mapping = shipped("surrey")
    mapping["assessment"]["oversight_points"][3]["due"] = {"working_days": 50}
    assert ("error", "assessment.oversight_points.day35",
            "due 50 working days after the start, past the extended limit (45 working days)") \
        in linted(mapping)


def test_lint_lists_every_schema_fault_of_a_file_each_with_its_key_and_reason(tmp_path: Path):
    """A typo, an unknown role, a negative interval and a missing cite: four findings at once,
    where loading stops at the first."""
    mapping = shipped("surrey")
    mapping["escalaton"] = mapping.pop("escalation")
    mapping["personal_supervision"]["roles"]["wizard"] = {
        "every": {"weeks": 1}, "cite": {"section": "4.1", "quote": "Wizards"}}
    mapping["asye"]["final"]["at"] = {"months": -12}
    del mapping["assessment"]["oversight_points"][1]["cite"]
    findings = lint_policy_file(write_policy(tmp_path / "surrey.yaml", mapping))
    assert {(f.severity, f.rule, f.message.split(",")[0]) for f in findings} >= {
        ("error", "escalaton", "unknown key (a typo?)"),
        ("error", "escalation", "required key is missing"),
        ("error", "personal_supervision.roles.wizard",
         "Input should be 'student'"),
        ("error", "asye.final.at.months", "Input should be greater than or equal to 0"),
        ("error", "assessment.oversight_points[1].cite", "required key is missing"),
    }


def test_lint_of_a_file_that_is_not_yaml_is_one_error_naming_the_line(tmp_path: Path):
    """Broken YAML cannot be checked further: one finding, at its line."""
    path = tmp_path / "surrey.yaml"
    path.write_text("authority: surrey\nname: [unclosed\n", encoding="utf-8")
    [finding] = lint_policy_file(path)
    assert (finding.severity, finding.rule) == ("error", "line 3")
    assert finding.message.startswith("not valid YAML")


def test_a_file_that_is_not_a_mapping_is_one_schema_finding():
    """A list at the top level is refused before any key is looked at."""
    assert [(f.rule, f.message) for f in schema_findings(["surrey"])] == [
        ("", "a policy file must be a mapping of keys to values")]


# ----- a quote that states no time ------------------------------------------------------------


def timeless(mapping: dict[str, Any]) -> list[tuple[str, str]]:
    return [(rule, message) for severity, rule, message in linted(mapping)
            if severity == "warning" and "holds no word of time" in message]


def test_a_rule_quoting_a_template_is_warned_that_the_quote_holds_no_word_of_time():
    """Surrey's senior managers as they were: §Appendix 6's agenda template, which times
    nothing, cited for every 8 weeks."""
    mapping = shipped("surrey")
    mapping["personal_supervision"]["roles"]["senior_manager"]["cite"] = {
        "section": "Appendix 6", "quote": "Template be used to support supervision for managers."}
    assert timeless(mapping) == [(
        "personal_supervision.roles.senior_manager",
        "the quote \u201cTemplate be used to support supervision for managers.\u201d holds no word "
        "of time, so it does not state what the rule times (every 8 weeks): cite the sentence "
        "that does, or say in a note that the file decided it")]


def test_a_rule_quoting_its_frequency_is_not_warned():
    """§4.1's 'Managerial staff 4 – 8 weekly', the sentence that states the 8 weeks."""
    mapping = shipped("surrey")
    mapping["personal_supervision"]["roles"]["senior_manager"]["cite"] = {
        "section": "4.1", "quote": "Managerial staff 4 – 8 weekly"}
    assert timeless(mapping) == []


def test_a_note_that_only_repeats_the_interval_does_not_excuse_a_timeless_quote():
    """The old note 'so the same 8 weeks applies' names the span but not as the file's own
    decision: the template citation is still warned."""
    mapping = shipped("surrey")
    mapping["personal_supervision"]["roles"]["senior_manager"]["cite"] = {
        "section": "Appendix 6", "quote": "Template be used to support supervision for managers.",
        "note": "Appendix 6 supervises senior managers with managers, so the same 8 weeks applies."}
    assert [rule for rule, _ in timeless(mapping)] == ["personal_supervision.roles.senior_manager"]


def test_a_note_saying_the_file_chose_the_interval_excuses_a_quote_without_one():
    """Hull's escalation quotes the route, and its note '5 working days is this file's choice'
    says where the time comes from; with the note gone the quote is warned."""
    mapping = shipped("hull")
    assert timeless(mapping) == []
    del mapping["escalation"]["cite"]["note"]
    assert [rule for rule, _ in timeless(mapping)] == ["escalation"]


@pytest.mark.parametrize("authority", POLICIES)
def test_every_shipped_rule_quotes_a_word_of_time_or_notes_the_files_choice(authority):
    """No shipped rule cites a template, a list of roles or a title for an interval."""
    assert [f.rule for f in lint(load_policy(authority))
            if "holds no word of time" in f.message] == []
