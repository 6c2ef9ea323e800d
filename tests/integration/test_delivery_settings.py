"""Receivers from the settings file and the environment: `oversight adapters check` tries
each; bad configuration stops any command at start-up with one line; secrets never show."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oversight.adapters.cli.app import app as cli
from oversight.workflows.bootstrap import App
from tests.integration.delivery_fixtures import (
    SECRET,
    settings_file,
)
from tests.integration.delivery_servers import JsonCollector, MailServer, WebhookReceiver

CHAT_TOKEN = "chat-token-0123456789"


@pytest.fixture
def configured_receivers(app: App, receiver: WebhookReceiver, mail_server: MailServer,
                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                         ) -> Iterator[JsonCollector]:
    """A settings file naming one receiver of each adapter; secrets in the environment."""
    chat = JsonCollector()
    path = settings_file(tmp_path, smtp={
        "host": "127.0.0.1", "port": mail_server.port, "username": MailServer.USER,
        "sender": "oversight@council.example", "ca_file": str(mail_server.cert)},
        receivers={
            "mosaic": {"adapter": "webhook", "url": receiver.url},
            "managers": {"adapter": "email", "to": ["tm@council.example"]},
            "team_chat": {"adapter": "chat",
                          "url": f"json://127.0.0.1:{chat.port}/notify?token={CHAT_TOKEN}"},
            "itrent": {"adapter": "files", "directory": str(tmp_path / "itrent")}})
    monkeypatch.setenv("OVERSIGHT_SETTINGS_FILE", str(path))
    monkeypatch.setenv("OVERSIGHT_RECEIVERS__MOSAIC__SECRET", SECRET)
    monkeypatch.setenv("OVERSIGHT_SMTP__PASSWORD", MailServer.PASSWORD)
    yield chat
    chat.stop()


def test_adapters_check_tries_every_receiver_and_says_in_a_table_what_works(
        configured_receivers: JsonCollector, receiver: WebhookReceiver,
        mail_server: MailServer, tmp_path: Path) -> None:
    """HEAD to the webhook, EHLO/STARTTLS/login to SMTP, a writable folder, apprise's check:
    all work; with the webhook down its row says why and the command exits 1."""
    runner = CliRunner()
    result = runner.invoke(cli, ["adapters", "check", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["receiver"]: row for row in json.loads(result.stdout)}
    assert {name: row["ok"] for name, row in rows.items()} == {
        "mosaic": True, "managers": True, "team_chat": True, "itrent": True}
    assert rows["mosaic"]["detail"] == \
        "HEAD answered HTTP 200; messages signed (Standard Webhooks, 1 key(s))"
    assert rows["managers"]["detail"].startswith("EHLO, STARTTLS, login accepted")
    assert "JSON" in rows["team_chat"]["detail"]
    assert rows["itrent"]["detail"] == \
        f"{tmp_path / 'itrent'} will be made in {tmp_path} on the first delivery"
    assert mail_server.messages == [] and receiver.requests == 0  # HEAD is not a POST

    receiver.stop()
    down = runner.invoke(cli, ["adapters", "check"])
    assert down.exit_code == 1
    assert "mosaic" in down.stdout and "NO" in down.stdout and "ConnectError" in down.stdout
    for text in (result.stdout, down.stdout):
        assert SECRET not in text and CHAT_TOKEN not in text and MailServer.PASSWORD not in text


@pytest.mark.parametrize(("receivers", "line"), [
    ({"mosaic": {"adapter": "webhok", "url": "https://x.example/hook"}},
     "receivers.mosaic: unknown adapter 'webhok'; adapters are webhook, email, chat, files, "
     "jsonl"),
    ({"mosaic": {"adapter": "webhook", "url": "https://x.example/hook"}},
     "receivers.mosaic: no secret: set `secret` in the settings file or "
     "OVERSIGHT_RECEIVERS__MOSAIC__SECRET (or `signed: false`)"),
    ({"mosaic": {"adapter": "webhook", "url": "mosaic.example/hook", "secret": "s"}},
     "receivers.mosaic.url: not a URL the adapter can use (Input should be a valid URL, "
     "relative URL without a base); write it as https://host/path"),
    ({"mosaic": {"adapter": "webhook", "url": "https://x.example/hook",
                 "secret": "a-long-random-webhook-secret"}},
     "receivers.mosaic: secret: not a Standard Webhooks secret: write it as whsec_ followed "
     "by the base64 of 24 to 64 random bytes"),
    ({"team_chat": {"adapter": "chat", "url": "teams.example/hook"}},
     "receivers.team_chat.url: apprise does not understand this URL (see apprise's list of "
     "services for the form, e.g. msteams://… or slack://…)"),
])
def test_bad_delivery_settings_stop_every_command_with_one_clear_line(
        app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receivers: dict,
        line: str) -> None:
    """An unknown adapter, a missing secret or a malformed URL: `status` (like any command)
    exits 1 with one line on stderr, naming the file and the key."""
    path = settings_file(tmp_path, receivers=receivers)
    monkeypatch.setenv("OVERSIGHT_SETTINGS_FILE", str(path))
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: settings ({path}): {line}"]
    assert result.stdout == ""
