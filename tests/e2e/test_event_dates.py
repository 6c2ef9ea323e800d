"""Nothing has happened in the future, nor before 1990: every entry refuses such an event with
one clear line or an RFC 9457 problem, and the store is left exactly as it was.

The API's clock says Mon 2 Mar 2026 09:00 UTC (tests/e2e/api_server.py); the CLI runs on the
`today` fixture's clock (OVERSIGHT_TEST_TODAY, or the real date), its dates far enough out to
be refused on any day until 2999. 9999-12-25 is the date that used to overflow the arithmetic
(+ 4 weeks).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oversight.adapters.cli.app import app as cli
from oversight.adapters.imports import ImportRejected, import_file
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    NOW,
    api_store,
    client,
    seeded,
    server,
    token,
)
from tests.integration.helpers import snapshot

PROBLEM = "application/problem+json"
REFUSED = ["2999-01-01", "9999-12-25", "1989-12-31"]
HELD = {"type": "supervision_held", "supervisor": "tm1", "supervisee": "sw1"}


def _says_why(text: str, on: str) -> None:
    assert ("in the future" in text) if on > "2026" else ("before 1990-01-01" in text), text


@pytest.mark.parametrize("on", REFUSED)
def test_the_cli_refuses_an_event_dated_in_the_future_or_before_1990(
        seeded: App, on: str, today: date, monkeypatch: pytest.MonkeyPatch) -> None:
    """`oversight event --type supervision_held --on …`: exit 1, one line, store unchanged."""
    monkeypatch.setenv("OVERSIGHT_HOME", str(seeded.settings.home))
    monkeypatch.delenv("OVERSIGHT_DATABASE_URL", raising=False)
    before = snapshot(seeded.engine)
    result = CliRunner().invoke(cli, ["event", "--type", "supervision_held", "--on", on,
                                      "-f", "supervisor=tm1", "-f", "supervisee=sw1"])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    _says_why(result.stderr, on)
    assert snapshot(seeded.engine) == before


@pytest.mark.parametrize("on", REFUSED)
def test_post_events_refuses_an_event_dated_in_the_future_or_before_1990(
        seeded: App, server, on: str) -> None:  # type: ignore[no-untyped-def]
    """POST /v1/events: 422 problem details, store unchanged."""
    before = snapshot(seeded.engine)
    with client(server, token(seeded, "system")) as http:
        refused = http.post("/v1/events", json={**HELD, "on": on})
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    _says_why(refused.json()["detail"], on)
    assert snapshot(seeded.engine) == before


def test_a_batch_with_one_event_in_the_future_applies_none(seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """POST /v1/events/batch: the second event (2999) is named, nothing is applied."""
    before = snapshot(seeded.engine)
    batch = {"events": [{**HELD, "on": "2026-03-02"}, {**HELD, "on": "2999-01-01"}]}
    with client(server, token(seeded, "system")) as http:
        refused = http.post("/v1/events/batch", json=batch)
    assert refused.status_code == 409, refused.text
    [error] = refused.json()["errors"]
    assert error["index"] == 1 and "in the future" in refused.text
    assert snapshot(seeded.engine) == before


@pytest.mark.parametrize("on", REFUSED)
def test_closing_a_task_on_a_day_in_the_future_or_before_1990_is_refused(
        seeded: App, server, on: str) -> None:  # type: ignore[no-untyped-def]
    """POST /v1/tasks/{id}/close with "on": the session task stays open, store unchanged."""
    # sw1's session held Mon 2 Feb raised the next one, due Mon 2 Mar (4 weeks on).
    task = "relationship:tm1:sw1:supervision:2"
    before = snapshot(seeded.engine)
    with client(server, token(seeded, "admin")) as http:
        refused = http.post(f"/v1/tasks/{task}/close", json={"on": on})
    assert refused.status_code == 422, refused.text
    _says_why(refused.json()["detail"], on)
    assert snapshot(seeded.engine) == before


@pytest.mark.parametrize("started", ["2999-01-01", "1989-12-31"])
def test_an_import_row_dated_in_the_future_or_before_1990_is_refused(
        seeded: App, tmp_path: Path, started: str) -> None:
    """A relationships CSV with one such row: the file is refused on that line, nothing is
    written."""
    path = tmp_path / "relationships.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["supervisor", "supervisee", "started"],
                                      ["tm2", "sw3", started]])
    before = snapshot(seeded.engine)
    with pytest.raises(ImportRejected) as refused:
        import_file(seeded, "relationships", path, now=NOW)
    assert "line 2" in str(refused.value)
    _says_why(str(refused.value), started)
    assert snapshot(seeded.engine) == before


def test_a_scenario_event_dated_after_its_end_or_before_1990_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`oversight simulate` of a scenario whose event is dated 2999 or 1989: one line, exit 1,
    no store made."""
    monkeypatch.setenv("OVERSIGHT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OVERSIGHT_DATABASE_URL", raising=False)
    for on in ("2999-01-01", "1989-12-31"):
        scenario = tmp_path / f"s{on[:4]}.yaml"
        scenario.write_text(
            "policy: surrey\nfrom: 2026-01-05\nto: 2026-03-31\n"
            "staff:\n  - {id: tm1, role: manager, started: 2018-04-03}\n"
            "  - {id: sw1, role: qualified_social_worker, started: 2021-09-01, manager: tm1}\n"
            "relationships:\n  - {supervisor: tm1, supervisee: sw1, started: 2026-01-05}\n"
            f"events:\n  - {{type: supervision_held, on: {on}, supervisor: tm1, "
            "supervisee: sw1}\n", encoding="utf-8")
        result = CliRunner().invoke(cli, ["simulate", str(scenario)])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and on in result.stderr
        assert not (tmp_path / "home" / "oversight.db").exists()


def test_another_date_of_an_event_far_beyond_it_is_refused_too(seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """An ASYE extended to 9999-12-25 (more than 10 years after the event): 422, unchanged."""
    before = snapshot(seeded.engine)
    with client(server, token(seeded, "system")) as http:
        refused = http.post("/v1/events", json={
            "type": "final_assessment_recorded", "on": "2026-03-02", "worker": "sw2",
            "outcome": "extended", "extended_to": "9999-12-25"})
    assert refused.status_code == 422, refused.text
    assert "extended_to 9999-12-25 is out of range" in refused.json()["detail"]
    assert snapshot(seeded.engine) == before
