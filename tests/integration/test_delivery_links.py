"""A message's link is made when it is sent, from the sending process's ``link_base`` and the
task id the message keeps: messages written by a process configured with another
``link_base`` point where the people of the process that sends them open tasks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from oversight.workflows.bootstrap import App
from tests.integration.delivery_fixtures import T0, configured, outbox, run_dispatch, webhook
from tests.integration.delivery_servers import WebhookReceiver

SENDER = "https://oversight.surrey.example"
"""The dispatching process's link_base; the messages were written under the default."""


def test_messages_written_under_another_link_base_are_sent_with_the_senders_links(
        busy: App, receiver: WebhookReceiver, tmp_path: Path) -> None:
    """The store wrote every link as http://localhost:8000/tasks/<id>; dispatched with
    link_base https://oversight.surrey.example, the webhook, the JSON Lines file and the CSV
    file each get https://oversight.surrey.example/tasks/<id> for every message."""
    rows = outbox(busy)
    assert rows and all(row["message"]["data"]["link"]
                        == f"http://localhost:8000/tasks/{row['task_id']}" for row in rows)
    lines = tmp_path / "tasks.jsonl"
    settings = configured(busy, link_base=SENDER, receivers={
        "mosaic": webhook(receiver), "file": {"adapter": "jsonl", "path": str(lines)},
        "lcs": {"adapter": "files", "directory": str(tmp_path / "lcs"), "format": "csv"}})
    totals = run_dispatch(busy, settings, T0)
    assert totals["delivered"] == 3 * len(rows)

    wanted = {row["id"]: f"{SENDER}/tasks/{row['task_id']}" for row in rows}
    assert {event["id"]: event["data"]["link"] for event in receiver.events()} == wanted
    written = [json.loads(line) for line in lines.read_text(encoding="utf-8").splitlines()]
    assert {event["id"]: event["data"]["link"] for event in written} == wanted
    [table] = sorted((tmp_path / "lcs").iterdir())
    with table.open(newline="", encoding="utf-8") as handle:
        assert {row["event_id"]: row["link"] for row in csv.DictReader(handle)} == wanted
