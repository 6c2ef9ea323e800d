"""The webhook adapter against ``httpx.MockTransport``: what it sends and how it fails.
Signatures are Standard Webhooks 1.0, checked with the ``standardwebhooks`` package too."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import time

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from oversight.adapters.delivery.ports import DeliveryFailed
from oversight.adapters.delivery.webhook import (
    CONTENT_TYPE,
    WebhookDeliverer,
    new_secret,
    sign,
    signing_key,
    verify,
)
from tests.unit.delivery_messages import message

KEY = b"endpoint-secret-of-24-bytes-or-more"
SECRET = "whsec_" + base64.b64encode(KEY).decode()
OLD_KEY = b"the-key-before-the-rotation-began"
OLD_SECRET = "whsec_" + base64.b64encode(OLD_KEY).decode()
NOW = 1_800_000_000.0


def _adapter(handler, **options) -> WebhookDeliverer:  # type: ignore[no-untyped-def]
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return WebhookDeliverer("https://mosaic.example.gov.uk/hooks/tasks?token=t0ps3cret",
                            secret=options.pop("secret", SECRET), client=client,
                            clock=options.pop("clock", lambda: NOW), **options)


def test_a_task_is_posted_as_a_structured_cloudevent_signed_per_standard_webhooks() -> None:
    """One POST: CloudEvents JSON body; webhook-id = the event id (and Idempotency-Key),
    webhook-timestamp in Unix seconds, webhook-signature ``v1,`` + base64 HMAC-SHA256 over
    ``id.timestamp.body`` under the key of the ``whsec_`` secret."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    event = message()
    _adapter(handler).deliver(event)

    [request] = seen
    assert request.method == "POST" and request.url.path == "/hooks/tasks"
    assert request.headers["Content-Type"] == CONTENT_TYPE == "application/cloudevents+json"
    assert request.headers["webhook-id"] == request.headers["Idempotency-Key"] == event["id"]
    assert request.headers["webhook-timestamp"] == "1800000000"
    body = request.content
    assert json.loads(body) == event
    digest = hmac.new(KEY, f"{event['id']}.1800000000.".encode() + body, hashlib.sha256)
    expected = "v1," + base64.b64encode(digest.digest()).decode()
    assert request.headers["webhook-signature"] == expected
    assert verify(KEY, event["id"], "1800000000", body, expected, now=NOW + 60)


