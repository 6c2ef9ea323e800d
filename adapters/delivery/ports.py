"""The port every outbound adapter implements."""

from __future__ import annotations

from typing import Any, Protocol


class Deliverer(Protocol):
    """Sends one CloudEvents message; raises on failure so the dispatcher retries it later.

    A deliverer may be called twice with the same message (at-least-once delivery): the message
    ``id`` is the idempotency key a receiver de-duplicates on.
    """

    name: str

    def deliver(self, message: dict[str, Any]) -> None: ...
