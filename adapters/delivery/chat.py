"""Chat and other notifications through apprise: Teams, Slack, Matrix, ntfy and the rest it
knows, each named by one URL (``msteams://…``, ``slack://…``) instead of a client per service.

A notification holds the allow-listed summary: what changed, the task type, due date, rule and
a link (:func:`oversight.adapters.delivery.payload.summary`). Chat services have no idempotency key:
a repeat after a crash posts again, with the same event id at the end to tell the two apart.
"""

from __future__ import annotations

import logging
from typing import Any

import apprise

from oversight.adapters.delivery.email import CHANGES
from oversight.adapters.delivery.payload import summary
from oversight.adapters.delivery.ports import DeliveryFailed


class ChatDeliverer:
    """Posts each message to one apprise URL (it may hold a token: it is never printed)."""

    name = "chat"

    def __init__(self, url: str, *, link_base: str | None = None):
        self.link_base = link_base  # the task links are made as the messages are sent
        self._plugin = apprise.Apprise.instantiate(url)
        if self._plugin is None:
            raise ValueError("apprise does not understand this URL")
        self.service = str(self._plugin.service_name)
        self._apprise = apprise.Apprise()
        self._apprise.add(self._plugin)

    def compose(self, message: dict[str, Any]) -> tuple[str, str]:
        """The title and body of the notification for one CloudEvent."""
        facts = summary(message, link_base=self.link_base)
        change = CHANGES.get(facts["change"], facts["change"])
        title = f"Task {change}: {facts['task_label']}, due {facts['due']}"
        lines = [f"Rule: {facts['rule']}" if facts["rule"] else "",
                 f"Task: {facts['task_id']}",
                 f"For: {facts['assignee']}" if facts["assignee"] else "",
                 f"Open: {facts['link']}", f"Event: {facts['id']}"]
        return title, "\n".join(line for line in lines if line)

    def deliver(self, message: dict[str, Any]) -> None:
        title, body = self.compose(message)
        with apprise.LogCapture(level=logging.WARNING) as captured:
            sent = self._apprise.notify(body=body, title=title,
                                        body_format=apprise.NotifyFormat.TEXT)
        if not sent:
            reason = next((line for line in captured.getvalue().splitlines() if line.strip()), "")
            reason = reason.split(" - ")[-1][:160] if reason else "no reason given"
            raise DeliveryFailed(f"{self.service}: apprise could not notify ({reason})")

    def check(self) -> str:
        """Apprise's own check of the URL: understood, and its service usable here. Apprise
        cannot test a service without posting to it, so nothing is posted."""
        if not getattr(self._plugin, "enabled", True):
            raise DeliveryFailed(f"{self.service}: apprise has this service disabled here")
        return f"apprise understands the URL ({self.service}); nothing posted"