def test_an_off_the_shelf_verifier_accepts_what_the_adapter_sends() -> None:
    """The ``standardwebhooks`` package verifies a request signed now with the same secret,
    and refuses it with another secret or an altered body."""
    seen: list[httpx.Request] = []
    _adapter(lambda request: seen.append(request) or httpx.Response(200),
             clock=time.time).deliver(message())
    [request] = seen
    headers = dict(request.headers)
    assert Webhook(SECRET).verify(request.content, headers) == json.loads(request.content)
    with pytest.raises(WebhookVerificationError):
        Webhook(OLD_SECRET).verify(request.content, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(request.content + b" ", headers)


def test_during_a_key_rotation_each_request_carries_two_signatures_either_key_verifies() -> None:
    """With the old secret still honoured, ``webhook-signature`` holds two space-separated
    signatures, the new key's first: a receiver holding either one verifies the request."""
    seen: list[httpx.Request] = []
    _adapter(lambda request: seen.append(request) or httpx.Response(200), clock=time.time,
             previous_secrets=[OLD_SECRET]).deliver(message())
    [request] = seen
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(one.startswith("v1,") for one in signatures)
    for secret in (SECRET, OLD_SECRET):
        Webhook(secret).verify(request.content, dict(request.headers))


def test_a_receiver_rejects_a_replayed_or_altered_request() -> None:
    """The signature fails for another body, another key, another id, or a timestamp more
    than five minutes off."""
    body = b'{"id":"e1"}'
    signature = sign(KEY, "e1", "1800000000", body)
    assert verify(KEY, "e1", "1800000000", body, signature, now=NOW)
    assert not verify(KEY, "e1", "1800000000", body + b" ", signature, now=NOW)
    assert not verify(OLD_KEY, "e1", "1800000000", body, signature, now=NOW)
    assert not verify(KEY, "e2", "1800000000", body, signature, now=NOW)
    assert not verify(KEY, "e1", "1800000000", body, signature, now=NOW + 301)
    assert not verify(KEY, "e1", "soon", body, signature, now=NOW)


def test_a_secret_must_be_whsec_and_base64_of_24_to_64_bytes() -> None:
    """``whsec_`` + base64 is the form; anything else is refused with the reason; a fresh
    secret is of that form."""
    assert signing_key(SECRET) == KEY
    assert len(signing_key(new_secret())) == 32
    for bad, reason in (("endpoint-secret", "not a Standard Webhooks secret"),
                        ("whsec_!!!", "not base64"), ("whsec_c2hvcnQ=", "is 5 bytes")):
        with pytest.raises(ValueError, match=reason):
            signing_key(bad)


@pytest.mark.parametrize("status", [200, 201, 202, 204, 409])
def test_a_2xx_answer_or_a_conflict_for_a_known_key_is_a_delivery(status: int) -> None:
    """409 Conflict means the receiver already holds that idempotency key: delivered."""
    _adapter(lambda request: httpx.Response(status)).deliver(message())


@pytest.mark.parametrize(("status", "reason"), [(500, "Internal Server Error"),
                                                (503, "Service Unavailable"),
                                                (401, "Unauthorized"), (302, "Found")])
def test_any_other_answer_is_a_failure_naming_the_host_and_status_not_the_token(
        status: int, reason: str) -> None:
    """A failure the dispatcher retries; its text has the host, never the URL's query."""
    with pytest.raises(DeliveryFailed) as failure:
        _adapter(lambda request: httpx.Response(status)).deliver(message())
    assert str(failure.value) == f"mosaic.example.gov.uk: HTTP {status} {reason}"


def test_a_timeout_and_a_refused_connection_are_failures_with_their_cause() -> None:
    """Transport errors become one line: no answer in time, or the connection's error."""
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(DeliveryFailed, match=r"^mosaic.example.gov.uk: no answer within 10 s$"):
        _adapter(slow).deliver(message())
    with pytest.raises(DeliveryFailed) as failure:
        _adapter(refused).deliver(message())
    assert str(failure.value) == \
        "mosaic.example.gov.uk: ConnectError: [Errno 111] Connection refused"
    assert "t0ps3cret" not in str(failure.value)


def test_without_a_secret_the_request_carries_no_signature() -> None:
    """Unsigned mode (a loopback receiver): the idempotency key still goes."""
    seen: list[httpx.Request] = []
    _adapter(lambda request: seen.append(request) or httpx.Response(200),
             secret=None).deliver(message())
    assert "webhook-signature" not in seen[0].headers
    assert seen[0].headers["webhook-id"] == seen[0].headers["Idempotency-Key"] == message()["id"]


def test_an_adapter_it_makes_itself_verifies_tls_and_has_a_timeout() -> None:
    """No client given: certificates are verified, redirects are not followed, timeouts set."""
    adapter = WebhookDeliverer("https://mosaic.example.gov.uk/hook", secret=SECRET, timeout=7)
    try:
        assert adapter.client.timeout.read == 7 and adapter.client.timeout.connect == 5
        assert adapter.client.follow_redirects is False
        pool = adapter.client._transport._pool  # type: ignore[attr-defined]  # httpx internals
        assert pool._ssl_context.verify_mode == ssl.CERT_REQUIRED
    finally:
        adapter.close()


def test_the_check_is_a_head_request_that_sends_no_task() -> None:
    """HEAD answered below 500 works; a 5xx does not."""
    methods: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        return httpx.Response(405 if request.method == "HEAD" else 500)

    assert _adapter(handler).check() == \
        "HEAD answered HTTP 405; messages signed (Standard Webhooks, 1 key(s))"
    assert methods == ["HEAD"]
    with pytest.raises(DeliveryFailed, match="HEAD answered HTTP 503"):
        _adapter(lambda request: httpx.Response(503)).check()
