"""True citations: each rule cites the text that states it, the local section or a national text
(with the local section adopting it), and lint catches a section or a quote that does not hold."""

from __future__ import annotations

from typing import Any

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.errors import PolicyError
from oversight.states.policy.lint import lint
from oversight.states.policy.model import Policy
from oversight.states.policy.quote_words import names_time, spans_in
from tests.policy_versions import shipped


def findings(mapping: dict[str, Any]) -> list[tuple[str, str, str]]:
    policy = Policy.from_mapping(mapping, source="test.yaml")
    return [(f.severity, f.rule, f.message) for f in lint(policy)]


# ----- where each rule comes from ---------------------------------------------------------------


@pytest.mark.parametrize("authority", ["sunderland", "systemic", "devon", "hull"])
def test_the_45_working_days_cite_working_together_where_the_policy_does_not_state_them(authority):
    """Sunderland §6, systemic §5, Devon §5.1 and Hull §2 say nothing of 45 days: no adoption."""
    cite = load_policy(authority).assessment.extended_limit.cite
    assert (cite.source, cite.section, cite.adopted_by) == (
        "national/working-together-2023", "Chapter 3", None)
    assert cite.label == "Working Together 2023 Chapter 3"


def test_surrey_s4_1_restates_the_45_working_days_and_is_cited_as_adopting_them():
    """Surrey §4.1: 'decision to extend the assessment to 45 working days'."""
    cite = load_policy("surrey").assessment.extended_limit.cite
    assert cite.source == "national/working-together-2023"
    assert cite.adopted_by is not None
    assert (cite.adopted_by.section, cite.adopted_by.quote) == (
        "4.1", "decision to extend the assessment to 45 working days")
    assert cite.label == "Working Together 2023 Chapter 3, adopted by §4.1"


@pytest.mark.parametrize(("authority", "adopted"), [
    ("surrey", "5.2"), ("sunderland", None), ("systemic", "6"), ("hull", "3")])
def test_the_12_month_final_assessment_cites_the_national_asye_framework(authority, adopted):
    """The framework states the 12 months; the local section only adopts the ASYE."""
    cite = load_policy(authority).asye.final.cite
    assert (cite.source, cite.section, cite.quote) == (
        "national/asye-framework", "Reviews", "the final assessment at 12 months")
    # Sunderland's only mention of the ASYE is in its agreement template: no section adopts it.
    assert (cite.adopted_by.section if cite.adopted_by else None) == adopted


def test_devons_two_year_final_assessment_is_devons_own_rule():
    """Devon §5.2 states 'the completion of the 2 year ASYE Programme': a local citation."""
    cite = load_policy("devon").asye.final.cite
    assert (cite.source, cite.section) == (None, "5.2")


def test_a_task_citing_a_national_text_names_it_and_the_section_adopting_it():
    """The RuleRef of Surrey's extended limit reads as the national text, adopted by §4.1."""
    surrey = load_policy("surrey")
    rule = surrey.cite("assessment.extended_limit", surrey.assessment.extended_limit.cite)
    assert (rule.source, rule.section, rule.adopted_by) == ("Working Together 2023", "Chapter 3",
                                                            "4.1")
    assert str(rule) == "Working Together 2023 Chapter 3 (adopted by surrey §4.1)"


def test_an_unknown_national_source_is_refused_naming_the_known_ones():
    """source: national/working-together-2018 is not a source the product knows."""
    mapping = shipped("hull")
    mapping["assessment"]["completion"]["cite"]["source"] = "national/working-together-2018"
    with pytest.raises(PolicyError, match="national/working-together-2018"):
        Policy.from_mapping(mapping, source="test.yaml")


def test_adopted_by_without_a_national_source_is_refused():
    """A local citation adopts nothing: adopted_by needs source."""
    mapping = shipped("hull")
    mapping["escalation"]["cite"]["adopted_by"] = {"section": "3", "quote": "any quote"}
    with pytest.raises(PolicyError, match="adopted_by"):
        Policy.from_mapping(mapping, source="test.yaml")


# ----- lint: sections the source lists ---------------------------------------------------------


def test_a_citation_of_a_section_the_source_does_not_list_is_an_error():
    """A typo, §4.11 for §4.1, would send a reader to nothing."""
    mapping = shipped("surrey")
    mapping["personal_supervision"]["roles"]["student"]["cite"]["section"] = "4.11"
    errors = [f for f in findings(mapping) if f[0] == "error"]
    assert [(rule, message.split(";")[0]) for _, rule, message in errors] == [
        ("personal_supervision.roles.student",
         "cites §4.11, which the source (Surrey Children's Services Supervision Policy) does not "
         "list")]


def test_a_section_typo_in_an_adoption_or_a_conflict_is_caught_too():
    """adopted_by §5.22 and conflicts_with §5.44 are both refused."""
    mapping = shipped("surrey")
    mapping["asye"]["final"]["cite"]["adopted_by"]["section"] = "5.22"
    mapping["personal_supervision"]["roles"]["residential"]["cite"]["conflicts_with"][0][
        "section"] = "5.44"
    errors = {(rule, message.split(",")[0]) for severity, rule, message in findings(mapping)
              if severity == "error"}
    assert errors == {("asye.final", "cites §5.22"),
                      ("personal_supervision.roles.residential", "cites §5.44")}


