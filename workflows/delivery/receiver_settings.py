"""The receivers a task message can go to, and the SMTP server e-mail goes through: one
validated model per adapter, each part of
:class:`~oversight.workflows.delivery.settings.DeliverySettings`."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    SecretStr,
    field_validator,
    model_validator,
)

_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


SECRET_PREFIX = "whsec_"
"""How a Standard Webhooks secret is written: ``whsec_`` and the base64 of its key."""


def signing_key(secret: str) -> bytes:
    """The key of a ``whsec_<base64>`` secret; ValueError for anything else."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("not a Standard Webhooks secret: write it as whsec_ followed by the "
                         "base64 of 24 to 64 random bytes")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the part after whsec_ is not base64") from None
    if not 24 <= len(key) <= 64:
        raise ValueError(f"the key after whsec_ is {len(key)} bytes: use 24 to 64 random bytes")
    return key


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookReceiver(_Strict):
    """POST each CloudEvent to ``url``, signed per Standard Webhooks 1.0 with ``secret``."""

    adapter: Literal["webhook"]
    url: HttpUrl
    secret: SecretStr | None = None
    """Per endpoint, ``whsec_<base64 of 24-64 random bytes>``; the receiver holds the same."""
    previous_secrets: list[SecretStr] = Field(default_factory=list, max_length=2)
    """During a key rotation, the secrets the receiver may still hold: each message is signed
    with these too (one signature each in ``webhook-signature``) until they are removed."""
    signed: bool = True
    """``false`` sends unsigned (a receiver on loopback); a secret is then not needed."""
    timeout_seconds: float = Field(10.0, gt=0, le=300)
    verify_tls: bool = True
    ca_file: Path | None = None
    """A private CA's certificates (PEM), to verify an internal endpoint's certificate."""
    allow_plain_http: bool = False
    """``true`` lets an ``http://`` URL to a host other than loopback be used: task messages
    then cross the network unencrypted (a test receiver on a private network). Loopback
    (``127.0.0.0/8``, ``::1``, ``localhost``) needs no such consent."""

    @model_validator(mode="after")
    def _plain_http_consented(self) -> WebhookReceiver:
        host = (self.url.host or "").strip("[]").lower()
        if self.url.scheme == "http" and not self.allow_plain_http and not _loopback(host):
            raise ValueError(f"url: http:// to {host} would send task messages unencrypted: "
                             f"use https://, or set `allow_plain_http: true` for this receiver")
        return self

    @model_validator(mode="after")
    def _needs_secret(self) -> WebhookReceiver:
        if self.signed and (self.secret is None or not self.secret.get_secret_value()):
            raise ValueError("no secret: set `secret` in the settings file or "
                             "OVERSIGHT_RECEIVERS__<NAME>__SECRET (or `signed: false`)")
        for name, secret in [("secret", self.secret)] + [
                (f"previous_secrets[{n}]", one) for n, one in enumerate(self.previous_secrets)]:
            if secret is not None and self.signed:
                try:
                    signing_key(secret.get_secret_value())
                except ValueError as error:
                    raise ValueError(f"{name}: {error}") from None
        return self


def _loopback(host: str) -> bool:
    """Whether ``host`` names this machine: ``localhost`` or a loopback address."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class EmailReceiver(_Strict):
    """E-mail each message to ``to`` through the ``smtp`` server."""

    adapter: Literal["email"]
    to: list[str] = Field(min_length=1)

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if not _ADDRESS.fullmatch(address):
                raise ValueError(f"{address!r} is not an e-mail address")
        return value


class ChatReceiver(_Strict):
    """Post each message through apprise to one URL (``msteams://…``, ``slack://…``)."""

    adapter: Literal["chat"]
    url: SecretStr
    """Chat URLs hold tokens: kept secret."""

    @field_validator("url")
    @classmethod
    def _understood(cls, value: SecretStr) -> SecretStr:
        import apprise

        if apprise.Apprise.instantiate(value.get_secret_value()) is None:
            raise ValueError("apprise does not understand this URL (see apprise's list of "
                             "services for the form, e.g. msteams://… or slack://…)")
        return value


class FilesReceiver(_Strict):
    """Write each run's messages as one CSV or JSON Lines file in ``directory``."""

    adapter: Literal["files"]
    directory: Path
    format: Literal["csv", "jsonl"] = "csv"
    prefix: str = Field("oversight-tasks", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class JsonlReceiver(_Strict):
    """Append each CloudEvent as a line to ``path`` (default ``<home>/outbox/tasks.jsonl``)."""

    adapter: Literal["jsonl"]
    path: Path | None = None


Receiver = Annotated[WebhookReceiver | EmailReceiver | ChatReceiver | FilesReceiver | JsonlReceiver,
                     Field(discriminator="adapter")]


class SmtpSettings(_Strict):
    host: str = Field(min_length=1)
    port: int = Field(587, gt=0, lt=65536)
    starttls: bool = True
    username: str | None = None
    password: SecretStr | None = None
    sender: str
    timeout_seconds: float = Field(10.0, gt=0, le=300)
    ca_file: Path | None = None

    @model_validator(mode="after")
    def _login(self) -> SmtpSettings:
        if not _ADDRESS.fullmatch(self.sender):
            raise ValueError(f"sender {self.sender!r} is not an e-mail address")
        if self.username and not self.password:
            raise ValueError("no password for the login: set OVERSIGHT_SMTP__PASSWORD")
        if self.username and not self.starttls:
            raise ValueError("a login needs STARTTLS: the password would cross the network "
                             "in clear")
        return self


__all__ = ["SECRET_PREFIX", "ChatReceiver", "EmailReceiver", "FilesReceiver", "JsonlReceiver",
           "Receiver", "SmtpSettings", "WebhookReceiver", "signing_key"]
