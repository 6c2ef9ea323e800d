"""Delivery settings: file and environment, routes by authority, one-line faults, secrets."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oversight.adapters.policy_files import available_policies
from oversight.workflows.delivery.dispatch import Backoff
from oversight.workflows.delivery.settings import DeliveryPolicy, SettingsInvalid
from oversight.workflows.settings import Settings

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "settings.example.yaml"
FILE_SECRET = "whsec_" + base64.b64encode(b"webhook-secret-of-32-random-byte").decode()
ENV_SECRET = "whsec_" + base64.b64encode(b"another-secret-from-the-environ").decode()
NOW = datetime(2026, 4, 10, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("OVERSIGHT_"):
            monkeypatch.delenv(name)


def _file(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("OVERSIGHT_SETTINGS_FILE", str(path))
    return path


def test_with_no_receiver_every_message_goes_to_the_embedded_json_lines_file() -> None:
    """The default needs no configuration: one receiver, ``jsonl``, for everything."""
    settings = Settings()
    assert list(settings.receiver_settings()) == ["jsonl"]
    assert settings.routing().receivers_for("surrey", "management_oversight", "opened") == ["jsonl"]


def test_the_example_settings_file_loads_once_its_secrets_are_in_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """config/settings.example.yaml is valid; its routes send a Surrey breach to managers."""
    monkeypatch.setenv("OVERSIGHT_SETTINGS_FILE", str(EXAMPLE))
    with pytest.raises(SettingsInvalid, match="OVERSIGHT_SMTP__PASSWORD"):
        Settings()
    monkeypatch.setenv("OVERSIGHT_SMTP__PASSWORD", "smtp-password")
    monkeypatch.setenv("OVERSIGHT_RECEIVERS__MOSAIC__SECRET", FILE_SECRET)
    settings = Settings()
    routing = settings.routing()
    assert routing.receivers_for("surrey", "management_oversight", "opened") == [
        "mosaic", "archive"]
    assert routing.receivers_for("surrey", "personal_supervision", "breached") == [
        "team_managers", "team_chat", "itrent_import", "archive"]
    assert routing.receivers_for("devon", "management_oversight", "opened") == []


def test_environment_variables_win_over_the_settings_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A nested variable replaces one key of a receiver and leaves the others."""
    _file(tmp_path, "receivers:\n  hook:\n    adapter: webhook\n    url: https://a.example/x\n"
                    f"    secret: {FILE_SECRET}\n    timeout_seconds: 3\n", monkeypatch)
    monkeypatch.setenv("OVERSIGHT_RECEIVERS__HOOK__SECRET", ENV_SECRET)
    hook = Settings().receivers["hook"]
    assert hook.secret.get_secret_value() == ENV_SECRET and hook.timeout_seconds == 3


