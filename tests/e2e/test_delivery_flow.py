"""`oversight dispatch` runs the Prefect `dispatch` flow to the receivers the settings name."""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import Invoke, json_of
from tests.integration.delivery_servers import WebhookReceiver

SECRET = "whsec_" + base64.b64encode(b"e2e-webhook-secret-of-32-bytes!!").decode()


@pytest.mark.usefixtures("prefect_harness")  # runs a flow: the session's Prefect server
def test_the_dispatch_flow_delivers_to_a_webhook_and_an_import_folder_from_the_settings_file(
        store: Path, oversight: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings file plus a secret in the environment: each task message reaches the signed
    webhook and the CSV import once, `deliveries` has nothing left, a second run sends none."""
    receiver = WebhookReceiver(secret=SECRET)
    try:
        path = tmp_path / "settings.yaml"
        path.write_text(yaml.safe_dump({"receivers": {
            "mosaic": {"adapter": "webhook", "url": receiver.url},
            "lcs": {"adapter": "files", "directory": str(tmp_path / "lcs")}}}), encoding="utf-8")
        monkeypatch.setenv("OVERSIGHT_SETTINGS_FILE", str(path))
        monkeypatch.setenv("OVERSIGHT_RECEIVERS__MOSAIC__SECRET", SECRET)
        assert oversight("event", "--type", "assessment_started", "--on", "2026-03-25",
                         "-f", "child=c1", "-f", "worker=sw1", "-f", "manager=tm1").exit_code == 0

        first = json_of(oversight("dispatch", "--json"))
        assert (first["routed"], first["delivered"], first["failed"]) == (5, 10, 0)
        assert {name: line["delivered"] for name, line in first["receivers"].items()} == \
            {"mosaic": 5, "lcs": 5}
        assert receiver.refused == [] and set(receiver.keys().values()) == {1}
        [written] = (tmp_path / "lcs").iterdir()
        with written.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert [row["event_id"] for row in rows] == [e["id"] for e in receiver.events()]
        assert {row["child_id"] for row in rows} == {"c1"}

        assert json_of(oversight("dispatch", "--json"))["delivered"] == 0
        assert json_of(oversight("deliveries", "--json"))["deliveries"] == []
        shown = oversight("dispatch")
        assert shown.exit_code == 0
        assert shown.stdout.splitlines() == [
            "Nothing to deliver: every message has gone out.",
            f"  so far to lcs ({tmp_path / 'lcs'} (csv)): 5 delivered",
            f"  so far to mosaic (http://127.0.0.1:{receiver.port}/tasks): 5 delivered"]
        assert not (store / "outbox" / "tasks.jsonl").exists()  # configured receivers only
        assert json.loads(oversight("deliveries", "--status", "delivered", "--json").stdout)[
            "counts"] == {"lcs": {"delivered": 5}, "mosaic": {"delivered": 5}}
    finally:
        receiver.stop()


def test_the_delivery_commands_have_help(oversight: Invoke) -> None:
    """`deliveries`, `deliveries retry` and `adapters check` say what they do."""
    for command in ("deliveries", "deliveries retry", "adapters", "adapters check"):
        result = oversight(*command.split(), "--help")
        assert result.exit_code == 0 and "Usage" in result.stdout, command


def test_a_simulation_writes_its_own_outbox_file_and_never_calls_the_configured_receivers(
        home: Path, oversight: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated tasks are not real: with a webhook configured, `simulate` still delivers only
    to the JSON Lines file beside its store."""
    from tests.e2e.conftest import EXAMPLE

    receiver = WebhookReceiver(secret=SECRET)
    try:
        path = tmp_path / "settings.yaml"
        path.write_text(yaml.safe_dump({"receivers": {"mosaic": {
            "adapter": "webhook", "url": receiver.url, "secret": SECRET}}}), encoding="utf-8")
        monkeypatch.setenv("OVERSIGHT_SETTINGS_FILE", str(path))
        store = tmp_path / "sim" / "simulated.db"
        result = oversight("simulate", str(EXAMPLE), "--store", str(store), "--json")
        assert result.exit_code == 0, result.stderr
        lines = (store.parent / "outbox" / "tasks.jsonl").read_text(encoding="utf-8")
        assert len(lines.splitlines()) > 5
        assert receiver.requests == 0

        # Its dispatch says where its messages went: its own file, not the webhook.
        monkeypatch.setenv("OVERSIGHT_DATABASE_URL", f"sqlite:///{store}")
        shown = oversight("dispatch")
        assert shown.exit_code == 0, shown.stderr
        assert shown.stdout.splitlines() == [
            "Nothing to deliver: every message has gone out.",
            f"  so far to jsonl (this store's own outbox file: a simulation's, not a configured "
            f"receiver): {len(lines.splitlines())} delivered",
            f"  so far to mosaic (http://127.0.0.1:{receiver.port}/tasks): none of this store's "
            f"messages"]
        assert receiver.requests == 0
    finally:
        receiver.stop()


def test_the_served_dispatch_runs_one_at_a_time() -> None:
    """A dispatch still sending when the next minute comes: the newcomer is cancelled."""
    from prefect.client.schemas.objects import ConcurrencyLimitStrategy

    from oversight.workflows.flows.deployments import deployments

    [served] = [d for d in deployments() if d.name == "oversight-dispatch-served"]
    assert served.concurrency_limit == 1
    assert served.concurrency_options.collision_strategy == ConcurrencyLimitStrategy.CANCEL_NEW
