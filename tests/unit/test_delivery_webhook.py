"""The webhook adapter against ``httpx.MockTransport``: what it sends and how it fails."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl

import httpx
import pytest

from oversight.adapters.delivery.ports import DeliveryFailed
from oversight.adapters.delivery.webhook import CONTENT_TYPE, WebhookDeliverer, sign, verify
from tests.unit.delivery_messages import message

SECRET = b"endpoint-secret"
NOW = 1_800_000_000.0


def _adapter(handler, **options) -> WebhookDeliverer:  # type: ignore[no-untyped-def]
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return WebhookDeliverer("https://mosaic.example.gov.uk/hooks/tasks?token=t0ps3cret",
                            secret=options.pop("secret", SECRET.decode()), client=client,
                            clock=lambda: NOW, **options)


def test_a_task_is_posted_as_a_structured_cloudevent_signed_over_timestamp_and_body() -> None:
    """One POST: CloudEvents JSON body, the event id as Idempotency-Key, and an HMAC-SHA256
    signature a receiver recomputes from the timestamp and the exact body."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    event = message()
    _adapter(handler).deliver(event)

    [request] = seen
    assert request.method == "POST" and request.url.path == "/hooks/tasks"
    assert request.headers["Content-Type"] == CONTENT_TYPE == "application/cloudevents+json"
    assert request.headers["Idempotency-Key"] == event["id"]
    assert request.headers["X-Oversight-Timestamp"] == str(int(NOW))
    body = request.content
    assert json.loads(body) == event
    expected = "sha256=" + hmac.new(SECRET, f"{int(NOW)}.".encode() + body,
                                    hashlib.sha256).hexdigest()
    assert request.headers["X-Oversight-Signature"] == expected
    assert verify(SECRET, str(int(NOW)), body, expected, now=NOW + 60)


def test_a_receiver_rejects_a_replayed_or_altered_request() -> None:
    """The signature fails for another body, another secret, or a timestamp five minutes old."""
    body = b'{"id":"e1"}'
    signature = sign(SECRET, "1800000000", body)
    assert verify(SECRET, "1800000000", body, signature, now=NOW)
    assert not verify(SECRET, "1800000000", body + b" ", signature, now=NOW)
    assert not verify(b"other", "1800000000", body, signature, now=NOW)
    assert not verify(SECRET, "1800000000", body, signature, now=NOW + 301)
    assert not verify(SECRET, "soon", body, signature, now=NOW)


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
    assert "X-Oversight-Signature" not in seen[0].headers
    assert seen[0].headers["Idempotency-Key"] == message()["id"]


def test_an_adapter_it_makes_itself_verifies_tls_and_has_a_timeout() -> None:
    """No client given: certificates are verified, redirects are not followed, timeouts set."""
    adapter = WebhookDeliverer("https://mosaic.example.gov.uk/hook", secret="s", timeout=7)
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

    assert _adapter(handler).check() == "HEAD answered HTTP 405; messages signed"
    assert methods == ["HEAD"]
    with pytest.raises(DeliveryFailed, match="HEAD answered HTTP 503"):
        _adapter(lambda request: httpx.Response(503)).check()
