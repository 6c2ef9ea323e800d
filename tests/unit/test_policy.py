"""The policy model and its loader: the five policy files load and cite every rule; each kind of
bad file is named precisely."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from oversight.adapters.policy_files import (
    DEFAULT_POLICY_DIR,
    available_policies,
    load_policy,
    load_policy_file,
)
from oversight.states.calendar import WorkingCalendar
from oversight.states.errors import PolicyError
from oversight.states.policy.model import Citation, Interval, Policy, Rule


def write(tmp_path: Path, mapping: Any, name: str = "surrey") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    return path


# ----- the Surrey file ------------------------------------------------------------------------


def test_surrey_policy_loads_with_its_authority_version_and_calendar(surrey):
    """surrey.yaml names Surrey, the December 2024 version and England and Wales bank holidays."""
    assert (surrey.authority, surrey.version, surrey.effective_from) == (
        "surrey", "2024-12", date(2024, 12, 18))
    assert surrey.calendar.region == "england-and-wales"
    assert surrey.working_calendar().region == "england-and-wales"


def test_surrey_personal_supervision_is_four_weekly_for_qualified_workers_and_follows_the_asye(
        surrey):
    """Qualified social workers every 4 weeks; an ASYE's cadence is the ASYE journey's (§4.1)."""
    qualified = surrey.cadence_for("qualified_social_worker")
    assert (qualified.every.unit, qualified.every.amount) == ("weeks", 4)
    assert qualified.cite.section == "4.1"
    assert surrey.cadence_for("asye").follows == "asye"
    assert surrey.cadence_for("asye").every is None
    assert surrey.cadence_for("returner") is None


def test_surrey_asye_phases_change_at_three_and_nine_months(surrey):
    """Weekly to 3 months, fortnightly to 9 months, 4-weekly after (§4.1)."""
    phases = [(p.phase, p.every.describe(), p.until.describe() if p.until else None)
              for p in surrey.asye.phases]
    assert phases == [("weekly", "1 week", "3 months"), ("fortnightly", "2 weeks", "9 months"),
                      ("monthly", "4 weeks", None)]
    assert [(r.review, r.at.describe()) for r in surrey.asye.reviews] == [
        ("three_month", "3 months"), ("six_month", "6 months")]
    assert surrey.asye.final.at.describe() == "12 months"


def test_surrey_assessment_points_are_allocation_and_days_10_20_35_with_a_45_day_limit(surrey):
    """The C&F oversight points of §4.1, in working days, only day 35 recording completion."""
    points = [(p.point, p.due.describe(), p.at_completion)
              for p in surrey.assessment.oversight_points]
    assert points == [("allocation", "0 working days", False), ("day10", "10 working days", False),
                      ("day20", "20 working days", False), ("day35", "35 working days", True)]
    assert surrey.assessment.completion.due.describe() == "35 working days"
    assert surrey.assessment.extended_limit.due.describe() == "45 working days"


def test_surrey_escalates_to_the_line_manager_then_a_senior_manager_within_five_working_days(
        surrey):
    """The escalation chain of §4.3 and the file's 5 working days to respond."""
    assert surrey.escalation.chain == ["line_manager", "senior_manager"]
    assert surrey.escalation.respond_within.describe() == "5 working days"
    assert surrey.escalation.cite.section == "4.3"


def test_surrey_supervisor_absence_and_eligibility_rules_match_sections_4_3_and_4_4(surrey):
    """Absence over 4 weeks: alternative supervision within a week; supervisors need 2 years."""
    absence = surrey.relationship.supervisor_absence
    assert (absence.threshold.describe(), absence.respond_within.describe(), absence.response) == (
        "4 weeks", "1 week", "arrange_alternative_supervision")
    eligibility = surrey.relationship.supervisor_eligibility
    assert eligibility.post_qualification.describe() == "24 months"
    assert eligibility.cite.section == "4.4"
    assert surrey.relationship.agreement.review_every is None


def test_citing_a_rule_gives_authority_section_path_quote_and_version(surrey):
    """A RuleRef carries everything a task needs to say which rule raised it."""
    point = surrey.assessment.oversight_points[1]
    ref = surrey.cite("assessment.oversight_points.day10", point.cite)
    assert (ref.authority, ref.section, ref.rule, ref.version) == (
        "surrey", "4.1", "assessment.oversight_points.day10", "2024-12")
    assert ref.quote.startswith("At day 10")
    assert str(ref) == "surrey §4.1"


