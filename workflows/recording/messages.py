"""Task messages in the CloudEvents 1.0 JSON format, built when the step commits.

A message carries identifiers, dates, the rule and a link: never a name or case narrative.
Its ``id`` is derived from the task and the change, so a step replayed after a crash produces
the same id and a receiver can drop the repeat.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from typing import Any

_NAMESPACE = uuid.UUID("6f1c9a52-55f4-4bb4-9d55-2f0e8b7f6d10")
_NAMESPACE_BYTES = _NAMESPACE.bytes
TYPE_PREFIX = "uk.oversight.task."


def message_id(task_id: str, change: str, on: date) -> str:
    """``str(uuid.uuid5(_NAMESPACE, "task|change|day"))``, spelled out (RFC 9562 §5.5: SHA-1 of
    namespace and name, version 5, variant 10): the same string at a third of the cost, paid for
    every task change a sweep writes."""
    name = f"{task_id}|{change}|{on.isoformat()}".encode()
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name, usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def task_message(task: dict[str, Any], change: str, on: date, *, now: datetime, authority: str,
                 link_base: str) -> dict[str, Any]:
    """The outbox row for one change of one task."""
    ident = message_id(task["id"], change, on)
    rule = task["rule"]
    event = {
        "specversion": "1.0",
        "id": ident,
        "source": f"/oversight/{authority}",
        "type": TYPE_PREFIX + change,
        "subject": task["id"],
        "time": now.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": {
            "task_id": task["id"],
            "task_type": task["type"],
            "state": task["state"],
            "assignee": task["assignee"],
            "assignee_role": task["assignee_role"],
            "subject": task["subject"],
            "raised_on": _iso(task["raised_on"]),
            "due": _iso(task["due"]),
            "rule": {"authority": rule["authority"], "section": rule["section"],
                     "rule": rule["rule"], "version": rule.get("version", ""),
                     # A national text the local policy does not state, and who adopts it.
                     **{key: rule[key] for key in ("source", "adopted_by") if rule.get(key)}},
            "computed": task["basis"].get("explain") if task.get("basis") else None,
            "escalates": task.get("escalates"),
            "link": f"{link_base.rstrip('/')}/tasks/{task['id']}",
        },
    }
    return {"id": ident, "task_id": task["id"], "type": event["type"], "message": event,
            "created_at": now, "status": "pending", "attempts": 0, "next_attempt_at": now}


def _iso(value: date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()
