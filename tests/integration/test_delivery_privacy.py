"""No configured adapter can emit a child's name: each builds what it sends from an allow-list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from oversight.adapters.delivery.files import FIELDS
from oversight.adapters.delivery.payload import ATTRIBUTES, DATA, RULE
from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.integration.delivery_fixtures import (
    T0,
    configured,
    outbox,
    run_dispatch,
    webhook,
)
from tests.integration.delivery_servers import JsonCollector, MailServer, WebhookReceiver

NAME, SURNAME = "Amelia", "Hartley-Quinn"
NARRATIVE = "Mother disclosed that the home was cold and there was no food"


def _leak(message: dict[str, Any]) -> dict[str, Any]:
    """The message as if a bug had put a name and narrative wherever it could."""
    tainted = json.loads(json.dumps(message))
    tainted["childname"] = f"{NAME} {SURNAME}"  # a CloudEvents extension attribute
    tainted["data"]["child_name"] = f"{NAME} {SURNAME}"
    tainted["data"]["narrative"] = NARRATIVE
    tainted["data"]["child"] = {"id": "c1", "name": NAME}
    tainted["data"]["rule"]["quote"] = f"{NARRATIVE} ({NAME})"
    return tainted


@pytest.fixture
def chat() -> Iterator[JsonCollector]:
    server = JsonCollector()
    yield server
    server.stop()


def test_no_configured_adapter_emits_a_childs_name_or_narrative_even_when_a_message_holds_them(
        busy: App, receiver: WebhookReceiver, mail_server: MailServer, chat: JsonCollector,
        tmp_path: Path) -> None:
    """Every message is tainted with a name and narrative in extra fields; webhook, e-mail,
    chat, CSV, JSON Lines and the CloudEvents file all deliver them, and not one byte of the
    name or narrative reaches a receiver; what each emits is on its allow-list."""
    stored = outbox(busy)
    with busy.engine.begin() as connection:
        for row in stored:
            connection.execute(update(t.outbox).where(t.outbox.c.id == row["id"])
                               .values(message=_leak(row["message"])))
    settings = configured(
        busy,
        smtp={"host": "127.0.0.1", "port": mail_server.port, "username": MailServer.USER,
              "password": MailServer.PASSWORD, "sender": "oversight@council.example",
              "ca_file": str(mail_server.cert)},
        receivers={
            "mosaic": webhook(receiver),
            "managers": {"adapter": "email", "to": ["tm@council.example"]},
            "team_chat": {"adapter": "chat", "url": chat.apprise_url},
            "lcs": {"adapter": "files", "directory": str(tmp_path / "lcs")},
            "itrent": {"adapter": "files", "directory": str(tmp_path / "itrent"),
                       "format": "jsonl"},
            "archive": {"adapter": "jsonl", "path": str(tmp_path / "archive.jsonl")}},
        routes={"*": [{"receivers": ["mosaic", "lcs", "itrent", "archive"]},
                      {"changes": ["escalated"], "receivers": ["managers", "team_chat"]}]})
    rows = outbox(busy)
    escalations = sum(row["type"].endswith(".escalated") for row in rows)

    totals = run_dispatch(busy, settings, T0)

    assert totals["delivered"] == 4 * len(rows) + 2 * escalations and totals["dead"] == 0
    emitted = {
        "webhook": [json.dumps(a.event) for a in receiver.accepted],
        "email": [e.content.decode("utf-8", "replace") for e in mail_server.envelopes]
        + [part.get_payload(decode=True).decode("utf-8") for m in mail_server.messages
           for part in m.walk() if not part.is_multipart()],
        "chat": [json.dumps(post) for post in chat.posts],
        "files": [p.read_text(encoding="utf-8") for folder in ("lcs", "itrent")
                  for p in (tmp_path / folder).iterdir()]
        + [(tmp_path / "archive.jsonl").read_text(encoding="utf-8")],
    }
    assert all(emitted.values())
    for adapter, texts in emitted.items():
        for text in texts:
            for secret in (NAME, SURNAME.split("-")[0], "disclosed", "narrative", "child_name"):
                assert secret not in text, f"{adapter} emitted {secret!r}"

    for arrival in receiver.accepted:  # the webhook's fields: the allow-list's and no others
        assert set(arrival.event) <= set(ATTRIBUTES) | {"data"}
        assert set(arrival.event["data"]) <= set(DATA) | {"rule"}
        assert set(arrival.event["data"]["rule"]) <= set(RULE)
    archive = [json.loads(line) for line in (tmp_path / "archive.jsonl").read_text().splitlines()]
    assert all(set(event) <= set(ATTRIBUTES) | {"data"} for event in archive)
    [lines] = (tmp_path / "itrent").iterdir()
    assert all(tuple(json.loads(line)) == FIELDS for line in lines.read_text().splitlines())
