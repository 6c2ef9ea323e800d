"""The outbox: CloudEvents 1.0 messages with identifiers and dates only, delivered once each."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from oversight.workflows.bootstrap import App
from oversight.workflows.flows.operations import deliver_batch, route_batch
from oversight.workflows.recording.messages import TYPE_PREFIX
from oversight.workflows.settings import Settings
from tests.integration import team
from tests.integration.helpers import rows, sweep

IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:^-]+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY = r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}"
ARITHMETIC = re.compile(
    r"^\d{4}-\d{2}-\d{2} \+ \d+ (working days?|days?|weeks?|months?) = \d{4}-\d{2}-\d{2}"
    r"(, skipping (\d{4}-\d{2}-\d{2} \([A-Za-z' ]+\)(, )?)+)?$"
    # A deadline moved off a non-working day: "1 month after Thu 2 Apr 2026 = Sat 2 May 2026,
    # moved to Tue 5 May 2026 (weekend, May Day)" — dates and holiday names only.
    rf"|^\d+ (working days?|days?|weeks?|months?) after {_DAY} = {_DAY}, moved (back )?to "
    rf"{_DAY} \([A-Za-z'() ,]+\)$")
REQUIRED = {"specversion", "id", "source", "type", "time", "subject", "data"}


def _messages(app: App) -> list[dict[str, Any]]:
    return [row["message"] for row in rows(app.engine, "outbox")]


def _identifiers_and_dates_only(data: dict[str, Any], link_base: str) -> None:
    for key, value in data.items():
        if value is None:
            continue
        if key in ("raised_on", "due"):
            assert ISO_DATE.match(value), (key, value)
            date.fromisoformat(value)
        elif key == "computed":
            assert ARITHMETIC.match(value), value
        elif key == "link":
            assert value == f"{link_base}/tasks/{data['task_id']}"
        elif key == "rule":
            # No policy quote; a national text's rule also names the text and who adopts it.
            assert {"authority", "section", "rule", "version"} <= set(value) <= {
                "authority", "section", "rule", "version", "source", "adopted_by"}
            assert ("adopted_by" not in value) or ("source" in value), value
            assert all(re.match(r"^[A-Za-z0-9_. -]+$", v) for v in value.values()), value
        else:
            assert isinstance(value, str) and IDENTIFIER.match(value), (key, value)


def test_every_outbox_message_is_a_cloudevents_1_0_json_event(seeded: App) -> None:
    """Each message has the CloudEvents 1.0 attributes, survives JSON, and is keyed by its own
    id."""
    sweep(seeded, as_of=date(2026, 5, 31))
    outbox = rows(seeded.engine, "outbox")
    assert {row["type"] for row in outbox} >= {TYPE_PREFIX + change for change in
                                               ("opened", "closed", "escalated", "breached")}
    for row in outbox:
        message = row["message"]
        assert json.loads(json.dumps(message)) == message
        assert REQUIRED <= set(message)
        assert message["specversion"] == "1.0"
        assert message["id"] == row["id"]  # the idempotency key a receiver de-duplicates on
        assert message["source"] == "/oversight/surrey"
        assert message["type"] == row["type"] and message["type"].startswith(TYPE_PREFIX)
        assert message["subject"] == row["task_id"] == message["data"]["task_id"]
        assert datetime.fromisoformat(message["time"].replace("Z", "+00:00")) == team.NOW
        assert message["time"].endswith("Z")
        assert message.get("datacontenttype") == "application/json"
        assert all(re.match(r"^[a-z0-9]{1,20}$", name) for name in message), "attribute names"
    assert len({row["id"] for row in outbox}) == len(outbox)


def test_outbox_messages_carry_identifiers_and_dates_only(seeded: App, settings: Settings) -> None:
    """No narrative leaves the store: data holds ids, ISO dates, the rule's reference and the
    date arithmetic."""
    sweep(seeded, as_of=date(2026, 5, 31))
    quotes = {t["rule"]["quote"] for t in rows(seeded.engine, "tasks")}
    assert quotes and all(len(q) > 20 for q in quotes)
    for message in _messages(seeded):
        _identifiers_and_dates_only(message["data"], settings.link_base)
        text = json.dumps(message)
        assert not any(quote in text for quote in quotes)


def test_a_task_message_describes_the_task_row_it_announces(seeded: App) -> None:
    """The day-10 oversight escalation's message names tm1's line manager, its dates and the
    escalation rule it cites (Surrey §4.3)."""
    sweep(seeded, as_of=date(2026, 3, 31))
    task = next(t for t in rows(seeded.engine, "tasks") if t["id"] == "assessment:c1:mo:day10^")
    [opened] = [m for m in _messages(seeded)
                if m["subject"] == task["id"] and m["type"] == TYPE_PREFIX + "opened"]
    data = opened["data"]
    assert (data["assignee"], data["assignee_role"], data["task_type"]) == \
        ("hos1", "line_manager", "escalation")  # tm1's line manager
    assert (data["raised_on"], data["due"]) == (task["raised_on"].isoformat(),
                                                task["due"].isoformat())
    assert data["escalates"] == "assessment:c1:mo:day10"
    # An escalation cites the escalation rule, not the rule of the task it escalates.
    assert (data["rule"]["authority"], data["rule"]["section"]) == ("surrey", "4.3")


def test_dispatch_writes_each_message_once_as_a_json_line(seeded: App, settings: Settings) -> None:
    """The dispatch task body appends each pending message to tasks.jsonl; a second run sends
    nothing."""
    sweep(seeded, as_of=date(2026, 3, 31))
    pending = {m["id"]: m for m in _messages(seeded)}
    assert route_batch.fn(settings.url, 10_000, team.NOW) == len(pending)
    first = deliver_batch.fn(settings.url, "jsonl", 10_000, team.NOW)
    assert (first["delivered"], first["failed"], first["dead"]) == (len(pending), 0, 0)
    path: Path = settings.outbox_file
    lines = path.read_text(encoding="utf-8").splitlines()
    # Each line is the stored message with its place in the order (sequence, follows).
    written = {json.loads(line)["id"]: json.loads(line) for line in lines}
    for event in written.values():
        assert event.pop("sequence").isdigit()
        event["data"].pop("follows", None)
    assert written == pending
    assert all(row["status"] == "delivered" and row["attempts"] == 1
               for row in rows(seeded.engine, "outbox"))
    assert route_batch.fn(settings.url, 10_000, team.NOW) == 0
    assert deliver_batch.fn(settings.url, "jsonl", 10_000, team.NOW)["seen"] == 0
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(lines)
