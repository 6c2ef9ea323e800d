"""The API's request and response bodies, as they appear in the OpenAPI document.

Event bodies are the domain events themselves: :func:`event_union`, the union of every declared
event type that ``parse_event`` validates too (:mod:`oversight.states.events.declaration`), one
schema per ``type``; these are the other shapes. Identifiers and dates only.
"""

from __future__ import annotations

from datetime import date, datetime
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, create_model

from oversight.adapters.scenario import iso_date
from oversight.states.events import registry

IsoDate = Annotated[date, BeforeValidator(iso_date)]
"""A date written YYYY-MM-DD, nothing else (not a timestamp)."""

ID_PATTERN = r"^[A-Za-z0-9_.-]+$"
"""A person's, child's or team's id (``Identifier`` of the events): 1–64 of these."""
REF_PATTERN = r"^[A-Za-z0-9_.:\[\]-]+$"
"""An id made of ids (an entity ``tm1:sw1``, a task, an event id): these, with ``:``, ``[``
and ``]``. Nothing else reaches the store or the access log from a request."""

TaskState = Literal["open", "closed", "breached", "escalated", "withdrawn"]


class Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class RuleOut(Out):
    policy: str
    section: str
    name: str | None = None


class BasisOut(Out):
    """How the due date was worked out (the arithmetic ``oversight why`` prints)."""

    start: date
    interval: str
    result: date
    unmoved: date | None = None
    """The date the arithmetic gave when it fell on a non-working day and was moved."""
    moved_because: list[str] = []
    explain: str


class TransitionOut(Out):
    entity: str
    source: str = Field(alias="from")
    to: str
    trigger: str
    cause: str
    on: date
    """The day it happened."""
    rule: RuleOut | None = None
    recorded_at: datetime | None = None
    """The moment it was recorded (a late record's is after ``on``)."""
    event_id: str | None = None


class EventResult(Out):
    applied: bool
    """False when the event's ``event_id`` was applied before: nothing changed."""
    duplicate: bool
    event_id: str | None
    tasks_opened: int
    transitions: list[TransitionOut]


class BatchResult(Out):
    applied: int
    duplicates: int
    tasks_opened: int
    dry_run: bool


class TaskOut(Out):
    id: str
    type: str
    assignee: str = Field(alias="for")
    role: str
    subject: str
    entity: str
    raised_on: date
    due: date
    state: TaskState
    closed_on: date | None
    breached_on: date | None
    rule: RuleOut
    escalates: str | None
    level: int
    recorded_at: datetime | None = None
    """Met, recorded late: when the record that met it arrived (``closed_on``: when met)."""
    withdrawn_because: str | None = None
    basis: BasisOut | None = None
    """On ``GET /v1/tasks/{id}`` only: the arithmetic of the due date, a move included."""


class TaskPage(Out):
    tasks: list[TaskOut]
    total: int
    """Tasks matching the filters that this token may read."""
    limit: int
    offset: int


def event_union() -> Any:
    """Every declared event type, one schema each: the union ``parse_event`` validates with, so
    an event type added by a declaration is in the OpenAPI document with no edit here."""
    return registry.DECLARATIONS.union()  # the module's, read when asked (a test extends it)


def _not_null(annotation: Any) -> Any:
    """``X | None`` as ``X``: every key of ``fields`` may be null or left out."""
    args = get_args(annotation)
    if get_origin(annotation) in (Union, UnionType) and type(None) in args:
        rest = tuple(arg for arg in args if arg is not type(None))
        return rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007 - built at run time
    return annotation


def _close_fields() -> type[BaseModel]:
    """The keys ``fields`` may carry: those of the events a task's close may record
    (:data:`~oversight.workflows.recording.closing.FULFILLING_TYPES`) but their type, day and id,
    each typed as the events type it (or any value, where two events type it apart), and ``actor``;
    any other key is refused (422), as the events refuse it."""
    from oversight.states.events.registry import event_types
    from oversight.workflows.recording.closing import FULFILLING_TYPES

    found: dict[str, Any] = {}
    shapes: dict[str, Any] = {}
    for event_type, cls in sorted(event_types().items()):
        if event_type not in FULFILLING_TYPES:
            continue
        for name, field in cls.model_fields.items():
            if name in ("type", "on", "event_id", "actor"):
                continue
            typed = _not_null(Annotated[(field.annotation, *field.metadata)]
                              if field.metadata else field.annotation)
            # Two events type a key alike when their JSON Schemas agree (``session`` is
            # optional in one, required in another: the same identifier).
            shape = TypeAdapter(typed).json_schema()
            if name not in found:
                found[name], shapes[name] = typed, shape
            elif shapes[name] != shape:
                found[name] = Any
    fields: dict[str, Any] = {name: (typed | None, None) for name, typed in sorted(found.items())}
    fields["actor"] = (str | None, Field(None, max_length=64, pattern=ID_PATTERN,
                                         description="Who the token acts for (a token allowed "
                                                     "to act for staff only)."))
    return create_model("CloseFields", __config__=ConfigDict(extra="forbid"), **fields)


CloseFields = _close_fields()


class CloseBody(BaseModel):
    """Close a task by recording the event that fulfils it (see
    ``oversight.workflows.recording.closing``)."""

    model_config = ConfigDict(extra="forbid")

    on: IsoDate
    """The day the thing the task asks for happened."""
    event_id: str | None = Field(default=None, min_length=1, max_length=128,
                                 pattern=REF_PATTERN)
    """Makes a retry safe; by default derived from the task and ``on``."""
    fields: CloseFields = Field(default_factory=CloseFields)  # type: ignore[valid-type]
    """What only a person knows, e.g. ``{"outcome": "passed"}`` for a final assessment: the
    fields of the event that closes the task, but those taken from the task and its entity."""

    def given_fields(self) -> dict[str, Any]:
        """The keys sent in ``fields``, only: one left out is the event's default, not null."""
        sent: BaseModel = self.fields
        return sent.model_dump(exclude_unset=True)


class CloseResult(Out):
    task: TaskOut
    event_type: str
    event_id: str
    duplicate: bool


class EntityOut(Out):
    kind: str
    id: str
    state: str
    authority: str
    policy_version: str
    version: int
    subject: str
    party: str | None
    started_on: date
    updated_on: date
    data: dict[str, Any]


class TimerOut(Out):
    name: str
    fires_on: date
    rule: RuleOut | None


class AccessOut(Out):
    at: datetime
    token_id: str | None
    person: str | None
    role: str
    resource: str
    target: str
    outcome: str
    purpose: str | None = None
    """Why, when the reader said (``X-Purpose``)."""
    reader: str | None = None
    """Who read without a token: ``os:<user>`` at the command line."""
    seq: int | None = None
    """The row's place in the access log's hash chain."""


class DeliveryHealth(Out):
    dead: int
    """Dead letters: messages that did not reach a receiver by their deadline."""
    paused: list[str]
    """Receivers paused after failing many times in a row (they resume by themselves)."""


class Health(Out):
    status: Literal["ok", "degraded"]
    """``degraded``: the store answers, but a message is dead or a receiver paused."""
    policy: str
    policy_version: str
    deliveries: DeliveryHealth


class ProblemOut(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None
    """For a refused batch or an invalid body: each problem, by position or field."""


__all__ = ["ID_PATTERN", "REF_PATTERN", "AccessOut", "BatchResult", "CloseBody", "CloseResult",
           "EntityOut", "EventResult", "IsoDate", "Health", "ProblemOut", "RuleOut", "TaskOut",
           "TaskPage", "TimerOut", "TransitionOut", "event_union"]
