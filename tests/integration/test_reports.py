"""Compliance figures and ASYE progress read from a real store the engine filled (issue 7).

A first quarter of 2026 in Surrey, recorded through the service with the sweep run without
Prefect; every expected number is worked out by hand in the docstrings:

- tm1 supervises w0 (session 2 Feb on time; due 2 Mar, held late on 10 Mar) and w1 (sessions
  30 Jan, 27 Feb, 20 Mar: each on or before its due date); hos1 supervises tm1 and holds nothing
  (due 2 Mar, 8 weeks on: breached). w0 signs the agreement on day one, w1 never does.
- c2's assessment (from Mon 5 Jan) has every oversight point on time and completes on 20 Feb;
  c1's (from Mon 2 Mar) has its allocation oversight on time, day 10 (16 Mar) recorded late on
  18 Mar and day 20 (30 Mar) not recorded by 31 Mar.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from oversight.adapters.cli.app import app as cli
from oversight.workflows.bootstrap import App
from oversight.workflows.reads.compliance import Period, compliance, monthly_trend
from oversight.workflows.reads.progress import journey
from tests.integration.helpers import record, sweep

QUARTER = Period(date(2026, 1, 1), date(2026, 3, 31))
AS_OF = date(2026, 3, 31)


def fill_quarter(app: App) -> None:
    events = [
        ("2026-01-05", "relationship_started", {"supervisor": "tm1", "supervisee": "w0"}),
        ("2026-01-05", "agreement_signed", {"supervisor": "tm1", "supervisee": "w0"}),
        ("2026-01-05", "relationship_started", {"supervisor": "tm1", "supervisee": "w1"}),
        ("2026-01-05", "relationship_started", {"supervisor": "hos1", "supervisee": "tm1"}),
        ("2026-01-05", "assessment_started", {"child": "c2", "worker": "w1", "manager": "tm1"}),
        ("2026-01-05", "oversight_recorded", {"child": "c2", "point": "allocation"}),
        ("2026-01-19", "oversight_recorded", {"child": "c2", "point": "day10"}),
        ("2026-01-30", "supervision_held", {"supervisor": "tm1", "supervisee": "w1"}),
        ("2026-02-02", "supervision_held", {"supervisor": "tm1", "supervisee": "w0"}),
        ("2026-02-02", "oversight_recorded", {"child": "c2", "point": "day20"}),
        ("2026-02-20", "oversight_recorded", {"child": "c2", "point": "day35"}),
        ("2026-02-20", "assessment_completed", {"child": "c2"}),
        ("2026-02-27", "supervision_held", {"supervisor": "tm1", "supervisee": "w1"}),
        ("2026-03-02", "assessment_started", {"child": "c1", "worker": "w0", "manager": "tm1"}),
        ("2026-03-02", "oversight_recorded", {"child": "c1", "point": "allocation"}),
        ("2026-03-10", "supervision_held", {"supervisor": "tm1", "supervisee": "w0"}),
        ("2026-03-18", "oversight_recorded", {"child": "c1", "point": "day10"}),
        ("2026-03-20", "supervision_held", {"supervisor": "tm1", "supervisee": "w1"}),
    ]
    for on, kind, fields in events:
        sweep(app, date.fromisoformat(on) - date.resolution)  # the days before, as they pass
        record(app, type=kind, on=on, **fields)
    sweep(app, AS_OF)


@pytest.fixture
def quarter(app: App) -> App:
    fill_quarter(app)
    return app


def line(lines: list[dict], **match) -> dict:
    [found] = [x for x in lines if all(x[k] == v for k, v in match.items())]
    return found


def counts(found: dict) -> tuple:
    return (found["due"], found["on_time"], found["breached"], found["pending"],
            found["percent_on_time"])


# ----- compliance figures ---------------------------------------------------------------------


def test_personal_supervision_on_time_is_four_of_six_for_the_whole_authority(quarter: App):
    """w0 2 Feb and w1 30 Jan, 27 Feb, 20 Mar on time; w0's 2 Mar late and tm1's 2 Mar missed."""
    report = compliance(quarter.store, QUARTER, as_of=AS_OF)
    assert counts(line(report["categories"], category="personal_supervision")) == (
        6, 4, 2, 0, 66.7)
    workers = line(report["rules"], rule="personal_supervision.roles.qualified_social_worker")
    managers = line(report["rules"], rule="personal_supervision.roles.manager")
    assert counts(workers) == (5, 4, 1, 0, 80.0)
    assert counts(managers) == (1, 0, 1, 0, 0.0)
    assert (workers["authority"], workers["section"]) == ("surrey", "4.1")


def test_a_team_is_its_manager_and_everyone_below_them(quarter: App):
    """tm1's team leaves out hos1's missed supervision of tm1: 4 of 5 on time."""
    report = compliance(quarter.store, QUARTER, team="tm1", as_of=AS_OF)
    assert report["team"]["members"] == ["a0", "a1", "tm1", *[f"w{i}" for i in range(8)]]
    assert counts(line(report["categories"], category="personal_supervision")) == (
        5, 4, 1, 0, 80.0)


def test_management_oversight_is_five_of_seven_with_c1s_day10_late_and_day20_missed(
        quarter: App):
    """c2's four points and c1's allocation on time; c1's day 10 late, its day 20 not recorded."""
    report = compliance(quarter.store, QUARTER, as_of=AS_OF)
    assert counts(line(report["categories"], category="management_oversight")) == (
        7, 5, 2, 0, 71.4)
    by_point = {r["rule"].rpartition(".")[2]: counts(r) for r in report["rules"]
                if r["category"] == "management_oversight"}
    assert by_point == {"allocation": (2, 2, 0, 0, 100.0), "day10": (2, 1, 1, 0, 50.0),
                        "day20": (2, 1, 1, 0, 50.0), "day35": (1, 1, 0, 0, 100.0)}
    assert counts(line(report["categories"], category="assessment")) == (1, 1, 0, 0, 100.0)