def test_load_policy_by_name_reads_config_policies(surrey):
    """load_policy('surrey') is the same policy, loaded once per process."""
    assert load_policy("surrey") is load_policy("surrey")
    assert load_policy("surrey") == surrey


# ----- intervals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "expected", "text"),
    [
        ({"working_days": 10}, date(2026, 4, 10), "10 working days"),
        ({"working_days": 1}, date(2026, 3, 26), "1 working day"),
        ({"days": 3}, date(2026, 3, 28), "3 days"),
        ({"weeks": 4}, date(2026, 4, 22), "4 weeks"),
        ({"months": 1}, date(2026, 4, 25), "1 month"),
    ],
)
def test_an_interval_counts_in_its_own_unit_and_describes_itself(interval, expected, text):
    """Each unit uses DOMAIN.md's arithmetic from Wed 25 Mar 2026."""
    parsed = Interval(**interval)
    assert parsed.after(date(2026, 3, 25), WorkingCalendar()) == expected
    assert parsed.describe() == text


def test_an_intervals_basis_lists_the_holidays_a_working_day_count_skipped():
    """10 working days from 25 Mar 2026 show Good Friday and Easter Monday in their basis."""
    basis = Interval(working_days=10).basis(date(2026, 3, 25), WorkingCalendar())
    assert basis.result == date(2026, 4, 10)
    assert [day for day, _ in basis.skipped] == [date(2026, 4, 3), date(2026, 4, 6)]
    assert basis.explain().startswith(
        "2026-03-25 + 10 working days = 2026-04-10, skipping 2026-04-03")


def test_a_week_count_lists_no_skipped_days_even_over_easter():
    """Calendar units ignore holidays, so their basis skips nothing."""
    assert Interval(weeks=2).basis(date(2026, 3, 30), WorkingCalendar()).skipped == ()


# ----- invalid files: file, key path, reason --------------------------------------------------


def rename(mapping: dict, old: str, new: str) -> None:
    mapping[new] = mapping.pop(old)


INVALID: dict[str, tuple[Callable[[dict], None], str, str]] = {
    "a typo in a top-level key": (
        lambda m: rename(m, "escalation", "escalaton"),
        "escalaton", "unknown key (a typo?)"),
    "a typo in a nested key": (
        lambda m: rename(m["escalation"], "respond_within", "respond_witin"),
        "escalation.respond_witin", "unknown key (a typo?)"),
    "an unknown role": (
        lambda m: m["personal_supervision"]["roles"].update(wizard={"every": {"weeks": 1},
                                                                    "cite": {"section": "4.1",
                                                                             "quote": "Wizards"}}),
        "personal_supervision.roles.wizard", "Input should be 'student'"),
    "a negative interval": (
        lambda m: m["escalation"].update(respond_within={"working_days": -5}),
        "escalation.respond_within.working_days", "greater than or equal to 0"),
    "a rule without cite": (
        lambda m: m["assessment"]["oversight_points"][1].pop("cite"),
        "assessment.oversight_points[1].cite", "required key is missing"),
    "an interval with two units": (
        lambda m: m["personal_supervision"]["roles"]["student"].update(
            every={"weeks": 1, "days": 3}),
        "personal_supervision.roles.student.every",
        "exactly one of working_days, days, weeks, months"),
    "an interval with no unit": (
        lambda m: m["asye"]["final"].update(at={}),
        "asye.final.at", "exactly one of"),
    "an unknown unit": (
        lambda m: m["asye"]["final"].update(at={"fortnights": 26}),
        "asye.final.at.fortnights", "unknown key"),
    "a cadence with both every and follows": (
        lambda m: m["personal_supervision"]["roles"]["asye"].update(every={"weeks": 1}),
        "personal_supervision.roles.asye", "either 'every' or 'follows: asye'"),
    "ASYE phases out of order": (
        lambda m: m["asye"]["phases"].reverse(),
        "asye", "in the order weekly, fortnightly, monthly"),
    "a last ASYE phase with an end": (
        lambda m: m["asye"]["phases"][-1].update(until={"months": 24}),
        "asye", "remove its 'until'"),
    "two oversight points with one name": (
        lambda m: m["assessment"]["oversight_points"][2].update(point="day10"),
        "assessment", "distinct names"),
    "an unknown escalation step": (
        lambda m: m["escalation"].update(chain=["line_manager", "chief_executive"]),
        "escalation.chain[1]", "Input should be"),
    "an unknown calendar region": (
        lambda m: m["calendar"].update(region="wales"),
        "calendar.region", "Input should be"),
    "a closure that is not a date": (
        lambda m: m["calendar"].update(closures=["the day after the party"]),
        "calendar.closures[0]", "date"),
    "a missing section": (
        lambda m: m.pop("assessment"),
        "assessment", "required key is missing"),
}


