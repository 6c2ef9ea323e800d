"""Real receivers on loopback for the delivery tests, each started and stopped by a test.

- :class:`WebhookReceiver`: an HTTP server in a thread that verifies each request with the
  ``standardwebhooks`` package, as a receiver would (not with the adapter's code; that refuses
  stale timestamps too), and counts each ``webhook-id``. With ``fail_rate`` it answers 500 to
  that share of requests at random.
  It can answer 500 for a while, be slow, go down and come back on the same port, or SIGKILL
  the dispatching process while it holds a message.
- :class:`MailServer`: aiosmtpd on 127.0.0.1 with STARTTLS (a self-signed certificate made
  here) and a login, keeping every mail it receives.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import os
import random
import signal
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Arrival:
    """One request the receiver answered with success (or was holding when its sender died)."""

    key: str
    event: dict[str, Any]
    signed: bool


@dataclass
class WebhookReceiver:
    """``receiver.url`` takes POSTs; ``accepted`` lists what it kept, in arrival order."""

    secret: str | None = None
    """The endpoint's ``whsec_`` secret; None: it takes unsigned requests."""
    port: int = 0
    accepted: list[Arrival] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """Why requests were refused (bad signature, stale timestamp): must stay empty."""
    requests: int = 0
    fail_next: int = 0
    """Answer 500 to this many requests, without keeping them."""
    fail_ids: set[str] = field(default_factory=set)
    """Answer 500 once to each of these event ids."""
    refuse_ids: set[str] = field(default_factory=set)
    """Answer 500 every time to these event ids (a message the receiver cannot take)."""
    slow_next: int = 0
    slow_seconds: float = 0.0
    """Keep this many requests, then sleep before answering (past the sender's timeout)."""
    kill_at: int | None = None
    kill_pid: int | None = None
    """At the ``kill_at``-th request: keep it, SIGKILL ``kill_pid``, then answer."""
    on_request: Callable[[int], None] | None = None
    fail_rate: float = 0.0
    """Answer 500 to this share of requests, at random (``rng``), without keeping them."""
    rng: random.Random = field(default_factory=lambda: random.Random(13))

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tasks"

    def start(self) -> None:
        """Listen (again) on the same port."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver._answer(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Close the port: senders get a refused connection until :meth:`start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def keys(self) -> Counter[str]:
        return Counter(arrival.key for arrival in self.accepted)

    def events(self) -> list[dict[str, Any]]:
        """Each event once, in the order it first arrived (the receiver's de-duplication)."""
        seen: dict[str, dict[str, Any]] = {}
        for arrival in self.accepted:
            seen.setdefault(arrival.key, arrival.event)
        return list(seen.values())

    def _answer(self, headers: dict[str, str], body: bytes) -> int:
        headers = {name.lower(): value for name, value in headers.items()}
        with self._lock:
            self.requests += 1
            number = self.requests
            if self.on_request is not None:
                self.on_request(number)
            if self.secret is not None:
                problem = self._signature_problem(headers, body)
                if problem:
                    self.refused.append(problem)
                    return 401
            event = json.loads(body)
            key = headers.get("webhook-id", "")
            if key != event.get("id") or headers.get("idempotency-key") != key:
                self.refused.append(f"webhook-id {key!r} is not the event id")
                return 400
            if not headers.get("webhook-timestamp", "").isdigit():
                self.refused.append("webhook-timestamp is not Unix seconds")
                return 400
            if headers.get("content-type") != "application/cloudevents+json":
                self.refused.append(f"content type {headers.get('content-type')!r}")
                return 415
            if self.fail_rate and self.rng.random() < self.fail_rate:
                return 500
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500
            if event["id"] in self.refuse_ids:
                return 500
            if event["id"] in self.fail_ids:
                self.fail_ids.discard(event["id"])
                return 500
            self.accepted.append(Arrival(key, event, self.secret is not None))
            slow = self.slow_next > 0
            if slow:
                self.slow_next -= 1
            kill = self.kill_at == number and self.kill_pid is not None
        if kill:
            os.kill(self.kill_pid, signal.SIGKILL)  # type: ignore[arg-type]
        if slow:
            time.sleep(self.slow_seconds)
        return 200

    def _signature_problem(self, headers: dict[str, str], body: bytes) -> str | None:
        """What ``standardwebhooks`` finds wrong with the request, as a receiver checks it."""
        from standardwebhooks import Webhook
        from standardwebhooks.webhooks import WebhookVerificationError

        try:
            Webhook(self.secret or "").verify(body, headers)
        except WebhookVerificationError as error:
            return str(error)
        return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, as PEM files."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class MailServer:
    """aiosmtpd on 127.0.0.1: STARTTLS required, login ``oversight`` / ``password``."""

    USER, PASSWORD = "oversight", "password"

    def __init__(self, folder: Path):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.cert, key = self_signed_certificate(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.messages: list[Message] = []
        self.envelopes: list[Any] = []
        server = self

        class Handler:
            async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                server.envelopes.append(envelope)
                server.messages.append(email.message_from_bytes(envelope.content,
                                                                policy=policy.default))
                return "250 OK"

        def authenticate(smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any
                         ) -> AuthResult:
            good = (isinstance(data, LoginPassword) and data.login.decode() == self.USER
                    and data.password.decode() == self.PASSWORD)
            return AuthResult(success=good, handled=False)

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port,
                                     tls_context=context, require_starttls=True,
                                     authenticator=authenticate, auth_required=True,
                                     auth_require_tls=True)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class JsonCollector:
    """Any JSON POSTed to ``url`` (what apprise's ``json://`` service sends), kept in order."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                collector.posts.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def apprise_url(self) -> str:
        return f"json://127.0.0.1:{self.port}/notify"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
