"""What every domain event is: a fact, in the past tense, with the date it happened.

An event's ``type`` is the snake_case of its class name (``AssessmentExtended`` →
``assessment_extended``); scenarios, the CLI and the API use that vocabulary. Events carry
identifiers only, never names or narrative.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class DomainEvent(BaseModel):
    """The base of every event: its day, the sender's id for it and who recorded it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    on: date
    """The day it happened (Europe/London)."""
    event_id: str | None = Field(default=None, max_length=128)
    """Set by the sender so a repeat delivery is applied once."""
    actor: Identifier | None = None
    """Who recorded it, if known."""
    type: str
    """The snake_case of the class name; each event class fixes it as a ``Literal``."""


def snake_case(class_name: str) -> str:
    """``SupervisorAbsenceStarted`` → ``supervisor_absence_started``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()
