"""``policy diff``: two policies rule by rule, across versions and across authorities."""

from __future__ import annotations

from oversight.adapters.policy_files import load_policy
from oversight.states.policy.diff import diff_policies
from oversight.states.policy.model import Policy
from tests.policy_versions import shipped


def changed(a: Policy, b: Policy) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(d.path, d.change, d.differs) for d in diff_policies(a, b) if d.change != "same"]


def devon_version(edit) -> Policy:  # type: ignore[no-untyped-def]
    mapping = shipped("devon")
    mapping.update(version="2026-04", effective_from="2026-04-01")
    edit(mapping)
    return Policy.from_mapping(mapping, source="devon/2026-04.yaml")


def test_two_versions_differ_in_exactly_the_rule_that_changed():
    """A Devon version that sees CP children every 4 weeks differs from 2025-02 in that rule."""
    def cp_four_weekly(mapping):  # type: ignore[no-untyped-def]
        cp = next(c for c in mapping["child_supervision"]["cases"] if c["case_type"] == "cp")
        cp["every"] = {"weeks": 4}

    later = devon_version(cp_four_weekly)
    assert changed(load_policy("devon"), later) == [
        ("child_supervision.cases.cp", "changed", ("timing",))]
    [found] = [d for d in diff_policies(load_policy("devon"), later) if d.change == "changed"]
    assert (found.a.description, found.b.description) == ("every month", "every 4 weeks")
    assert found.to_json()["b"]["intervals"] == {"every": "4 weeks"}


def test_a_requoted_rule_differs_in_its_quote_only():
    """The same timing under new words is a citation change, not a timing one."""
    def requote(mapping):  # type: ignore[no-untyped-def]
        mapping["relationship"]["agreement"]["cite"]["quote"] = "Agreements are reviewed yearly."

    assert changed(load_policy("devon"), devon_version(requote)) == [
        ("relationship.agreement", "changed", ("quote",))]


def test_a_rule_added_in_the_later_version_is_only_in_b_next_to_its_neighbour():
    """A returner cadence added to Devon is listed after the manager's, where the file has it."""
    def add_returners(mapping):  # type: ignore[no-untyped-def]
        mapping["personal_supervision"]["roles"]["returner"] = {
            "every": {"months": 1}, "initially": [{"every": {"weeks": 2}, "until": {"months": 3}}],
            "cite": {"section": "4.1", "quote": "Returners are seen fortnightly at first."}}

    paths = [d.path for d in diff_policies(load_policy("devon"), devon_version(add_returners))]
    assert changed(load_policy("devon"), devon_version(add_returners)) == [
        ("personal_supervision.roles.returner", "only_in_b", ())]
    assert paths.index("personal_supervision.roles.returner") == \
        paths.index("personal_supervision.roles.manager") + 1


def test_a_policy_against_itself_has_no_differences():
    """Every rule of Surrey is 'same' against Surrey."""
    assert changed(load_policy("surrey"), load_policy("surrey")) == []


def test_across_authorities_rules_only_one_names_are_on_their_side():
    """Surrey against Hull: residential staff only in Surrey, retention only in Hull, and the
    qualified worker's 4 weeks against Hull's month."""
    found = {d.path: d for d in diff_policies(load_policy("surrey"), load_policy("hull"))}
    assert found["personal_supervision.roles.residential"].change == "only_in_a"
    assert found["retention"].change == "only_in_b"
    qualified = found["personal_supervision.roles.qualified_social_worker"]
    assert qualified.change == "changed" and "timing" in qualified.differs
    assert (qualified.a.description, qualified.b.description) == ("every 4 weeks", "every month")
    # Both apply the national framework's reviews; Surrey §5.2 and Hull §3 adopt them.
    reviews = found["asye.reviews.three_month"]
    assert reviews.differs == ("section",)
    assert (reviews.a.cited, reviews.b.cited) == ("ASYE framework Reviews, adopted by §5.2",
                                                  "ASYE framework Reviews, adopted by §3")