def test_breaches_are_listed_by_rule_most_first(quarter: App):
    """Agreements and the two supervisions lead; each breach counted once, under its rule."""
    report = compliance(quarter.store, QUARTER, as_of=AS_OF)
    breaches = {b["rule"]: b["breached"] for b in report["breaches"]}
    assert breaches["assessment.oversight_points.day10"] == 1
    assert breaches["assessment.oversight_points.day20"] == 1
    assert breaches["personal_supervision.roles.qualified_social_worker"] == 1
    assert breaches["relationship.agreement"] == 2  # w1's and tm1's, never signed
    assert [b["breached"] for b in report["breaches"]] == sorted(
        (b["breached"] for b in report["breaches"]), reverse=True)
    assert report["totals"]["breached"] == sum(breaches.values())


def test_the_monthly_trend_puts_each_task_in_the_month_it_was_due(quarter: App):
    """Oversight: January 2 of 2, February 2 of 2, March 1 of 3 on time."""
    report = compliance(quarter.store, QUARTER, as_of=AS_OF)
    trend = monthly_trend(report, "management_oversight")
    assert [(m["month"], m["due"], m["on_time"], m["percent_on_time"]) for m in trend] == [
        ("2026-01", 2, 2, 100.0), ("2026-02", 2, 2, 100.0), ("2026-03", 3, 1, 33.3)]
    overall = monthly_trend(report)
    assert sum(m["due"] for m in overall) == report["totals"]["due"]


def test_a_task_not_yet_due_on_the_report_day_is_pending_not_breached(quarter: App):
    """Judged on 19 Mar, w1's session due 27 Mar and c1's day 20 are pending."""
    report = compliance(quarter.store, QUARTER, as_of=date(2026, 3, 19))
    assert counts(line(report["rules"], rule="assessment.oversight_points.day20"))[3] == 1
    assert line(report["rules"],
                rule="personal_supervision.roles.qualified_social_worker")["pending"] == 1


