"""Faults between the dispatcher and a receiver: errors, outages, slowness, a killed sender,
a deadline passed. In each case every task arrives and, after de-duplication on the
idempotency key, the receiver holds each message once."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from oversight.adapters.api.app import create_app
from oversight.adapters.cli.app import app as cli
from oversight.workflows.bootstrap import App
from oversight.workflows.delivery.dispatch import RECORD_EVERY
from tests.integration.delivery_fixtures import (
    SECRET,
    T0,
    configured,
    deliveries,
    in_task_order,
    outbox,
    run_dispatch,
    settings_file,
    webhook,
)
from tests.integration.delivery_servers import WebhookReceiver
from tests.integration.helpers import REPO


def _all_arrived_once(app: App, receiver: WebhookReceiver) -> None:
    rows = outbox(app)
    events = receiver.events()
    assert sorted(event["id"] for event in events) == sorted(row["id"] for row in rows)
    assert in_task_order(events, rows)
    assert receiver.refused == []
    assert {row["status"] for row in rows} == {"delivered"}


def test_a_receiver_answering_500_three_times_gets_every_message_by_the_next_run(
        busy: App, receiver: WebhookReceiver) -> None:
    """Three 500s: the run goes on past them (each holds back only its own task), schedules
    the three again 15 to 30 s on; the next run, a minute later, delivers the rest, once."""
    settings = configured(busy, receivers={"mosaic": webhook(receiver)})
    receiver.fail_next = 3
    first = run_dispatch(busy, settings, T0)
    assert (first["failed"], first["dead"]) == (3, 0)
    assert first["delivered"] + first["held"] == len(outbox(busy)) - 3
    waiting = [d for d in deliveries(busy) if d["attempts"] and d["status"] == "pending"]
    assert len(waiting) == 3
    for one in waiting:
        assert one["last_error"].endswith("HTTP 500 Internal Server Error")
        assert T0 + timedelta(seconds=15) <= one["next_attempt_at"].replace(
            tzinfo=T0.tzinfo) <= T0 + timedelta(seconds=30)
    assert first["receivers"]["mosaic"]["untried"] == first["held"]

    second = run_dispatch(busy, settings, T0 + timedelta(minutes=1))
    assert (second["failed"], second["dead"], second["held"]) == (0, 0, 0)
    assert first["delivered"] + second["delivered"] == len(outbox(busy))
    _all_arrived_once(busy, receiver)
    assert set(receiver.keys().values()) == {1}


def test_a_receiver_down_for_the_first_runs_is_paused_and_gets_everything_when_back(
        busy: App, receiver: WebhookReceiver) -> None:
    """Connections refused for four runs over eight hours: five tries, then the receiver is
    paused (30 s), and each later run tries once and pauses it twice as long (60, 120,
    240 s); the fifth run, with the receiver back, delivers every message."""
    settings = configured(busy, receivers={"mosaic": webhook(receiver)})
    receiver.stop()
    pauses = []
    for hours, tries in ((0, 5), (1, 1), (3, 1), (8, 1)):
        now = T0 + timedelta(hours=hours)
        totals = run_dispatch(busy, settings, now)
        assert (totals["delivered"], totals["failed"], totals["dead"]) == (0, tries, 0)
        line = totals["receivers"]["mosaic"]
        assert "ConnectError" in line["error"]
        assert line["untried"] == len(outbox(busy)) - 5
        pauses.append(round((datetime.fromisoformat(line["paused_until"]) - now)
                            .total_seconds()))
    # The pause doubles each time the circuit opens again. It starts when the failing send
    # ended, on the run's clock, which moves on by the run's own real time (leases on a virtual
    # clock: dispatch.run_clock), so on a loaded machine it can start a second or two after `now`.
    assert len(pauses) == 4
    assert all(0 <= got - want < 5 for got, want in zip(pauses, [30, 60, 120, 240], strict=True))
    paused_at = T0 + timedelta(hours=8, minutes=1)  # within the last pause of 240 s
    with TestClient(create_app(busy, clock=lambda: paused_at)) as http:
        health = http.get("/v1/health").json()
    assert (health["status"], health["deliveries"]) == ("degraded", {"dead": 0,
                                                                     "paused": ["mosaic"]})

    receiver.start()
    back = run_dispatch(busy, settings, T0 + timedelta(hours=9))
    assert (back["delivered"], back["failed"], back["dead"]) == (len(outbox(busy)), 0, 0)
    assert back["receivers"]["mosaic"]["paused_until"] is None
    _all_arrived_once(busy, receiver)
    assert set(receiver.keys().values()) == {1}
    assert max(d["attempts"] for d in deliveries(busy)) == 5


def test_a_receiver_slower_than_the_timeout_is_tried_again_and_its_repeat_absorbed(
        busy: App, receiver: WebhookReceiver) -> None:
    """The receiver keeps the first message but answers after the timeout: it is sent again
    in the next run, and the receiver drops the repeat by its idempotency key."""
    settings = configured(busy, receivers={"mosaic": webhook(receiver, timeout_seconds=0.3)})
    receiver.slow_next, receiver.slow_seconds = 1, 1.5
    first = run_dispatch(busy, settings, T0)
    assert first["failed"] == 1
    assert first["receivers"]["mosaic"]["error"] == \
        f"127.0.0.1:{receiver.port}: no answer within 0.3 s"

    second = run_dispatch(busy, settings, T0 + timedelta(hours=1))
    assert first["delivered"] + second["delivered"] == len(outbox(busy))
    _all_arrived_once(busy, receiver)
    assert sorted(receiver.keys().values())[-2:] == [1, 2]  # the slow one, twice


def test_a_dispatch_killed_between_send_and_record_repeats_only_its_in_flight_messages(
        busy: App, receiver: WebhookReceiver, tmp_path: Path) -> None:
    """SIGKILL of the dispatch process while the receiver holds its 60th message: its leases
    keep a run a minute later off its page; once they have run out (5 minutes) a run sends
    again exactly the ten it had sent but not recorded (51 to 60), under the same ids, and
    the rest once."""
    path = settings_file(tmp_path, receivers={"mosaic": webhook(receiver)})
    env = {**os.environ, "OVERSIGHT_SETTINGS_FILE": str(path), "PYTHONPATH": str(REPO),
           "OVERSIGHT_HOME": str(busy.settings.home)}

    def command(now: datetime) -> list[str]:
        return [sys.executable, "-m", "tests.integration.delivery_worker", busy.settings.url,
                now.isoformat()]

    process = subprocess.Popen(command(T0), cwd=REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    receiver.kill_pid, receiver.kill_at = process.pid, 60
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, stderr
    assert stdout == "" and receiver.requests == 60
    recorded = [d for d in deliveries(busy) if d["status"] == "delivered"]
    assert len(recorded) == RECORD_EVERY  # the first 50 were recorded; 51 to 60 were not
    in_flight = [arrival.key for arrival in receiver.accepted[RECORD_EVERY:60]]
    receiver.kill_at = None

    early = subprocess.run(command(T0 + timedelta(minutes=1)), cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=120)
    assert early.returncode == 0, early.stderr
    assert json.loads(early.stdout)["delivered"] == 0 and receiver.requests == 60

    rerun = subprocess.run(command(T0 + timedelta(minutes=6)), cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["delivered"] == len(outbox(busy)) - RECORD_EVERY
    _all_arrived_once(busy, receiver)
    repeated = sorted(key for key, count in receiver.keys().items() if count > 1)
    assert repeated == sorted(in_flight)
    assert all(count <= 2 for count in receiver.keys().values())


def test_messages_failing_past_the_deadline_are_dead_letters_that_retry_sends_again(
        busy: App, receiver: WebhookReceiver, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A receiver down for more than 48 hours: every delivery goes dead with its last error,
    in a few ERROR lines (ten named, then how many more), `oversight deliveries` lists them,
    and `oversight deliveries retry --all` sends them once the receiver is back."""
    monkeypatch.setenv("OVERSIGHT_SETTINGS_FILE", str(settings_file(
        tmp_path, receivers={"mosaic": {"adapter": "webhook", "url": receiver.url}})))
    monkeypatch.setenv("OVERSIGHT_RECEIVERS__MOSAIC__SECRET", SECRET)
    settings = configured(busy)
    assert settings.receivers["mosaic"].secret.get_secret_value() == SECRET
    receiver.stop()
    for hours in (0, 6, 24, 47):
        assert run_dispatch(busy, settings, T0 + timedelta(hours=hours))["dead"] == 0
    caplog.set_level(logging.ERROR, logger="oversight.dispatch")
    late = run_dispatch(busy, settings, T0 + timedelta(hours=49))
    assert late["dead"] == len(outbox(busy)) and late["delivered"] == 0
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 11 and all(line.startswith("dead letter: message ")
                                    for line in lines[:10])
    assert lines[10] == (f"dead letters: {len(outbox(busy)) - 10} more to mosaic "
                         f"(`oversight deliveries --status dead` lists them)")
    assert {row["status"] for row in outbox(busy)} == {"dead"}

    runner = CliRunner()
    listed = runner.invoke(cli, ["deliveries", "--status", "dead", "--json", "--limit", "10000"])
    assert listed.exit_code == 0, listed.output
    dead = json.loads(listed.stdout)["deliveries"]
    assert len(dead) == len(outbox(busy))
    assert all("ConnectError" in d["last_error"] or "not sent" in d["last_error"] for d in dead)
    table = runner.invoke(cli, ["deliveries"])
    assert table.exit_code == 0 and "dead" in table.stdout and "mosaic" in table.stdout

    receiver.start()
    one = runner.invoke(cli, ["deliveries", "retry", dead[0]["message_id"][:13]])
    assert one.exit_code == 0, one.output
    assert "Put back 1 delivery(ies)." in one.stdout and "1 delivered" in one.stdout
    retried = runner.invoke(cli, ["deliveries", "retry", "--all", "--json"])
    assert retried.exit_code == 0, retried.output
    answer = json.loads(retried.stdout)
    assert answer["requeued"] == answer["sent"]["delivered"] == len(outbox(busy)) - 1
    _all_arrived_once(busy, receiver)
    nothing = runner.invoke(cli, ["deliveries", "retry", "--all"])
    assert nothing.exit_code == 1 and "nothing to retry" in nothing.stderr
