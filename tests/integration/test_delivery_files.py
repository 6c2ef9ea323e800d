"""Batch import files for case-record and HR systems: CSV and JSON Lines, read back and parsed."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

from oversight.adapters.delivery.files import FIELDS
from oversight.workflows.bootstrap import App
from tests.integration.delivery_fixtures import (
    T0,
    configured,
    outbox,
    run_dispatch,
)
from tests.integration.helpers import record


def _files(app: App, folder: Path):  # type: ignore[no-untyped-def]
    return configured(app, receivers={
        "lcs": {"adapter": "files", "directory": str(folder / "lcs"), "format": "csv"},
        "itrent": {"adapter": "files", "directory": str(folder / "itrent"), "format": "jsonl",
                   "prefix": "supervision"}})


def test_each_run_writes_one_csv_and_one_json_lines_file_that_parse_back_to_every_message(
        busy: App, tmp_path: Path) -> None:
    """One file per receiver for the run, named by its instant, with census-like columns:
    child_id for a child's task, ISO 8601 dates, the event id to de-duplicate on."""
    settings = _files(busy, tmp_path)
    rows = outbox(busy)
    totals = run_dispatch(busy, settings, T0)
    assert totals["delivered"] == 2 * len(rows)

    [table] = sorted((tmp_path / "lcs").iterdir())
    assert table.name == f"oversight-tasks-{T0:%Y%m%dT%H%M%S}Z.csv"
    with table.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == FIELDS
        parsed = list(reader)
    [lines] = sorted((tmp_path / "itrent").iterdir())
    assert lines.name == f"supervision-{T0:%Y%m%dT%H%M%S}Z.jsonl"
    as_json = [json.loads(line) for line in lines.read_text(encoding="utf-8").splitlines()]
    assert parsed == as_json  # the same records, in creation order
    assert [record["event_id"] for record in parsed] == [row["id"] for row in rows]

    for record_, row in zip(parsed, rows, strict=True):
        data = row["message"]["data"]
        assert (record_["task_id"], record_["task_type"], record_["due_date"]) == \
            (data["task_id"], data["task_type"], data["due"])
        assert date.fromisoformat(record_["due_date"])
        assert date.fromisoformat(record_["raised_date"])
        kind, _, ident = data["subject"].partition(":")
        assert record_["child_id"] == (ident if kind == "child" else "")
        assert record_["event_type"] == row["type"].rsplit(".", 1)[-1]
        assert record_["authority"] == "surrey" and record_["link"] == data["link"]
    assert any(record_["child_id"] for record_ in parsed)
    assert any(record_["worker_id"] for record_ in parsed)
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]  # no temporary left


def test_a_run_with_nothing_new_writes_no_file_and_the_next_messages_get_a_file_of_their_own(
        busy: App, tmp_path: Path) -> None:
    """Files hold each message once: an empty run leaves no file, a later run a new one."""
    settings = _files(busy, tmp_path)
    run_dispatch(busy, settings, T0)
    assert run_dispatch(busy, settings, T0 + timedelta(minutes=1))["delivered"] == 0
    assert len(list((tmp_path / "lcs").iterdir())) == 1

    record(busy, type="assessment_started", on="2026-06-01", child="c99", worker="w1",
           manager="tm1", event_id="later-1")
    later = T0 + timedelta(minutes=2)
    assert run_dispatch(busy, settings, later)["delivered"] > 0
    files = sorted((tmp_path / "lcs").iterdir())
    assert [p.name for p in files][-1] == f"oversight-tasks-{later:%Y%m%dT%H%M%S}Z.csv"
    with files[-1].open(newline="", encoding="utf-8") as handle:
        newest = list(csv.DictReader(handle))
    assert newest and {r["child_id"] for r in newest} == {"c99"}
