"""E-mail to a real SMTP server on loopback (aiosmtpd): STARTTLS, login, plain text and HTML."""

from __future__ import annotations

from typing import Any

from oversight.workflows.bootstrap import App
from tests.integration.delivery_fixtures import (
    T0,
    configured,
    deliveries,
    outbox,
    run_dispatch,
    surrey_citation,
)
from tests.integration.delivery_servers import MailServer

TO = ["team-managers@council.example"]


def _smtp(server: MailServer, password: str = MailServer.PASSWORD) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": server.port, "starttls": True,
            "username": MailServer.USER, "password": password,
            "sender": "oversight@council.example", "ca_file": str(server.cert),
            "timeout_seconds": 5}


def _parts(mail: Any) -> dict[str, str]:
    return {part.get_content_type(): part.get_payload(decode=True).decode("utf-8")
            for part in mail.walk() if not part.is_multipart()}


def test_each_breached_task_arrives_as_a_mail_with_its_due_date_rule_and_link(
        busy: App, mail_server: MailServer) -> None:
    """Routed by change, each breach or escalation is one mail over STARTTLS after a login:
    text and HTML parts, both with the task type, due date, rule and link, and the event id
    as its Message-ID."""
    settings = configured(busy, smtp=_smtp(mail_server),
                          receivers={"managers": {"adapter": "email", "to": TO}},
                          routes={"surrey": [{"changes": ["breached", "escalated"],
                                              "receivers": ["managers"]}]})
    breaches = [row for row in outbox(busy)
                if row["type"].rsplit(".", 1)[-1] in ("breached", "escalated")]
    assert len(breaches) > 5

    totals = run_dispatch(busy, settings, T0)

    assert (totals["delivered"], totals["failed"]) == (len(breaches), 0)
    assert len(mail_server.messages) == len(breaches)
    assert {row["status"] for row in outbox(busy)} == {"delivered"}  # the rest went nowhere
    for row, mail in zip(breaches, mail_server.messages, strict=True):
        data = row["message"]["data"]
        assert mail["Message-ID"] == f"<{row['id']}@council.example>"
        assert mail["To"] == TO[0] and mail["From"] == "oversight@council.example"
        cited = surrey_citation(data["rule"])
        assert mail["Subject"].endswith(f"due {data['due']} ({cited.replace(' §', ', section ')})")
        parts = _parts(mail)
        assert set(parts) == {"text/plain", "text/html"}
        for body in parts.values():
            assert data["due"] in body and data["task_id"] in body
            assert data["link"] in body
            assert data["task_type"].replace("_", " ") in body
            assert cited in body
        assert data["computed"] not in parts["text/plain"]  # the arithmetic stays in the record
    assert all(envelope.rcpt_tos == TO for envelope in mail_server.envelopes)


def test_a_wrong_smtp_password_is_a_failed_delivery_tried_again_later(
        busy: App, mail_server: MailServer) -> None:
    """The login is refused: nothing is sent; after five refusals in a row the receiver is
    paused, and the five deliveries tried wait with the server's answer."""
    settings = configured(busy, smtp=_smtp(mail_server, password="wrong"),
                          receivers={"managers": {"adapter": "email", "to": TO}})
    totals = run_dispatch(busy, settings, T0)
    assert (totals["delivered"], totals["failed"]) == (0, 5)
    assert totals["receivers"]["managers"]["paused_until"] is not None
    assert mail_server.messages == []
    failed = [d for d in deliveries(busy) if d["attempts"]]
    assert len(failed) == 5 and {d["status"] for d in failed} == {"pending"}
    assert all(d["last_error"].startswith(f"127.0.0.1:{mail_server.port}: SMTP 535")
               for d in failed)


def test_the_smtp_check_says_ehlo_starttls_and_login_worked(
        busy: App, mail_server: MailServer) -> None:
    """The adapter's check speaks to the server without sending any mail."""
    from oversight.adapters.delivery.receivers import build_deliverer

    settings = configured(busy, smtp=_smtp(mail_server),
                          receivers={"managers": {"adapter": "email", "to": TO}})
    deliverer = build_deliverer("managers", settings.receivers["managers"], settings)
    assert deliverer.check() == f"EHLO, STARTTLS, login accepted by 127.0.0.1:{mail_server.port}"
    assert mail_server.messages == []
