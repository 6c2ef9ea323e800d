"""A task message's id is the uuid5 of its task, change and day, whatever computes it.

Receivers drop a repeated id, so the id of a change must never drift: these tests hold the
spelled-out computation in ``message_id`` to the standard library's ``uuid.uuid5``.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from oversight.workflows.recording.messages import message_id

NAMESPACE = uuid.UUID("6f1c9a52-55f4-4bb4-9d55-2f0e8b7f6d10")
"""The product's namespace, as the first messages were written with it."""


@pytest.mark.parametrize(("task_id", "change", "on"), [
    ("assessment:c1:mo:allocation", "opened", date(2026, 3, 25)),
    ("assessment:c1:mo:allocation^", "escalated", date(2026, 6, 2)),
    ("relationship:tm1:sw2:supervision:12", "closed", date(2026, 12, 31)),
    ("asye:sw1:review:six_month", "rescheduled", date(2027, 1, 4)),
    ("child_supervision:c1:discussion:3", "withdrawn", date(2026, 2, 28)),
    ("assessment:Zoë-ñ:mo:day10", "breached", date(2026, 4, 13)),  # non-ASCII: UTF-8 bytes
])
def test_the_id_is_the_standard_uuid5_of_task_change_and_day(task_id, change, on):
    """The same string ``str(uuid.uuid5(namespace, "task|change|day"))`` gives."""
    expected = str(uuid.uuid5(NAMESPACE, f"{task_id}|{change}|{on.isoformat()}"))
    assert message_id(task_id, change, on) == expected


def test_the_id_is_a_version_5_uuid_of_the_rfc_variant():
    """Version nibble 5, variant bits 10: what any UUID parser reads back as uuid5."""
    parsed = uuid.UUID(message_id("assessment:c1:mo:day10", "opened", date(2026, 3, 25)))
    assert (parsed.version, parsed.variant) == (5, uuid.RFC_4122)


def test_another_change_or_day_gives_another_id():
    """Task, change and day each go into the id."""
    ids = {message_id("assessment:c1:mo:day10", "opened", date(2026, 3, 25)),
           message_id("assessment:c1:mo:day10", "closed", date(2026, 3, 25)),
           message_id("assessment:c1:mo:day10", "opened", date(2026, 3, 26)),
           message_id("assessment:c2:mo:day10", "opened", date(2026, 3, 25))}
    assert len(ids) == 4
