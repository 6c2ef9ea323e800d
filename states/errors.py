"""Errors the product raises on purpose, each with a message a person can act on.

The one exception tree. Errors of the domain and the application are defined here; the few
that belong to one adapter are defined there (module in brackets) and drawn here all the same:

    OversightError
    ├── PolicyError          a policy file is invalid: file, key path and reason
    ├── EventInvalid         an event does not parse: field and reason
    │   └── EventDateRefused  dated after today (Europe/London) or before the floor
    ├── EventRejected        the entity's current state does not accept the event
    ├── UnknownEntity        the event names a person, child or entity the store does not hold
    ├── ReadRefused          the reader may not read this record (the refusal is logged)
    ├── ConcurrentUpdate     another writer changed the entity first (adapters raise it)
    ├── BatchRejected        events of a batch were refused, so none was applied
    ├── TaskNotClosed        the event recorded to close a task left it open
    ├── NoFulfillingEvent    no single event closes a task of this type
    ├── StoreNotReady        the store has no schema yet, or an old one
    ├── StoreUnusable        the store's database failed what was asked (the driver's line)
    │   └── StoreUnreachable  its database server could not be reached
    ├── SettingsInvalid      the delivery settings are wrong (workflows.delivery.settings)
    ├── ScenarioInvalid      a scenario file is wrong: where and why (workflows.ports.scenarios)
    ├── ImportRejected       an import file's rows are wrong (adapters.imports.rows)
    ├── ExtractRejected      an SSD extract's rows are wrong (adapters.imports.ssd.importing)
    ├── ClockRefused         a test clock (OVERSIGHT_CLOCK) beside a kept store (adapters.clock)
    └── DeliveryFailed       a receiver did not take a message (workflows.ports.deliveries)
        └── PayloadRefused   the receiver refused this message itself: retrying will not help
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


class ReadRefused(OversightError):
    """The reader's role and scope do not reach this record; the same whether or not it exists,
    and the refusal is in the access log already."""


class ConcurrentUpdate(OversightError):
    """The entity's version moved between load and save."""


class BatchRejected(OversightError):
    """Events of a batch were refused, so none of the batch was applied.

    ``failures`` lists every refused event by its position in the batch (from 0) with the
    reason; later events that depended on a refused one are refused too.
    """

    def __init__(self, failures: list[tuple[int, OversightError]]):
        self.failures = failures
        lines = [f"event {index}: {error}" for index, error in failures[:20]]
        if len(failures) > 20:
            lines.append(f"... and {len(failures) - 20} more")
        super().__init__(f"{len(failures)} event(s) refused, none applied:\n" + "\n".join(lines))


class TaskNotClosed(OversightError):
    """The event recorded to close a task by hand left it open: nothing was recorded."""


class NoFulfillingEvent(OversightError):
    """No event closes a task of this type."""


class StoreNotReady(OversightError):
    """The store has no schema yet, or an old one."""


class StoreUnusable(OversightError):
    """The store's database failed what was asked of it (the driver's error, in one line):
    the store adapter raises it in place of its library's error, so no edge names SQLAlchemy."""


class StoreUnreachable(StoreUnusable):
    """The store's database server did not answer a connection: its host and why."""
