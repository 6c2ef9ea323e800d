"""Webhook: an HTTP POST of each CloudEvent in structured JSON mode, signed per endpoint.

Headers a receiver gets::

    Content-Type: application/cloudevents+json
    Idempotency-Key: <the event id>            the same on every repeat: drop the second one
    X-Oversight-Timestamp: <unix seconds>      when this attempt was signed
    X-Oversight-Signature: sha256=<hex>        HMAC-SHA256(secret, timestamp + "." + body)

A receiver recomputes the signature over the exact body bytes (:func:`verify`) to know the
message came from us, and refuses a timestamp older than a few minutes to refuse replays. Any
2xx answer is a delivery, and so is 409 Conflict (the receiver already has that key); anything
else, a timeout or a refused connection is a failure the dispatcher tries again later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from oversight.adapters.delivery.payload import outbound
from oversight.adapters.delivery.ports import DeliveryFailed

CONTENT_TYPE = "application/cloudevents+json"
REPLAY_WINDOW_SECONDS = 300


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``timestamp + "." + body`` under ``secret``."""
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: bytes, timestamp: str, body: bytes, signature: str, *, now: float,
           tolerance: float = REPLAY_WINDOW_SECONDS) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    try:
        signed_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - signed_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookDeliverer:
    """POSTs each message to one endpoint. Pass ``client`` to choose the transport (a test's
    ``httpx.MockTransport``); otherwise one is made with the timeout and TLS verification."""

    name = "webhook"

    def __init__(self, url: str, *, secret: str | bytes | None, timeout: float = 10.0,
                 verify_tls: bool | str = True, client: httpx.Client | None = None,
                 clock: Callable[[], float] = time.time):
        self.url = url
        self.host = urlsplit(url).netloc.rpartition("@")[2]  # never a password or token
        self.timeout = timeout
        self._secret = secret.encode("utf-8") if isinstance(secret, str) else secret
        self._clock = clock
        self._own_client = client is None
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), verify=verify_tls,
            follow_redirects=False, headers={"User-Agent": "oversight-dispatch/1"})

    def request(self, message: dict[str, Any]) -> httpx.Request:
        """The request :meth:`deliver` sends: the allow-listed event, signed."""
        event = outbound(message)
        body = json.dumps(event, sort_keys=True, separators=(",", ":")).encode("utf-8")
        headers = {"Content-Type": CONTENT_TYPE, "Idempotency-Key": event["id"]}
        if self._secret is not None:
            timestamp = str(int(self._clock()))
            headers["X-Oversight-Timestamp"] = timestamp
            headers["X-Oversight-Signature"] = sign(self._secret, timestamp, body)
        return self.client.build_request("POST", self.url, content=body, headers=headers)

    def deliver(self, message: dict[str, Any]) -> None:
        request = self.request(message)
        try:
            response = self.client.send(request)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"{self.host}: no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"{self.host}: {_reason(error)}") from None
        response.close()
        if not (200 <= response.status_code < 300 or response.status_code == 409):
            raise DeliveryFailed(f"{self.host}: HTTP {response.status_code} "
                                 f"{response.reason_phrase}".rstrip())

    def check(self) -> str:
        """A HEAD request: the endpoint answers (any status below 500) over verified TLS."""
        try:
            response = self.client.head(self.url)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"{self.host}: no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"{self.host}: {_reason(error)}") from None
        if response.status_code >= 500:
            raise DeliveryFailed(f"{self.host}: HEAD answered HTTP {response.status_code}")
        signing = "signed" if self._secret is not None else "NOT signed"
        return f"HEAD answered HTTP {response.status_code}; messages {signing}"

    def close(self) -> None:
        if self._own_client:
            self.client.close()


def _reason(error: httpx.HTTPError) -> str:
    """A short cause without the URL (its query may hold a token)."""
    cause = error.__cause__ or error.__context__
    detail = str(cause or error).split("\n")[0][:160]
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__
