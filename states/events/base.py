"""What every domain event is: a fact, in the past tense, with the date it happened.

An event's ``type`` is the snake_case of its class name (``AssessmentExtended`` →
``assessment_extended``); scenarios, the CLI and the API use that vocabulary. Events carry
identifiers only, never names or narrative.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
"""A person's, child's, session's or point's id: letters, digits, ``_``, ``.``, ``-``; 1–64."""
Flag = Annotated[bool, Strict()]
"""A yes-or-no field: JSON ``true`` or ``false`` only. pydantic's default would take "yes", "no",
"off" and 1 as well, words a sender may mean otherwise (issue 20: ``planned: "no"`` recorded as
False with no question asked)."""
EventId = Annotated[str, Field(min_length=1, max_length=128,
                               pattern=r"^[A-Za-z0-9_.:\[\]-]+$")]
"""A sender's id for an event: as an Identifier, plus ``:``, ``[`` and ``]``; 1–128 (issue 14:
no spaces, control characters or NUL, the one way free text could otherwise enter the store)."""
Principal = Annotated[str, Field(min_length=1, max_length=200,
                                 pattern=r"^[A-Za-z0-9_.:-]+( for [A-Za-z0-9_.-]+)?$")]
"""Who recorded an event: a staff id, ``system:lcs``, ``os:alice``, or one of those acting for
a member of staff ("system:lcs for sw1"). Set from the credential, never from a request."""


class DomainEvent(BaseModel):
    """The base of every event: its day, the sender's id for it and who recorded it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    on: date
    """The day it happened (Europe/London)."""
    event_id: EventId | None = None
    """Set by the sender so a repeat delivery is applied once."""
    actor: Principal | None = None
    """Who recorded it: the credential that sent it (see ``Principal``)."""
    type: str
    """The snake_case of the class name; each event class fixes it as a ``Literal``."""


DATE_ORDER = "event_date_order"
"""The error type of a rule between two dates of one event (a session planned before the day it
was planned for): a rule JSON Schema cannot state, so the edges answer it as a date refused."""


def dates_out_of_order(message: str) -> PydanticCustomError:
    """The error a validator raises when two of an event's dates are in the wrong order."""
    return PydanticCustomError(DATE_ORDER, message)


def snake_case(class_name: str) -> str:
    """``SupervisorAbsenceStarted`` → ``supervisor_absence_started``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()