def test_secrets_are_never_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Webhook secrets, the SMTP password and chat URLs show as stars in repr, str and JSON."""
    _file(tmp_path, "smtp:\n  host: smtp.example\n  username: u\n  password: pw-123456\n"
                    "  sender: o@council.example\n"
                    "receivers:\n  hook:\n    adapter: webhook\n    url: https://a.example/x\n"
                    f"    secret: {ENV_SECRET}\n"
                    "  mail:\n    adapter: email\n    to: [a@b.example]\n"
                    "  chat:\n    adapter: chat\n    url: json://h.example/x?token=chat-123456\n",
          monkeypatch)
    settings = Settings()
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        for secret in ("pw-123456", ENV_SECRET.removeprefix("whsec_"), "chat-123456"):
            assert secret not in text


@pytest.mark.parametrize(("text", "line"), [
    ("receivers:\n  hook:\n    adapter: webhook\n    url: https://a.example\n    secret: s\n",
     "receivers.hook: secret: not a Standard Webhooks secret: write it as whsec_ followed by "
     "the base64 of 24 to 64 random bytes"),
    ("receivers:\n  hook:\n    adapter: webhook\n    url: https://a.example\n"
     "    secret: whsec_c2hvcnQ=\n",
     "receivers.hook: secret: the key after whsec_ is 5 bytes: use 24 to 64 random bytes"),
    ("receivers:\n  hook:\n    adapter: webhok\n",
     "receivers.hook: unknown adapter 'webhok'; adapters are webhook, email, chat, files, jsonl"),
    ("receivers:\n  hook:\n    url: https://a.example\n",
     "receivers.hook: no `adapter`; say which: webhook, email, chat, files, jsonl"),
    ("receivers:\n  hook:\n    adapter: webhook\n    url: https://a.example\n",
     "receivers.hook: no secret: set `secret` in the settings file or "
     "OVERSIGHT_RECEIVERS__HOOK__SECRET (or `signed: false`)"),
    ("receivers:\n  hook:\n    adapter: webhook\n    url: ftp://a.example\n    secret: s\n",
     "receivers.hook.url: not a URL the adapter can use (URL scheme should be 'http' or "
     "'https'); write it as https://host/path"),
    ("receivers:\n  hook:\n    adapter: webhook\n    url: http://mosaic.example/x\n"
     "    signed: false\n",
     "receivers.hook: url: http:// to mosaic.example would send task messages unencrypted: "
     "use https://, or set `allow_plain_http: true` for this receiver"),
    ("receivers:\n  hook:\n    adapter: webhook\n    url: https://a.example\n    secret: s\n"
     "    timout_seconds: 3\n", "receivers.hook.timout_seconds: Extra inputs are not permitted"),
    ("receivers:\n  Hook-1:\n    adapter: jsonl\n",
     "receivers: 'Hook-1' is not a receiver name (lower case letters, digits and _, starting "
     "with a letter)"),
    ("receivers:\n  mail:\n    adapter: email\n    to: [someone]\n",
     "receivers.mail.to: 'someone' is not an e-mail address"),
    ("receivers:\n  mail:\n    adapter: email\n    to: [a@b.example]\n",
     "receivers.mail: e-mail needs the `smtp` settings (host, sender, login)"),
    ("routes:\n  surrey:\n    - receivers: [mosaic]\n",
     "routes.surrey[0]: no receiver 'mosaic'; receivers are jsonl"),
    # The authorities are whatever policy files exist: a new one needs no change here.
    ("routes:\n  surey:\n    - receivers: [jsonl]\n",
     f"routes: no authority 'surey'; authorities are {', '.join(available_policies())} or *"),
    ("routes:\n  '*':\n    - receivers: [jsonl]\n      changes: [opend]\n",
     "routes.*[0].changes: no change 'opend'; changes are opened, closed, breached, escalated, "
     "withdrawn, rescheduled or *"),
    ("delivery:\n  deadline_hours: 0\n",
     "delivery.deadline_hours: Input should be greater than 0"),
])
def test_bad_configuration_is_one_line_naming_the_file_and_the_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, line: str) -> None:
    """Unknown adapter, missing secret, malformed URL, a typo in a key or a route: one line."""
    path = _file(tmp_path, text, monkeypatch)
    with pytest.raises(SettingsInvalid) as fault:
        Settings()
    assert str(fault.value) == f"settings ({path}): {line}"
    assert "\n" not in str(fault.value)


@pytest.mark.parametrize(("text", "line"), [
    ("recievers: {}\n", "unknown setting 'recievers'"),
    ("receivers: [\n", "line 2 not valid YAML"),
    ("- a list\n", "the settings file must be a mapping of keys"),
])
def test_a_settings_file_that_cannot_be_read_is_one_line_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, line: str) -> None:
    """A misspelt top-level key, broken YAML, or a file that is not a mapping."""
    path = _file(tmp_path, text, monkeypatch)
    with pytest.raises(SettingsInvalid) as fault:
        Settings()
    assert str(fault.value).startswith(f"{path}:") and line in str(fault.value)
    assert "\n" not in str(fault.value)


def test_a_missing_settings_file_is_named(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    """OVERSIGHT_SETTINGS_FILE pointing nowhere stops start-up."""
    monkeypatch.setenv("OVERSIGHT_SETTINGS_FILE", str(tmp_path / "nope.yaml"))
    with pytest.raises(SettingsInvalid, match="no settings file at .*nope.yaml$"):
        Settings()


def test_an_authoritys_own_routes_replace_the_catch_all_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Routes match task type and change; ``*`` routes serve authorities without their own."""
    _file(tmp_path, "receivers:\n  a: {adapter: jsonl, path: a.jsonl}\n"
                    "  b: {adapter: jsonl, path: b.jsonl}\n"
                    "routes:\n  devon:\n    - {task_types: [escalation], receivers: [a]}\n"
                    "  '*':\n    - {changes: [breached], receivers: [b, a]}\n", monkeypatch)
    routing = Settings().routing()
    assert routing.receivers_for("devon", "escalation", "opened") == ["a"]
    assert routing.receivers_for("devon", "management_oversight", "breached") == []
    assert routing.receivers_for("hull", "escalation", "breached") == ["b", "a"]
    assert routing.receivers_for("hull", "escalation", "opened") == []


def test_backoff_doubles_with_jitter_up_to_its_cap_and_stops_at_the_deadline() -> None:
    """Waits of half to all of 30 s, 60 s, 120 s … capped at an hour; the last attempt falls
    on the deadline; after it, none."""
    backoff = Backoff.from_policy(DeliveryPolicy(), random.Random(3))
    since = NOW
    for attempts, step in ((1, 30), (2, 60), (3, 120), (8, 3600), (30, 3600)):
        wait = backoff.next_attempt(attempts, NOW, since) - NOW  # type: ignore[operator]
        assert timedelta(seconds=step / 2) <= wait <= timedelta(seconds=step)
    waits = {backoff.next_attempt(5, NOW, since) for _ in range(20)}
    assert len(waits) > 1  # jitter: receivers coming back are not stampeded
    near_end = since + timedelta(hours=47, minutes=50)
    assert backoff.next_attempt(40, near_end, since) == since + timedelta(hours=48)
    assert backoff.next_attempt(41, since + timedelta(hours=48), since) is None


@pytest.mark.parametrize(("url", "extra"), [
    ("http://127.0.0.1:8080/tasks", ""), ("http://localhost/tasks", ""),
    ("http://[::1]:9000/tasks", ""), ("https://mosaic.example/tasks", ""),
    ("http://10.0.0.7/tasks", "    allow_plain_http: true\n")])
def test_a_webhook_over_plain_http_is_taken_to_loopback_or_with_explicit_consent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, extra: str) -> None:
    """Loopback over http://, any host over https://, and 10.0.0.7 over http:// with
    allow_plain_http: true are all taken, the URL as written."""
    _file(tmp_path, f"receivers:\n  hook:\n    adapter: webhook\n    url: {url}\n"
                    f"    signed: false\n{extra}", monkeypatch)
    assert str(Settings().receiver_settings()["hook"].url) == url
