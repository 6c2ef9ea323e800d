"""Scenario files read by libyaml with each list's items built as they are read (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oversight.adapters.scenario.reading import ScenarioInvalid, _ItemByItemLoader, read_yaml
from oversight.adapters.scenario.reading import _ScenarioLoader as PurePython

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "config" / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_a_shipped_scenario_reads_as_the_pure_python_loader_reads_it(path: Path):
    """Every shipped scenario gives the same values through both readers."""
    text = path.read_text(encoding="utf-8")
    assert _ItemByItemLoader(text).read() == yaml.load(text, Loader=PurePython)  # noqa: S506


def test_nested_lists_anchors_tags_and_the_key_on_read_as_before():
    """Lists in lists, an anchored list and its alias, an explicit set, ``on`` and ``yes``
    as text, ``true`` a boolean, and a bad date left as text for validation to name."""
    text = ("a: [1, [2, {x: y}], {on: 2026-04-31, t: true, y: yes}]\nb: !!set {q}\n"
            "c: &x [1]\nd: *x\ne: []\n")
    assert _ItemByItemLoader(text).read() == {
        "a": [1, [2, {"x": "y"}], {"on": "2026-04-31", "t": True, "y": "yes"}], "b": {"q"},
        "c": [1], "d": [1], "e": []}


def test_bad_yaml_is_still_named_by_its_line(tmp_path: Path):
    """An unclosed list on line 2: the problem names line 3, where the file ended."""
    path = tmp_path / "bad.yaml"
    path.write_text("policy: surrey\nfrom: [1\n", encoding="utf-8")
    with pytest.raises(ScenarioInvalid) as refused:
        read_yaml(path)
    assert refused.value.problems == [
        "line 3: not valid YAML: expected ',' or ']', but got '<stream end>'"]