@pytest.mark.parametrize("case", list(INVALID), ids=list(INVALID))
def test_an_invalid_policy_file_is_refused_naming_the_file_the_key_path_and_the_reason(
        case, tmp_path, surrey_mapping):
    """Each fault raises one PolicyError whose message gives the file, then the key, then why."""
    mutate, key, reason = INVALID[case]
    mutate(surrey_mapping)
    path = write(tmp_path, surrey_mapping)
    with pytest.raises(PolicyError) as refused:
        load_policy_file(path)
    error = refused.value
    assert error.source == str(path)
    assert error.key == key
    assert reason in error.reason
    assert str(error).startswith(f"{path}: {key}: ")


def test_an_unchanged_copy_of_surrey_loads_from_another_folder(tmp_path, surrey_mapping, surrey):
    """The invalid cases above fail because of their edit, not because of the copy."""
    assert load_policy_file(write(tmp_path, surrey_mapping)) == surrey


def test_malformed_yaml_is_refused_with_the_line_it_broke_on(tmp_path):
    """An unclosed bracket on line 2 is reported at the end of the stream, line 3."""
    path = tmp_path / "surrey.yaml"
    path.write_text("authority: surrey\nname: [Surrey\n", encoding="utf-8")
    with pytest.raises(PolicyError) as refused:
        load_policy_file(path)
    assert refused.value.source == str(path)
    assert refused.value.key == "line 3"
    assert refused.value.reason.startswith("not valid YAML")


