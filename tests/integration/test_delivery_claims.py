"""Claimed deliveries: each is leased before it is sent, so overlapping dispatch runs send each
message once, to a webhook (every request verified with ``standardwebhooks``) and to an SMTP
server, in order per task; a receiver failing 2% of requests at random gets everything within
a few runs; a dead letter holds back nothing of its task, and says so loudly."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from oversight.adapters.api.app import create_app
from oversight.adapters.cli.app import app as cli
from oversight.workflows.bootstrap import App
from tests.integration.delivery_fixtures import (
    T0,
    configured,
    deliveries,
    in_task_order,
    outbox,
    run_dispatch,
    settings_file,
    webhook,
)
from tests.integration.delivery_servers import MailServer, WebhookReceiver
from tests.integration.helpers import REPO

TO = ["team-managers@council.example"]


def _smtp(server: MailServer) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": server.port, "starttls": True,
            "username": MailServer.USER, "password": MailServer.PASSWORD,
            "sender": "oversight@council.example", "ca_file": str(server.cert),
            "timeout_seconds": 5}


def _worker(app: App, settings: Path, now: datetime, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tests.integration.delivery_worker", app.settings.url,
            now.isoformat(), *extra]


@pytest.mark.parametrize("runs", [2, 4])
def test_overlapping_dispatch_runs_send_each_message_once_to_a_webhook_and_a_mail_server(
        busy: App, receiver: WebhookReceiver, mail_server: MailServer, tmp_path: Path,
        runs: int, capsys: pytest.CaptureFixture[str]) -> None:
    """Two, then four dispatch processes released at the same moment on one store, pages of
    ten: the webhook gets each message once and the mail server one mail per message (one
    Message-ID each), each task's in order; what the overlap held back (a task's later
    message whose earlier one another run was sending) goes in the next run, and the runs'
    delivered counts add up to the messages, never more."""
    path = settings_file(tmp_path, smtp=_smtp(mail_server), receivers={
        "mosaic": webhook(receiver), "managers": {"adapter": "email", "to": TO}})
    env = {**os.environ, "OVERSIGHT_SETTINGS_FILE": str(path), "PYTHONPATH": str(REPO),
           "OVERSIGHT_HOME": str(busy.settings.home)}
    rows = outbox(busy)
    go = tmp_path / "go"
    started = [subprocess.Popen(_worker(busy, path, T0, "10", str(go)), cwd=REPO, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(runs)]
    for process in started:  # each connected, with its adapters, waiting at the line
        assert json.loads(process.stdout.readline())["ready"]  # type: ignore[union-attr]
    go.touch()
    totals = []
    for process in started:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        totals.append(json.loads(out.splitlines()[-1]))
    after = subprocess.run(_worker(busy, path, T0 + timedelta(minutes=1), "10"), cwd=REPO,
                           env=env, capture_output=True, text=True, timeout=300)
    assert after.returncode == 0, after.stderr
    totals.append(json.loads(after.stdout))

    for name in ("mosaic", "managers"):
        assert sum(t["receivers"].get(name, {}).get("delivered", 0) for t in totals) == len(rows)
        assert all(t["receivers"].get(name, {}).get("failed", 0) == 0 for t in totals)
    assert receiver.refused == []
    assert sorted(receiver.keys().values()) == [1] * len(rows)
    assert {event["id"] for event in receiver.events()} == {row["id"] for row in rows}
    assert in_task_order(receiver.events(), rows)
    mails = [mail["X-Oversight-Event-Id"] for mail in mail_server.messages]
    assert sorted(Counter(mail["Message-ID"] for mail in mail_server.messages).values()) == \
        [1] * len(rows)
    assert sorted(mails) == sorted(row["id"] for row in rows)
    by_id = {row["id"]: row for row in rows}
    assert in_task_order([{"id": one, "subject": by_id[one]["task_id"]} for one in mails], rows)
    assert {(d["status"], d["lease_owner"]) for d in deliveries(busy)} == {("delivered", None)}
    shares = [t["receivers"].get("mosaic", {}).get("delivered", 0) for t in totals]
    if busy.engine.dialect.name == "postgresql":  # SQLite's writer lock may favour one run
        assert sum(share > 0 for share in shares[:runs]) >= 2, f"one run did it all: {shares}"
    with capsys.disabled():
        print(f"\n{runs} overlapping runs ({busy.engine.dialect.name}): {len(rows)} messages "
              f"each sent once to the webhook and the mail server; webhook deliveries by run "
              f"{shares} (the last one the next minute)")


def test_a_receiver_failing_two_percent_of_requests_gets_every_message_within_four_runs(
        busy: App, receiver: WebhookReceiver, capsys: pytest.CaptureFixture[str]) -> None:
    """500 to 2% of requests at random (a fixed seed): a failure holds back only its own
    task, so one run a minute delivers every message within four runs, each once."""
    settings = configured(busy, receivers={"mosaic": webhook(receiver)})
    receiver.fail_rate = 0.02
    rows, runs, failures = outbox(busy), 0, 0
    while any(d["status"] != "delivered" for d in deliveries(busy)) or runs == 0:
        totals = run_dispatch(busy, settings, T0 + timedelta(minutes=runs))
        runs, failures = runs + 1, failures + totals["failed"]
        assert runs <= 4, f"not all delivered after {runs} runs"
    assert failures > 0  # the 2% did strike
    assert sorted(receiver.keys().values()) == [1] * len(rows)
    assert in_task_order(receiver.events(), rows)
    with capsys.disabled():
        print(f"\n2% failures: {len(rows)} messages, {failures} failed sends, "
              f"all delivered in {runs} runs")


def test_after_a_dead_letter_the_tasks_later_messages_go_saying_which_one_they_follow(
        busy: App, receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The receiver refuses a task's first message every time: its later messages wait while
    it is retried, and once it is dead (48 hours on) they go in the same run, the next one
    carrying ``follows`` = the dead one's seq; the dead letter is an ERROR in the log and in
    `oversight deliveries`; the receiver's other tasks never waited."""
    settings = configured(busy, receivers={"mosaic": webhook(receiver)})
    rows = outbox(busy)
    counts = Counter(row["task_id"] for row in rows)
    task = next(row["task_id"] for row in rows if counts[row["task_id"]] >= 2)
    first, *later = [row for row in rows if row["task_id"] == task]
    receiver.refuse_ids = {first["id"]}

    opening = run_dispatch(busy, settings, T0)
    assert (opening["delivered"], opening["failed"], opening["held"]) == (
        len(rows) - 1 - len(later), 1, len(later))
    caplog.set_level(logging.ERROR, logger="oversight.dispatch")
    dead = run_dispatch(busy, settings, T0 + timedelta(hours=49))
    assert (dead["dead"], dead["delivered"], dead["held"]) == (1, len(later), 0)

    arrived = {event["id"]: event for event in receiver.events()}
    assert first["id"] not in arrived
    assert [arrived[row["id"]]["data"]["follows"] for row in later] == \
        [str(first["seq"])] + [str(row["seq"]) for row in later[:-1]]
    assert [record.getMessage() for record in caplog.records] == [
        f"dead letter: message {first['id']} to mosaic: 127.0.0.1:{receiver.port}: "
        f"HTTP 500 Internal Server Error"]
    monkeypatch.setenv("OVERSIGHT_DATABASE_URL", busy.settings.url)
    listed = CliRunner().invoke(cli, ["deliveries", "--status", "dead", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [d["message_id"] for d in json.loads(listed.stdout)["deliveries"]] == [first["id"]]
    with TestClient(create_app(busy, clock=lambda: T0 + timedelta(hours=49))) as http:
        health = http.get("/v1/health")
    assert health.status_code == 200
    assert (health.json()["status"], health.json()["deliveries"]) == (
        "degraded", {"dead": 1, "paused": []})
