"""Errors the domain raises, each with a message a person can act on.

    OversightError
    ├── PolicyError          a policy file is invalid: file, key path and reason
    ├── EventInvalid         an event does not parse: field and reason
    │   └── EventDateRefused  dated after today (Europe/London) or before the floor
    ├── EventRejected        the entity's current state does not accept the event
    ├── UnknownEntity        the event names a person, child or entity the store does not hold
    └── ConcurrentUpdate     another writer changed the entity first (adapters raise it)
"""

from __future__ import annotations


class OversightError(Exception):
    """Base of every error this product raises on purpose."""


class PolicyError(OversightError):
    """A policy file or mapping failed validation."""

    def __init__(self, source: str, key: str, reason: str):
        self.source, self.key, self.reason = source, key, reason
        super().__init__(f"{source}: {key or '(top level)'}: {reason}")


class EventInvalid(OversightError):
    """An event's fields are missing or malformed."""


class EventDateRefused(EventInvalid):
    """The event is dated after today (nothing has happened in the future) or before the floor."""


class EventRejected(OversightError):
    """The entity exists but its current state does not accept this event."""

    def __init__(self, entity: str, state: str, event: str, reason: str = ""):
        self.entity, self.state, self.event = entity, state, event
        detail = f": {reason}" if reason else ""
        super().__init__(f"{entity} is '{state}' and does not accept '{event}'{detail}")


class UnknownEntity(OversightError):
    """No such person, child or entity."""


class ConcurrentUpdate(OversightError):
    """The entity's version moved between load and save."""