def test_a_file_that_is_not_a_mapping_is_refused_at_the_top_level(tmp_path):
    """A YAML list is not a policy."""
    path = tmp_path / "surrey.yaml"
    path.write_text("- surrey\n- devon\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r": \(top level\): a policy file must be a mapping"):
        load_policy_file(path)


def test_a_file_whose_authority_differs_from_its_name_is_refused(tmp_path, surrey_mapping):
    """Surrey's rules saved as devon.yaml would run under the wrong name."""
    path = write(tmp_path, surrey_mapping, name="devon")
    with pytest.raises(PolicyError) as refused:
        load_policy_file(path)
    assert (refused.value.source, refused.value.key) == (str(path), "authority")
    assert refused.value.reason == "'surrey' does not match the file name 'devon'"


def test_a_missing_file_is_refused_listing_the_policies_that_are_there(tmp_path, surrey_mapping):
    """Asking for hull.yaml where only surrey.yaml exists names the file and what is available."""
    write(tmp_path, surrey_mapping)
    path = tmp_path / "hull.yaml"
    with pytest.raises(PolicyError) as refused:
        load_policy_file(path)
    assert refused.value.source == str(path)
    assert refused.value.key == ""
    assert refused.value.reason == "no such policy file (policies here: surrey)"


def test_several_faults_are_reported_as_the_first_and_a_count_of_the_rest(surrey_mapping):
    """Two independent faults: one is named and the message says there is one more."""
    surrey_mapping["escalation"]["respond_within"] = {"working_days": -1}
    surrey_mapping["calendar"]["region"] = "wales"
    with pytest.raises(PolicyError, match=r"\(and 1 more problem\)$"):
        Policy.from_mapping(surrey_mapping, source="two faults")


# ----- every policy file -----------------------------------------------------------------------

AUTHORITIES = tuple(sorted(path.stem for path in DEFAULT_POLICY_DIR.glob("*.yaml")))
"""Whatever policy files are shipped: a new authority's file is one more, with no test change."""


def mapping_of(authority: str) -> dict[str, Any]:
    return yaml.safe_load((DEFAULT_POLICY_DIR / f"{authority}.yaml").read_text(encoding="utf-8"))


def rules_in(model: Any, path: str = "") -> list[tuple[str, Rule]]:
    """Every rule in a policy, with its key path, walking sections, lists and role maps."""
    found: list[tuple[str, Rule]] = []
    if isinstance(model, Rule):
        found.append((path, model))
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            found += rules_in(getattr(model, name), f"{path}.{name}" if path else name)
    elif isinstance(model, dict):
        for key, value in model.items():
            found += rules_in(value, f"{path}.{key}")
    elif isinstance(model, list):
        for index, value in enumerate(model):
            found += rules_in(value, f"{path}[{index}]")
    return found


def test_every_policy_file_is_an_authority_the_product_lists():
    """Each file in the folder is an authority `oversight policy list` offers."""
    assert set(AUTHORITIES) <= set(available_policies())


@pytest.mark.parametrize("authority", AUTHORITIES)
def test_every_policy_file_loads_under_its_own_name_with_every_section_it_needs(authority):
    """Each file names its authority, a version and date, and the sections the machines run."""
    policy = load_policy(authority)
    assert policy.authority == authority
    assert policy.version and policy.effective_from
    assert policy.asye.phases and policy.asye.final
    assert policy.assessment.extended_limit.due.amount > 0
    assert rules_in(policy.escalation)


@pytest.mark.parametrize("authority", ["surrey", "sunderland", "devon", "hull"])
def test_the_seeded_policies_asking_for_an_agreement_want_it_on_the_first_day(authority):
    """The 45 working days and the first-day agreement of the four that ask for one."""
    policy = load_policy(authority)
    assert policy.cadence_for("asye").follows == "asye"
    assert policy.assessment.extended_limit.due.describe() == "45 working days"
    agreement = policy.relationship.agreement
    assert agreement is not None and agreement.sign_within.describe() == "0 working days"


def test_the_systemic_policy_asks_for_no_agreement():
    """Systemic practice names no supervision agreement: the file has none."""
    assert load_policy("systemic").relationship.agreement is None


@pytest.mark.parametrize("authority", AUTHORITIES)
def test_every_rule_of_every_policy_cites_a_section_and_a_quote(authority):
    """No rule runs without saying where it comes from; a rule from outside names its source."""
    rules = rules_in(load_policy(authority))
    assert len(rules) > 10
    for path, rule in rules:
        assert isinstance(rule.cite, Citation), path
        assert rule.cite.section.strip() and len(rule.cite.quote.strip()) >= 3, path
        if rule.cite.source is not None:
            assert rule.cite.source.strip(), path


@pytest.mark.parametrize("authority", AUTHORITIES)
def test_a_rule_with_a_conflicting_passage_says_which_one_the_file_applies(authority):
    """conflicts_with comes with a note (devon §5.2 against §4.1, surrey §4.1 against §5.4)."""
    for path, rule in rules_in(load_policy(authority)):
        if rule.cite.conflicts_with:
            assert rule.cite.note and "appl" in rule.cite.note, path


def conflicts_of(authority: str) -> set[tuple[str, str]]:
    return {(path, c.section) for path, rule in rules_in(load_policy(authority))
            for c in rule.cite.conflicts_with}


def test_the_conflicts_lint_will_report_are_devons_nqsw_schedule_and_surreys_residential_staff():
    """The passages each seeded file records as disagreeing with the one it applies."""
    assert conflicts_of("devon") == {("asye.phases[0]", "4.1"), ("asye.phases[1]", "4.1")}
    assert conflicts_of("surrey") == {("personal_supervision.roles.residential", "5.4")}
    assert conflicts_of("sunderland") == conflicts_of("systemic") == conflicts_of("hull") == set()


FAULTS: dict[str, tuple[Callable[[dict], None], str, str]] = {
    "a typo in a key": (
        lambda m: rename(m["escalation"], "respond_within", "respond_witin"),
        "escalation.respond_witin", "unknown key (a typo?)"),
    "an unknown role": (
        lambda m: m["personal_supervision"]["roles"].update(
            wizard={"every": {"weeks": 1}, "cite": {"section": "1", "quote": "Wizards"}}),
        "personal_supervision.roles.wizard", "Input should be 'student'"),
    "a negative interval": (
        lambda m: m["escalation"].update(respond_within={"days": -1}),
        "escalation.respond_within.days", "greater than or equal to 0"),
    "a rule without a citation": (
        lambda m: m["personal_supervision"]["roles"]["asye"].pop("cite"),
        "personal_supervision.roles.asye.cite", "required key is missing"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("authority", AUTHORITIES)
def test_every_policy_file_with_a_fault_is_refused_naming_the_file_the_key_and_the_reason(
        authority, fault, tmp_path):
    """The same four faults in each of the five files: one PolicyError each, file, key, reason."""
    mapping = mapping_of(authority)
    assert load_policy_file(write(tmp_path, mapping, authority)) == load_policy(authority)
    mutate, key, reason = FAULTS[fault]
    mutate(mapping)
    path = write(tmp_path, mapping, authority)
    with pytest.raises(PolicyError) as refused:
        load_policy_file(path)
    assert (refused.value.source, refused.value.key) == (str(path), key)
    assert reason in refused.value.reason
    assert str(refused.value).startswith(f"{path}: {key}: ")
