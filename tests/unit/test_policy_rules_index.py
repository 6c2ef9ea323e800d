"""The rule index: every rule of a policy as (path, rule), named as the machines cite it and
described in words."""

from __future__ import annotations

from typing import Any

import pytest

from oversight.adapters.policy_files import load_policy
from oversight.states.policy.index import rule_at, rule_index
from oversight.states.policy.model import Policy
from tests.policy_versions import shipped
from tests.unit.policy_scenarios import POLICIES


def cites_in(mapping: Any) -> int:
    """How many rules (mappings with a ``cite``) a parsed policy file holds."""
    if isinstance(mapping, dict):
        return ("cite" in mapping) + sum(cites_in(value) for value in mapping.values())
    if isinstance(mapping, list):
        return sum(cites_in(item) for item in mapping)
    return 0


@pytest.mark.parametrize("authority", POLICIES)
def test_every_rule_written_in_a_policy_file_is_indexed_once(authority):
    """Each mapping with a cite in the file is one entry of the index, under a distinct path."""
    paths = [entry.path for entry in rule_index(load_policy(authority))]
    written = [path for path in paths if path != "asye.evidence"]  # the framework's default
    assert len(written) == cites_in(shipped(authority))
    assert len(set(paths)) == len(paths)


def test_surrey_rules_are_indexed_under_the_paths_the_machines_cite(surrey: Policy):
    """List items go by their key field, mapping items by their key, in file order."""
    paths = [entry.path for entry in rule_index(surrey)]
    for path in ("escalation", "personal_supervision.roles.qualified_social_worker",
                 "asye.phases.fortnightly", "asye.reviews.six_month", "asye.final",
                 "assessment.oversight_points.day10", "assessment.extended_limit",
                 "relationship.supervisor_absence", "sessions.preparation",
                 "child_supervision.cases.cwd", "management_oversight.triggers.allocation"):
        assert path in paths
    assert paths.index("asye.phases.weekly") < paths.index("asye.phases.fortnightly") \
        < paths.index("child_supervision.cases.cin")


def test_hull_retention_and_team_activities_are_rules_of_the_index():
    """Top-level rules and list items named by 'activity' are indexed like the rest."""
    entry = rule_at(load_policy("hull"), "retention")
    assert entry is not None and entry.section == "3"
    assert entry.description == ("archived within 1 month; destroyed 84 months after employment "
                                 "ends; transfer on move")
    assert rule_at(load_policy("hull"), "team_activities.peer_observation").description == \
        "every 6 months; per: supervisor"


@pytest.mark.parametrize(("authority", "path", "words"), [
    ("devon", "personal_supervision.roles.qualified_social_worker",
     "every month; initially: every week until 6 weeks in post"),
    ("devon", "child_supervision.cases.cin", "every 2 months; high risk: every month"),
    ("surrey", "child_supervision.cases.cwd",
     "every 3 months; if assessed so: every 6 months; plan overrides"),
    ("surrey", "relationship.agreement", "signed on the first day"),
    ("surrey", "assessment.oversight_points.day35",
     "due 35 working days after the start; at completion"),
    ("hull", "personal_supervision.roles.student", "every week; at least 90 minutes"),
    ("sunderland", "relationship.supervisor_absence",
     "after more than 1 month of absence; applies to: any; response within 5 working days; "
     "response: refer to line manager"),
    ("systemic", "personal_supervision.roles.asye", "follows the ASYE schedule"),
])
def test_a_rule_is_described_in_words_a_reader_can_check_against_the_policy(
        authority, path, words):
    """What each rule times reads as a sentence fragment, not as YAML."""
    assert rule_at(load_policy(authority), path).description == words


def test_a_trigger_without_its_own_window_takes_the_window_of_its_section():
    """Devon's triggers inherit management_oversight.within; Surrey's allocation has its own."""
    devon = rule_at(load_policy("devon"), "management_oversight.triggers.court_direction")
    assert devon.intervals["within"].describe() == "3 working days"
    surrey = rule_at(load_policy("surrey"), "management_oversight.triggers.allocation")
    assert surrey.intervals["within"].describe() == "0 working days"
    assert surrey.description == "on the day"


def test_every_interval_of_a_rule_is_listed_by_the_field_that_times_it():
    """An early phase's intervals are named by their place in ``initially``."""
    entry = rule_at(load_policy("hull"), "personal_supervision.roles.returner")
    assert {name: i.describe() for name, i in entry.intervals.items()} == {
        "every": "1 month", "initially[0].every": "2 weeks", "initially[0].until": "3 months",
        "after_absence": "4 weeks"}


def test_a_path_the_policy_has_no_rule_at_gives_none(surrey: Policy):
    """Surrey names no returners, so nothing is indexed there."""
    assert rule_at(surrey, "personal_supervision.roles.returner") is None
