"""`oversight simulate` as issue 15 made it: the engine's dry run only for a refused file, a
Prefect task per simulated month, and the JSON written out as it is read."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from oversight.adapters.cli.simulation_commands import _print_items
from oversight.adapters.scenario import load_scenario
from oversight.workflows.bootstrap import initialise, sqlite_url
from oversight.workflows.flows.simulation import Tally, by_day, months, simulate_days
from oversight.workflows.reads import queries
from oversight.workflows.settings import Settings
from tests.e2e.conftest import EXAMPLE, Invoke, example_mapping
from tests.e2e.test_simulate import flow_runs_named


@pytest.mark.usefixtures("prefect_harness")  # runs a flow: the session's Prefect server
def test_a_run_that_meets_a_refusal_lists_every_problem_and_leaves_nothing_it_made(
        oversight: Invoke, write_scenario, tmp_path: Path):
    """Two events only the engine refuses (a session of a pair never started on Mon 12 Jan, an
    oversight of an unknown child on Thu 9 Apr): the run stops at the first, then both are
    listed in the file's order, and the store and the folders made for it are gone."""
    mapping = example_mapping()
    mapping["events"][1].update(supervisor="sw1", supervisee="tm1")
    mapping["events"][2]["child"] = "c9"
    runs = flow_runs_named("simulate")
    store = tmp_path / "made" / "for" / "it.db"
    result = oversight("simulate", str(write_scenario(mapping)), "--store", str(store))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(": ")[2] for line in lines] == ["events[1]", "events[2]"], lines
    assert "the engine refused it: no relationship 'sw1:tm1'" in lines[0]
    assert lines[1].endswith("events[2]: the engine refused it: no assessment for child 'c9': "
                             "record assessment_started first")
    assert not (tmp_path / "made").exists()
    assert flow_runs_named("simulate") == runs + 1


def test_simulate_json_is_written_out_as_the_text_print_json_would_write(oversight: Invoke):
    """The streamed --json output is byte for byte ``json.dumps(..., indent=2)`` of itself."""
    result = oversight("simulate", str(EXAMPLE), "--json")
    assert result.exit_code == 0, result.stderr
    value = json.loads(result.stdout)
    assert (len(value["tasks"]), len(value["transitions"])) == (12, 19)
    assert result.stdout == json.dumps(value, indent=2) + "\n"


@pytest.mark.parametrize("items", [[], [{"id": "a", "rule": {}, "list": [1, None]}],
                                   [{"n": 1}] * 2_500], ids=["none", "one", "three chunks"])
def test_a_streamed_list_is_the_text_of_the_whole_list_nested_once(items, capsys):
    """Nested under a key of an object, a list streamed a thousand items at a time reads as
    the indented list printed whole, empty or over several chunks."""
    _print_items(items)
    whole = json.dumps({"k": items}, indent=2)
    assert '{\n  "k": ' + capsys.readouterr().out + "\n}" == whole


def test_the_simulated_days_come_a_calendar_month_at_a_time():
    """Fri 30 Jan to Tue 3 Mar 2026: January's last two days, all of February's 28, then
    March's first three."""
    batches = months(date(2026, 1, 30), date(2026, 3, 3))
    assert [(b[0], b[-1], len(b)) for b in batches] == [
        (date(2026, 1, 30), date(2026, 1, 31), 2), (date(2026, 2, 1), date(2026, 2, 28), 28),
        (date(2026, 3, 1), date(2026, 3, 3), 3)]


def test_a_retried_month_lives_none_of_its_finished_days_again(tmp_path: Path):
    """January of the example (Mon 5 to Sat 31 Jan, 27 days): the setup and the agreement on
    5 Jan and the session on 12 Jan are two event days; the month's task run again with the
    same tally (a retry) changes neither the tally nor any row."""
    scenario = load_scenario(EXAMPLE)
    settings = Settings(home=tmp_path, database_url=sqlite_url(tmp_path / "s.db"),
                        policy=scenario.policy)
    app = initialise(settings, scenario.policy)
    app.service.upsert_staff(scenario.staff_members())
    days, tally = by_day(scenario.timeline(), scenario.start), Tally()
    january = months(scenario.start, scenario.end)[0]
    simulate_days.fn(settings.url, january, days, tally, 500)
    assert (tally.days, tally.event_days, tally.last_day) == (27, 2, date(2026, 1, 31))
    # relationship_started, asye_enrolled and agreement_signed; supervision_held on 12 Jan
    assert tally.events == 4 and tally.refused is None
    done, rows = dict(vars(tally)), queries.counts(app.store)
    simulate_days.fn(settings.url, january, days, tally, 500)
    assert (vars(tally), queries.counts(app.store)) == (done, rows)
    app.close()
