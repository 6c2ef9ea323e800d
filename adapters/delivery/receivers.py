"""One delivery adapter for each receiver the settings configure (webhook, e-mail, chat, files,
CloudEvents lines), built as the composition root and the dispatch flow ask for them.

Each adapter's module is imported only when a receiver of its kind is configured: a store with
no e-mail receiver never imports ``smtplib`` or ``ssl``'s context.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oversight.workflows.ports.deliveries import Deliverer
    from oversight.workflows.settings import Settings


def build_deliverer(name: str, config: Any, settings: Settings, *,
                    run_at: datetime | None = None) -> Deliverer:
    """The adapter for receiver ``name``; a files adapter names its file after ``run_at``."""
    from oversight.workflows.delivery.receiver_settings import (
        ChatReceiver,
        EmailReceiver,
        FilesReceiver,
        JsonlReceiver,
        WebhookReceiver,
    )

    if isinstance(config, WebhookReceiver):
        from oversight.adapters.delivery.webhook import WebhookDeliverer

        secret = config.secret.get_secret_value() if config.secret and config.signed else None
        previous = [one.get_secret_value() for one in config.previous_secrets] \
            if config.signed else []
        verify: bool | str = str(config.ca_file) if config.ca_file else config.verify_tls
        return WebhookDeliverer(str(config.url), secret=secret, timeout=config.timeout_seconds,
                                verify_tls=verify, previous_secrets=previous,
                                link_base=settings.link_base)
    if isinstance(config, EmailReceiver):
        import ssl

        from oversight.adapters.delivery.email import SmtpDeliverer

        smtp = settings.smtp
        assert smtp is not None  # the settings refuse an e-mail receiver without smtp
        return SmtpDeliverer(
            host=smtp.host, port=smtp.port, sender=smtp.sender, recipients=config.to,
            username=smtp.username,
            password=smtp.password.get_secret_value() if smtp.password else None,
            starttls=smtp.starttls, timeout=smtp.timeout_seconds,
            ssl_context=ssl.create_default_context(
                cafile=str(smtp.ca_file) if smtp.ca_file else None),
            link_base=settings.link_base)
    if isinstance(config, ChatReceiver):
        from oversight.adapters.delivery.chat import ChatDeliverer

        return ChatDeliverer(config.url.get_secret_value(), link_base=settings.link_base)
    if isinstance(config, FilesReceiver):
        from oversight.adapters.delivery.files import BatchFileDeliverer

        return BatchFileDeliverer(config.directory, format=config.format, prefix=config.prefix,
                                  run_at=run_at, link_base=settings.link_base)
    if isinstance(config, JsonlReceiver):
        from oversight.adapters.delivery.jsonl import JsonLinesFile

        return JsonLinesFile(config.path or settings.outbox_file, link_base=settings.link_base)
    raise TypeError(f"receiver {name!r}: no adapter for {type(config).__name__}")


def build_deliverers(settings: Settings, *, run_at: datetime | None = None
                     ) -> dict[str, Deliverer]:
    return {name: build_deliverer(name, config, settings, run_at=run_at)
            for name, config in settings.receiver_settings().items()}


__all__ = ["build_deliverer", "build_deliverers"]