def test_two_sections_in_one_citation_are_each_checked():
    """Sunderland's coverage cites '5.3, 6'; '5.3, 7' names a section the policy lacks."""
    mapping = shipped("sunderland")
    mapping["child_supervision"]["coverage"]["cite"]["section"] = "5.3, 7"
    assert [(rule, message.split(",")[0]) for severity, rule, message in findings(mapping)
            if severity == "error"] == [("child_supervision.coverage", "cites §7")]


def test_a_national_section_the_text_does_not_have_is_an_error():
    """Working Together 2023 'Chapter 33' is not one of its sections."""
    mapping = shipped("devon")
    mapping["assessment"]["completion"]["cite"]["section"] = "Chapter 33"
    assert any(severity == "error" and rule == "assessment.completion"
               and "Working Together 2023 'Chapter 33'" in message
               for severity, rule, message in findings(mapping))


def test_a_national_quote_not_in_the_national_passage_is_a_warning():
    """'within 35 working days' is not what Working Together 2023 says."""
    mapping = shipped("devon")
    mapping["assessment"]["completion"]["cite"]["quote"] = "within 35 working days"
    assert ("warning", "assessment.completion",
            "the quote \u201cwithin 35 working days\u201d is not in Working Together 2023 "
            "Chapter 3") in findings(mapping)


# ----- lint: a quote's own words against the interval beside it -----------------------------


def test_a_copied_monthly_quote_over_an_interval_of_3_weeks_is_a_warning():
    """Newshire copies Devon's file and sets 3 weeks, leaving §4.1's 'monthly' quote (its
    'weekly' is the first six weeks', not the cadence's)."""
    mapping = shipped("devon")
    role = mapping["personal_supervision"]["roles"]["qualified_social_worker"]
    role["every"] = {"weeks": 3}
    warnings = [(rule, message) for severity, rule, message in findings(mapping)
                if severity == "warning" and "does not say what the rule times" in message]
    assert [rule for rule, _ in warnings] == ["personal_supervision.roles.qualified_social_worker"]
    assert warnings[0][1].endswith("does not say what the rule times (every 3 weeks; initially: "
                                   "every week until 6 weeks in post)")


def test_a_quote_that_agrees_with_its_interval_gives_no_warning():
    """Sunderland's '24 hours' over one day, 'six monthly' over 6 months: nothing to say."""
    assert not [f for f in lint(load_policy("sunderland"))
                if "does not say what the rule times" in f.message]


@pytest.mark.parametrize(("quote", "days"), [
    ("weekly", [7.0]),
    ("fortnightly", [14.0]),
    ("bi-weekly for the next six months", [182.62, 14.0]),
    ("4 weekly, with flexibility", [28.0]),
    ("Every 4 weeks", [28.0]),
    ("4 – 8 weekly", [28.0, 56.0]),
    ("no later than 5 working days after", [7.0]),
    ("within 24 hours", [1.0]),
    ("reviewed every 12 months", [365.25]),
    ("Quality Assurance Quarterly", [91.31]),
    ("on a six monthly basis", [182.62]),
    ("Family Early Help (FEH) Bi monthly", [60.88]),
    ("every calendar month (every 4 weeks)", [28.0, 30.44]),
    ("Our supervision session will last as a minimum for 90 mins.", []),
])
def test_the_words_of_a_quote_are_read_as_spans_of_days(quote, days):
    """Each phrase the policies use, in approximate days (a month is 30.44, a working day 1.4)."""
    assert [round(span, 2) for span in spans_in(quote)] == days


# ----- lint: a convention that can change nothing ------------------------------------------------


def test_a_non_working_day_convention_on_a_working_day_count_is_a_warning():
    """Hull's escalation counts 5 working days: 'previous' there changes nothing."""
    mapping = shipped("hull")
    mapping["escalation"]["non_working_day"] = "previous"
    assert ("warning", "escalation", "non_working_day: previous changes nothing: the rule counts "
            "working days, which never land on a non-working day") in findings(mapping)


def test_a_convention_on_a_calendar_count_is_not_reported():
    """Surrey's workbook summary, 2 days before, moves back: lint has nothing to say of it."""
    assert not [f for f in lint(load_policy("surrey")) if "changes nothing" in f.message]


@pytest.mark.parametrize(("quote", "named"), [
    ("Template be used to support supervision for managers.", False),
    ("Residential Home Staff", False),
    ("(Children subject to child in need, child protection, within care proceedings)", False),
    ("Managerial staff 4 – 8 weekly", True),
    ("alternative formal supervision arrangements should be put in place within the following "
     "week", True),
    ("sessions should be planned 6-12 months in advance", True),
    ("Every staff member will have an annual appraisal", True),
])
def test_a_quote_names_time_only_when_it_holds_a_word_of_time(quote, named):
    """'Within' alone ('within care proceedings') is no word of time; 'weekly', 'week' and
    'annual' are."""
    assert names_time(quote) is named
