"""The ports every outbound adapter implements, and the errors they raise.

    OversightError
    └── DeliveryFailed       one send did not reach the receiver; the dispatcher tries again
        └── PayloadRefused   a message field failed the allow-list's check: never sent as is

An adapter builds what it sends from :func:`oversight.adapters.delivery.payload.outbound`, never
from the stored message itself, so only allow-listed fields can leave the store.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from oversight.states.errors import OversightError


class DeliveryFailed(OversightError):
    """A send failed. The text says why in a line, with no message content and no secret."""


class PayloadRefused(DeliveryFailed):
    """A message's allow-listed field holds something it must not (named, never quoted)."""


class Deliverer(Protocol):
    """Sends one CloudEvents message; raises on failure so the dispatcher retries it later.

    A deliverer may be called twice with the same message (at-least-once delivery): the message
    ``id`` is the idempotency key a receiver de-duplicates on.
    """

    name: str

    def deliver(self, message: dict[str, Any]) -> None: ...


@runtime_checkable
class BatchDeliverer(Protocol):
    """Sends messages all together or not at all (a file): one call per dispatch run."""

    name: str

    def deliver_many(self, messages: list[dict[str, Any]]) -> None: ...


@runtime_checkable
class Checkable(Protocol):
    """Tries the receiver without sending a task: one line on what works, or raises."""

    def check(self) -> str: ...
