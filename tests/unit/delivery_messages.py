"""A task message as the store writes it (``oversight.workflows.recording.messages.task_message``),
for the delivery adapters' unit tests."""

from __future__ import annotations

import copy
from typing import Any

MESSAGE: dict[str, Any] = {
    "specversion": "1.0",
    "id": "10a049e1-9bac-5c6a-b5f2-884729dd2a8d",
    "source": "/oversight/surrey",
    "type": "uk.oversight.task.opened",
    "subject": "assessment:c1:mo:day10",
    "time": "2026-03-25T06:00:00Z",
    "datacontenttype": "application/json",
    "data": {
        "task_id": "assessment:c1:mo:day10",
        "task_type": "management_oversight",
        "state": "open",
        "assignee": "tm1",
        "assignee_role": "manager",
        "subject": "child:c1",
        "raised_on": "2026-03-25",
        "due": "2026-04-10",
        "rule": {"authority": "surrey", "section": "4.1",
                 "rule": "assessment.oversight_points.day10", "version": "2024-12"},
        "computed": "2026-03-25 + 10 working days = 2026-04-10, skipping 2026-04-03 "
                    "(Good Friday), 2026-04-06 (Easter Monday)",
        "escalates": None,
        "link": "https://oversight.example.gov.uk/tasks/assessment:c1:mo:day10",
    },
}


def message(**data: Any) -> dict[str, Any]:
    """The message, with some data fields replaced or added."""
    made = copy.deepcopy(MESSAGE)
    made["data"].update(data)
    return made
