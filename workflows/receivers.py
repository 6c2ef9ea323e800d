"""Delivery adapters from the settings: one per configured receiver, for one dispatch run."""

from __future__ import annotations

import ssl
from datetime import datetime
from typing import Any

from oversight.adapters.delivery.ports import Deliverer
from oversight.workflows.delivery_settings import (
    ChatReceiver,
    EmailReceiver,
    FilesReceiver,
    JsonlReceiver,
    WebhookReceiver,
)
from oversight.workflows.settings import Settings


def build_deliverer(name: str, config: Any, settings: Settings, *,
                    run_at: datetime | None = None) -> Deliverer:
    """The adapter for receiver ``name``; a files adapter names its file after ``run_at``."""
    if isinstance(config, WebhookReceiver):
        from oversight.adapters.delivery.webhook import WebhookDeliverer

        secret = config.secret.get_secret_value() if config.secret and config.signed else None
        previous = [one.get_secret_value() for one in config.previous_secrets] \
            if config.signed else []
        verify: bool | str = str(config.ca_file) if config.ca_file else config.verify_tls
        return WebhookDeliverer(str(config.url), secret=secret, timeout=config.timeout_seconds,
                                verify_tls=verify, previous_secrets=previous)
    if isinstance(config, EmailReceiver):
        from oversight.adapters.delivery.email import SmtpDeliverer

        smtp = settings.smtp
        assert smtp is not None  # the settings refuse an e-mail receiver without smtp
        return SmtpDeliverer(
            host=smtp.host, port=smtp.port, sender=smtp.sender, recipients=config.to,
            username=smtp.username,
            password=smtp.password.get_secret_value() if smtp.password else None,
            starttls=smtp.starttls, timeout=smtp.timeout_seconds,
            ssl_context=ssl.create_default_context(
                cafile=str(smtp.ca_file) if smtp.ca_file else None))
    if isinstance(config, ChatReceiver):
        from oversight.adapters.delivery.chat import ChatDeliverer

        return ChatDeliverer(config.url.get_secret_value())
    if isinstance(config, FilesReceiver):
        from oversight.adapters.delivery.files import BatchFileDeliverer

        return BatchFileDeliverer(config.directory, format=config.format, prefix=config.prefix,
                                  run_at=run_at)
    if isinstance(config, JsonlReceiver):
        from oversight.adapters.delivery.jsonl import JsonLinesFile

        return JsonLinesFile(config.path or settings.outbox_file)
    raise TypeError(f"receiver {name!r}: no adapter for {type(config).__name__}")


def build_deliverers(settings: Settings, *, run_at: datetime | None = None
                     ) -> dict[str, Deliverer]:
    return {name: build_deliverer(name, config, settings, run_at=run_at)
            for name, config in settings.receiver_settings().items()}


def describe_target(config: Any, settings: Settings) -> str:
    """Where a receiver's messages go, for people: no secret, no token, no query string."""
    if isinstance(config, WebhookReceiver):
        url = config.url
        return f"{url.scheme}://{url.host}{f':{url.port}' if url.port else ''}{url.path or ''}"
    if isinstance(config, EmailReceiver):
        smtp = settings.smtp
        where = f"{smtp.host}:{smtp.port}" if smtp else "?"
        return f"{len(config.to)} address(es) via {where}"
    if isinstance(config, ChatReceiver):
        return config.url.get_secret_value().split("://", 1)[0] + "://…"
    if isinstance(config, FilesReceiver):
        return f"{config.directory} ({config.format})"
    if isinstance(config, JsonlReceiver):
        return str(config.path or settings.outbox_file)
    return "?"


def close_all(deliverers: dict[str, Deliverer]) -> None:
    for deliverer in deliverers.values():
        close = getattr(deliverer, "close", None)
        if close is not None:
            close()
