"""E-mail over SMTP: STARTTLS and login from settings, plain text and HTML.

A mail says what changed, the task type, the due date, the rule and a link to the task, from
the allow-listed summary of the CloudEvent (:func:`oversight.adapters.delivery.payload.summary`):
never a child's name or case narrative. Its ``Message-ID`` is made from the event id, so a repeat
after a crash carries the same one and mail systems that de-duplicate drop it.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from oversight.adapters.delivery.payload import summary
from oversight.adapters.delivery.ports import DeliveryFailed

CHANGES = {"opened": "opened", "closed": "closed", "breached": "overdue",
           "escalated": "escalated", "withdrawn": "withdrawn", "rescheduled": "rescheduled"}


class SmtpDeliverer:
    """Sends each message as one e-mail to ``recipients``, over one connection per run."""

    name = "email"

    def __init__(self, *, host: str, port: int, sender: str, recipients: Sequence[str],
                 username: str | None = None, password: str | None = None,
                 starttls: bool = True, timeout: float = 10.0,
                 ssl_context: ssl.SSLContext | None = None, link_base: str | None = None):
        self.link_base = link_base  # the task links are made as the mails are sent
        self.host, self.port, self.sender = host, port, sender
        self.recipients = list(recipients)
        self._username, self._password = username, password
        self.starttls, self.timeout = starttls, timeout
        self._context = ssl_context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None

    def compose(self, message: dict[str, Any]) -> EmailMessage:
        """The e-mail for one CloudEvent: built from the allow-listed summary alone."""
        facts = summary(message, link_base=self.link_base)
        change = CHANGES.get(facts["change"], facts["change"])
        rule = f"{facts['rule']} ({facts['rule_path']})" if facts["rule_path"] else facts["rule"]
        mail = EmailMessage()
        # ASCII: a folded non-ASCII subject comes back from some clients with its spaces moved.
        cited = facts["rule"].replace(" §", ", section ")
        mail["Subject"] = (f"Task {change}: {facts['task_label']}, due {facts['due']}"
                           + (f" ({cited})" if cited else ""))
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = f"<{facts['id']}@{self.sender.rpartition('@')[2] or 'oversight'}>"
        mail["X-Oversight-Event-Id"] = facts["id"]
        lines = [("Task type", facts["task_label"]), ("Due date", facts["due"]),
                 ("Rule", rule), ("Task", facts["task_id"]), ("For", facts["assignee"]),
                 ("Raised on", facts["raised_on"])]
        lines = [(label, value) for label, value in lines if value]
        width = max(len(label) for label, _ in lines) + 2
        text = [f"A supervision task was {change}.", ""]
        text += [f"{label + ':':<{width}}{value}" for label, value in lines]
        text += ["", f"Open the task: {facts['link']}", "",
                 "This message holds identifiers and dates only; the record holds the rest."]
        mail.set_content("\n".join(text) + "\n")
        rows = "".join(f"<tr><th align=\"left\">{html.escape(label)}</th>"
                       f"<td>{html.escape(value)}</td></tr>" for label, value in lines)
        link = html.escape(facts["link"], quote=True)
        mail.add_alternative(
            f"<html><body><p>A supervision task was {html.escape(change)}.</p>"
            f"<table>{rows}</table>"
            f"<p><a href=\"{link}\">Open the task</a></p>"
            f"<p>This message holds identifiers and dates only; the record holds the rest.</p>"
            f"</body></html>\n", subtype="html")
        return mail

    def deliver(self, message: dict[str, Any]) -> None:
        mail = self.compose(message)
        for attempt in (1, 2):  # a connection the server closed since the last mail: once more
            smtp = self._connection()
            try:
                smtp.send_message(mail)
                return
            except smtplib.SMTPServerDisconnected:
                self._smtp = None
                if attempt == 2:
                    raise DeliveryFailed(f"{self.host}:{self.port}: the server hung up") from None
            except (smtplib.SMTPException, OSError) as error:
                self.close()
                raise DeliveryFailed(f"{self.host}:{self.port}: {_reason(error)}") from None

    def check(self) -> str:
        """EHLO, STARTTLS and login, then QUIT: no mail is sent."""
        smtp = self._open()
        try:
            smtp.quit()
        except smtplib.SMTPException:
            pass
        steps = ["EHLO"] + (["STARTTLS"] if self.starttls else []) + (
            ["login"] if self._username else [])
        return f"{', '.join(steps)} accepted by {self.host}:{self.port}"

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._open()
        return self._smtp

    def _open(self) -> smtplib.SMTP:
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(f"{self.host}:{self.port}: {_reason(error)}") from None
        try:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=self._context)
                smtp.ehlo()
            if self._username:
                smtp.login(self._username, self._password or "")
        except (smtplib.SMTPException, OSError) as error:
            smtp.close()
            raise DeliveryFailed(f"{self.host}:{self.port}: {_reason(error)}") from None
        return smtp


def _reason(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        return f"SMTP {error.smtp_code} {text.splitlines()[0] if text else ''}".rstrip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"recipients refused ({len(error.recipients)})"
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}".rstrip(": ")
