"""Where task messages go: receivers, routes by authority and task type, retry policy, SMTP.

From a YAML settings file (``OVERSIGHT_SETTINGS_FILE``; ``config/settings.example.yaml``
shows every key) and environment variables, which win, nested with ``__``:
``OVERSIGHT_RECEIVERS__MOSAIC__SECRET``, ``OVERSIGHT_SMTP__PASSWORD``. Secrets are
``SecretStr``: printed as ``**********``. With no receiver configured, every message goes to
``<home>/outbox/tasks.jsonl`` (the embedded default). Any fault, in the file, a variable or
between the two (a route naming no receiver, a webhook with no secret, a URL that is not one),
stops start-up with one line: :class:`SettingsInvalid`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsError

from oversight.states.errors import OversightError
from oversight.workflows.delivery.receiver_settings import (
    EmailReceiver,
    JsonlReceiver,
    Receiver,
    SmtpSettings,
    _Strict,
)

SETTINGS_FILE_ENV = "OVERSIGHT_SETTINGS_FILE"
ADAPTERS = ("webhook", "email", "chat", "files", "jsonl")
CHANGES = ("opened", "closed", "breached", "escalated", "withdrawn", "rescheduled")
DEFAULT_RECEIVER = "jsonl"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


class SettingsInvalid(OversightError):
    """The settings (file or environment) are wrong: one line saying where and why."""


class Route(_Strict):
    """Messages of these task types and changes go to these receivers (``*``: any)."""

    task_types: list[str] = Field(default_factory=lambda: ["*"], min_length=1)
    changes: list[str] = Field(default_factory=lambda: ["*"], min_length=1)
    receivers: list[str] = Field(min_length=1)

    @field_validator("changes")
    @classmethod
    def _changes(cls, value: list[str]) -> list[str]:
        for change in value:
            if change != "*" and change not in CHANGES:
                raise ValueError(f"no change {change!r}; changes are {', '.join(CHANGES)} or *")
        return value

    def takes(self, task_type: str, change: str) -> bool:
        return (("*" in self.task_types or task_type in self.task_types)
                and ("*" in self.changes or change in self.changes))


class DeliveryPolicy(_Strict):
    """Retries across dispatch runs: exponential backoff with jitter, until a deadline."""

    deadline_hours: float = Field(48.0, gt=0)
    """How long a failing delivery is retried before it goes to the dead letters."""
    backoff_base_seconds: float = Field(30.0, gt=0)
    backoff_cap_seconds: float = Field(3600.0, gt=0)
    file_batch_size: int = Field(100_000, gt=0)
    """At most this many messages in one file; a run with more writes numbered files."""
    circuit_failures: int = Field(5, gt=0)
    """A receiver failing this many sends in a row is paused, the pause doubling from
    ``backoff_base_seconds`` up to ``backoff_cap_seconds``; it is tried again by itself."""
    lease_seconds: float = Field(300.0, gt=0)
    """How long a dispatch run's claim on a delivery lasts unless renewed: a crashed run's
    in-flight messages go again this long after it died."""


class Routing:
    """Which receivers a message goes to, by the authority that raised it, its task type and
    its change. An authority's own routes replace the ``*`` routes; with no routes at all,
    every message goes to every receiver."""

    def __init__(self, routes: dict[str, list[Route]], everyone: list[str]):
        self._routes, self._everyone = routes, everyone

    def receivers_for(self, authority: str, task_type: str, change: str) -> list[str]:
        if not self._routes:
            return list(self._everyone)
        routes = self._routes.get(authority, self._routes.get("*", []))
        found: list[str] = []
        for route in routes:
            if route.takes(task_type, change):
                found += [name for name in route.receivers if name not in found]
        return found


class DeliverySettings(BaseSettings):
    """The delivery half of :class:`oversight.workflows.settings.Settings`."""

    smtp: SmtpSettings | None = None
    receivers: dict[str, Receiver] = {}
    """By name (lower case, digits, ``_``: the name goes in environment variables)."""
    routes: dict[str, list[Route]] = {}
    """By authority (``surrey``) or ``*`` for any; none: every message to every receiver."""
    delivery: DeliveryPolicy = DeliveryPolicy()

    def __init__(self, **values: Any):
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise SettingsInvalid(_one_line(error)) from None
        except SettingsError as error:
            raise SettingsInvalid(f"settings: {str(error).splitlines()[0]}") from None

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then ``OVERSIGHT_*`` variables, then the settings file, then defaults."""
        sources = [init_settings, env_settings, dotenv_settings, file_secret_settings]
        path = os.environ.get(SETTINGS_FILE_ENV)
        if path:
            sources.append(SettingsFile(settings_cls, Path(path)))
        return tuple(sources)

    @model_validator(mode="after")
    def _consistent(self) -> DeliverySettings:
        for name, receiver in self.receivers.items():
            if not _NAME.fullmatch(name):
                raise ValueError(f"receivers: {name!r} is not a receiver name (lower case "
                                 f"letters, digits and _, starting with a letter)")
            if isinstance(receiver, EmailReceiver) and self.smtp is None:
                raise ValueError(f"receivers.{name}: e-mail needs the `smtp` settings "
                                 f"(host, sender, login)")
        known = set(self.receivers) or {DEFAULT_RECEIVER}
        # Only routes naming an authority need the list (it looks in the policy folders).
        authorities = _authorities(getattr(self, "policy_dir", None)) \
            if any(authority != "*" for authority in self.routes) else set()
        for authority, routes in self.routes.items():
            if authority != "*" and authorities and authority not in authorities:
                raise ValueError(f"routes: no authority {authority!r}; authorities are "
                                 f"{', '.join(sorted(authorities))} or *")
            for number, route in enumerate(routes):
                for name in route.receivers:
                    if name not in known:
                        raise ValueError(f"routes.{authority}[{number}]: no receiver {name!r}; "
                                         f"receivers are {', '.join(sorted(known))}")
        return self

    def receiver_settings(self) -> dict[str, Any]:
        """Every receiver by name; with none configured, the embedded JSON Lines file."""
        if self.receivers:
            return dict(self.receivers)
        return {DEFAULT_RECEIVER: JsonlReceiver(adapter="jsonl")}

    def routing(self) -> Routing:
        return Routing(self.routes, list(self.receiver_settings()))


