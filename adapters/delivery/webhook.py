"""Webhook: a POST of each CloudEvent (structured JSON mode), signed per Standard Webhooks 1.0.

Headers a receiver gets (https://www.standardwebhooks.com, so any off-the-shelf verifier works)::

    Content-Type: application/cloudevents+json
    webhook-id: <the event id>               the same on every repeat: drop the second one
    webhook-timestamp: <Unix seconds>        when this attempt was signed (integer, UTC)
    webhook-signature: v1,<base64>           HMAC-SHA256 over "<id>.<timestamp>.<body>"
    Idempotency-Key: <the event id>          the same key, for receivers that look for this one

The signing key is the endpoint's secret in the ``whsec_<base64>`` form (the key is the
base64-decoded part). During a key rotation the endpoint has two secrets and the header two
signatures, space-separated (``v1,<new> v1,<old>``): a receiver holding either verifies.
A receiver recomputes the signature over the exact body bytes (:func:`verify`) to know the
message came from us, and refuses a timestamp more than five minutes off to refuse replays.
Any 2xx answer is a delivery, and so is 409 Conflict (the receiver already has that id);
anything else, a timeout or a refused connection is a failure the dispatcher tries again later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from oversight.adapters.delivery.payload import outbound
from oversight.adapters.delivery.ports import DeliveryFailed
from oversight.workflows.delivery.receiver_settings import (  # checked with the settings
    SECRET_PREFIX,
    signing_key,
)

CONTENT_TYPE = "application/cloudevents+json"
REPLAY_WINDOW_SECONDS = 300


def new_secret() -> str:
    """A fresh ``whsec_`` secret of 32 random bytes."""
    import secrets

    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def sign(key: bytes, message_id: str, timestamp: str, body: bytes) -> str:
    """``v1,<base64>``: the HMAC-SHA256 of ``id.timestamp.body`` under ``key``."""
    signed = message_id.encode("utf-8") + b"." + timestamp.encode("ascii") + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify(key: bytes, message_id: str, timestamp: str, body: bytes, signatures: str, *,
           now: float, tolerance: float = REPLAY_WINDOW_SECONDS) -> bool:
    """What a receiver checks: one of the signatures matches and the timestamp is recent."""
    try:
        signed_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - signed_at) > tolerance:
        return False
    expected = sign(key, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in signatures.split())


class WebhookDeliverer:
    """POSTs each message to one endpoint. Pass ``client`` to choose the transport (a test's
    ``httpx.MockTransport``); otherwise one is made with the timeout and TLS verification."""

    name = "webhook"

    def __init__(self, url: str, *, secret: str | None, timeout: float = 10.0,
                 verify_tls: bool | str = True, client: httpx.Client | None = None,
                 clock: Callable[[], float] = time.time, previous_secrets: Sequence[str] = (),
                 link_base: str | None = None):
        self.url = url
        self.link_base = link_base  # the task links are made as the messages are sent
        self.host = urlsplit(url).netloc.rpartition("@")[2]  # never a password or token
        self.timeout = timeout
        # The current key first, then any still honoured during a rotation.
        self._keys = [signing_key(one) for one in ([secret] if secret else [])
                      + list(previous_secrets)]
        self._clock = clock
        self._own_client = client is None
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), verify=verify_tls,
            follow_redirects=False, headers={"User-Agent": "oversight-dispatch/1"})

    def request(self, message: dict[str, Any]) -> httpx.Request:
        """The request :meth:`deliver` sends: the allow-listed event, signed."""
        event = outbound(message, link_base=self.link_base)
        body = json.dumps(event, sort_keys=True, separators=(",", ":")).encode("utf-8")
        timestamp = str(int(self._clock()))
        headers = {"Content-Type": CONTENT_TYPE, "webhook-id": event["id"],
                   "webhook-timestamp": timestamp, "Idempotency-Key": event["id"]}
        if self._keys:
            headers["webhook-signature"] = " ".join(
                sign(key, event["id"], timestamp, body) for key in self._keys)
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
        signing = (f"signed (Standard Webhooks, {len(self._keys)} key(s))" if self._keys
                   else "NOT signed")
        return f"HEAD answered HTTP {response.status_code}; messages {signing}"

    def close(self) -> None:
        if self._own_client:
            self.client.close()


def _reason(error: httpx.HTTPError) -> str:
    """A short cause without the URL (its query may hold a token)."""
    cause = error.__cause__ or error.__context__
    detail = str(cause or error).split("\n")[0][:160]
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__