# ----- the report command: the same numbers in every format -----------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_the_report_file_holds_the_same_numbers_as_the_query(quarter: App, tmp_path: Path, fmt):
    """`oversight report --format …` writes what `compliance()` returns, in each format."""
    target = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(cli, ["report", "--from", "2026-01-01", "--to", "2026-03-31",
                                      "--as-of", "2026-03-31", "--format", fmt,
                                      "--out", str(target)])
    assert result.exit_code == 0, result.stderr
    assert "tasks due from 2026-01-01 to 2026-03-31" in result.stdout
    expected = compliance(quarter.store, QUARTER, as_of=AS_OF)
    personal = line(expected["categories"], category="personal_supervision")
    if fmt == "json":
        assert json.loads(target.read_text()) == expected
    elif fmt == "csv":
        rows = list(csv.DictReader(target.open(encoding="utf-8")))
        found = line(rows, table="category", category="personal_supervision")
        assert (int(found["due"]), int(found["on_time"]), float(found["percent_on_time"])) == (
            personal["due"], personal["on_time"], personal["percent_on_time"])
        assert len(rows) == len(expected["categories"]) + len(expected["rules"]) + len(
            expected["months"])
    else:
        book = load_workbook(target)
        assert book.sheetnames == ["Report", "Categories", "By rule", "Breaches", "By month"]
        sheet = book["Categories"]
        header = [c.value for c in sheet[1]]
        rows = [dict(zip(header, [c.value for c in row], strict=True))
                for row in sheet.iter_rows(min_row=2)]
        found = line(rows, category="personal_supervision")
        assert (found["due"], found["on_time"], found["percent_on_time"]) == (
            personal["due"], personal["on_time"], personal["percent_on_time"])


def test_a_report_for_an_unknown_team_is_one_clear_error(quarter: App):
    """--team names a manager the store does not hold: exit 1, one line."""
    result = CliRunner().invoke(cli, ["report", "--from", "2026-01-01", "--to", "2026-03-31",
                                      "--team", "nobody"])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: no staff member 'nobody' to report on: --team takes "
                                     "a manager's id")


# ----- ASYE progress through the service ------------------------------------------------------


def test_an_asyes_gaps_and_evidence_come_through_the_service_and_the_cli(app: App):
    """a0 misses three fortnightly sessions after 20 Apr (due Mon 4 May, May Day, so Tue 5 May;
    then 19 May and 2 Jun); a direct observation is recorded."""
    record(app, type="asye_enrolled", on="2026-01-05", worker="a0", supervisor="tm1")
    record(app, type="relationship_started", on="2026-01-05", supervisor="tm1", supervisee="a0")
    days = [date(2026, 1, 12).toordinal() + 7 * n for n in range(13)]  # 12 Jan … 6 Apr
    for day in [*(date.fromordinal(d) for d in days), date(2026, 4, 20), date(2026, 6, 10)]:
        record(app, type="supervision_held", on=day.isoformat(), supervisor="tm1",
               supervisee="a0")
    record(app, type="asye_evidence_recorded", on="2026-06-11", worker="a0",
           kind="direct_observation")
    found = journey(app.store, app.policy, "a0", as_of=date(2026, 6, 15))
    assert [g.due for g in found.gaps] == [date(2026, 5, 5), date(2026, 5, 19), date(2026, 6, 2)]
    assert found.evidence[0].recorded == 1
    shown = CliRunner().invoke(cli, ["asye", "a0", "--as-of", "2026-06-15", "--json"])
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["gaps"] == [
        {"due": "2026-05-05", "phase": "fortnightly"},
        {"due": "2026-05-19", "phase": "fortnightly"},
        {"due": "2026-06-02", "phase": "fortnightly"}]
    table = CliRunner().invoke(cli, ["asye", "a0", "--as-of", "2026-06-15"])
    assert "2026-05-05, 2026-05-19, 2026-06-02" in table.stdout
    assert "2 more direct observations (1 of 3 recorded)" in table.stdout
