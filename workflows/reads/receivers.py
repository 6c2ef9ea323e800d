"""The configured receivers, for people and for the end of a dispatch run.

The adapters themselves are built by the composition root
(:func:`oversight.adapters.delivery.receivers.build_deliverers`): this module names no adapter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oversight.workflows.delivery.receiver_settings import (
    ChatReceiver,
    EmailReceiver,
    FilesReceiver,
    JsonlReceiver,
    WebhookReceiver,
)
from oversight.workflows.settings import Settings


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


def close_all(deliverers: Mapping[str, Any]) -> None:
    """Close every adapter that holds a connection or a file."""
    for deliverer in deliverers.values():
        close = getattr(deliverer, "close", None)
        if close is not None:
            close()