class SettingsFile(PydanticBaseSettingsSource):
    """The YAML settings file: a missing file, bad YAML or an unknown key is one line."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path):
        super().__init__(settings_cls)
        self.path = path
        if not path.is_file():
            raise SettingsInvalid(f"{SETTINGS_FILE_ENV}: no settings file at {path}")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            raise SettingsInvalid(f"{path}:{where} not valid YAML: "
                                  f"{getattr(error, 'problem', None) or error}") from None
        if not isinstance(data, dict):
            raise SettingsInvalid(f"{path}: the settings file must be a mapping of keys")
        unknown = sorted(set(data) - set(settings_cls.model_fields))
        if unknown:
            raise SettingsInvalid(f"{path}: unknown setting {unknown[0]!r}; settings are "
                                  f"{', '.join(sorted(settings_cls.model_fields))}")
        self.data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


def _authorities(policy_dir: Path | None) -> set[str]:
    from oversight.workflows.policy_places import available_policies

    return set(available_policies(policy_dir))


def _one_line(error: ValidationError) -> str:
    """The first fault as ``settings: receivers.mosaic.url: <why>`` (and how many more)."""
    errors = error.errors(include_url=False, include_input=False)
    first = errors[0]
    loc = list(first["loc"])
    if len(loc) > 2 and loc[0] == "receivers" and loc[2] in ADAPTERS:
        loc = loc[:2] + loc[3:]  # the union's tag: not a key anyone wrote
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "union_tag_invalid":
        tag = (first.get("ctx") or {}).get("tag", "")
        message = f"unknown adapter {tag!r}; adapters are {', '.join(ADAPTERS)}"
    elif first["type"] == "union_tag_not_found":
        message = f"no `adapter`; say which: {', '.join(ADAPTERS)}"
    elif first["type"] == "missing":
        message = "missing"
    elif first["type"].startswith("url_"):
        message = f"not a URL the adapter can use ({message}); write it as https://host/path"
    if loc[:1] == ["receivers"] and len(loc) > 1:
        message = message.replace("<NAME>", str(loc[1]).upper())
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    where = where.removeprefix(".")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    source = os.environ.get(SETTINGS_FILE_ENV)
    origin = f"settings ({source})" if source else "settings"
    return f"{origin}: {where + ': ' if where else ''}{message}{more}"
