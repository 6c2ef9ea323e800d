"""What may leave the store: an explicit allow-list of CloudEvents attributes and data fields.

Every adapter builds what it sends from :func:`outbound` (or from :func:`summary`, for the
messages a person reads), never from the stored message, so a field the list does not name, a
child's name, say, or case narrative, cannot reach a receiver however it got into a message.
Each allowed field is checked against its shape too (a date is an ISO date, a type a word):
a value out of shape refuses the message (:class:`PayloadRefused`, naming only the field).

The task's link is made here, when the message is sent, from the sending process's
``link_base`` and the task id the message keeps: a message written by a process configured
with another ``link_base`` (a simulation, an import run on a laptop) still points to where this
one's people open tasks. The link stored with the message is what it was when written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from oversight.adapters.delivery.ports import PayloadRefused
from oversight.states.values import cited as citation

_WORD = re.compile(r"[a-z][a-z0-9_]{0,63}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_LINK = re.compile(r"https?://[^\s<>\"']{1,600}")
_SECTION = re.compile(r"[A-Za-z0-9 .§()-]{1,64}")
_PATH = re.compile(r"[A-Za-z0-9_.\[\]-]{0,200}")
_SEQ = re.compile(r"[1-9][0-9]{0,18}")
_EXPLAIN = re.compile(r"(\d{4}-\d{2}-\d{2} \+ |\d{1,4} [a-z ]{3,20} after [A-Z][a-z]{2} \d)"
                      r"[^\n]{1,600}")
"""``2026-03-25 + 10 working days = …`` or, for a date moved off a non-working day,
``4 weeks after Sat 4 Apr 2026 = Sat 2 May 2026, moved to Mon 4 May 2026 (weekend)``."""


def _identifier(value: str) -> bool:
    """Ids come from the receiving systems (child and staff ids): any printable text up to 320
    characters without line breaks; the allow-list of fields, not this check, keeps names out."""
    return 0 < len(value) <= 320 and value.isprintable()


def _matches(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda value: pattern.fullmatch(value) is not None


ATTRIBUTES: dict[str, Callable[[str], bool]] = {
    "specversion": lambda value: value == "1.0",
    "id": _identifier,
    "source": _matches(re.compile(r"/oversight/[a-z][a-z0-9_-]{0,63}")),
    "type": _matches(re.compile(r"uk\.oversight\.task\.[a-z_]{1,32}")),
    "subject": _identifier,
    "time": _matches(_INSTANT),
    "datacontenttype": lambda value: value == "application/json",
    "sequence": _matches(_SEQ),
}
"""The CloudEvents attributes a message may carry out, each with the check of its value.
``sequence`` (the CloudEvents sequence extension) is the message's place in creation order."""

DATA: dict[str, Callable[[str], bool]] = {
    "task_id": _identifier,
    "task_type": _matches(_WORD),
    "state": _matches(_WORD),
    "assignee": _identifier,
    "assignee_role": _matches(_WORD),
    "subject": _identifier,
    "raised_on": _matches(_DATE),
    "due": _matches(_DATE),
    "computed": _matches(_EXPLAIN),
    "escalates": _identifier,
    "link": _matches(_LINK),
    "follows": _matches(_SEQ),
}
"""The data fields: identifiers, dates, the rule and a link. ``computed`` is the due date's
arithmetic (``2026-03-25 + 10 working days = 2026-04-10, skipping …``). ``follows`` is the
``sequence`` of the task's previous message to the same receiver: a receiver that never got
that one knows it missed a message (a dead letter), and ``state`` says where the task is now."""

RULE: dict[str, Callable[[str], bool]] = {
    "authority": _matches(re.compile(r"[a-z][a-z0-9_-]{0,63}")),
    "section": _matches(_SECTION),
    "rule": _matches(_PATH),
    "version": _matches(re.compile(r"[A-Za-z0-9_.-]{0,32}")),
    "source": _matches(re.compile(r"[A-Za-z0-9 ]{1,64}")),  # a national text: Working Together 2023
    "adopted_by": _matches(_SECTION),
}
"""The rule a task cites: where in which policy; never the policy's quoted text."""

REQUIRED = ("id", "type", "source", "task_id", "task_type", "due", "link")


def task_link(link_base: str, task_id: str) -> str:
    """Where a person opens the task: ``<link_base>/tasks/<task id>``."""
    return f"{link_base.rstrip('/')}/tasks/{task_id}"


def outbound(message: dict[str, Any], *, link_base: str | None = None) -> dict[str, Any]:
    """A new CloudEvent holding only the allow-listed attributes and data fields of ``message``,
    its link made from ``link_base`` and the task id (None: the link as stored).

    Fields not on the list are left behind; an allowed one out of shape refuses the message.
    """
    event = _allowed(message, ATTRIBUTES, "")
    source = message.get("data")
    if link_base is not None and isinstance(source, dict) and isinstance(source.get("task_id"),
                                                                         str):
        source = {**source, "link": task_link(link_base, source["task_id"])}
    data = _allowed(source if isinstance(source, dict) else {}, DATA, "data.")
    rule = source.get("rule") if isinstance(source, dict) else None
    if rule is not None:
        if not isinstance(rule, dict):
            raise PayloadRefused("the message was refused: data.rule is not a rule reference")
        data["rule"] = _allowed(rule, RULE, "data.rule.")
    for name in REQUIRED:
        if (event if name in ATTRIBUTES else data).get(name) is None:
            raise PayloadRefused(f"the message was refused: it has no {name}")
    event["data"] = data
    return event


def summary(message: dict[str, Any], *, link_base: str | None = None) -> dict[str, str]:
    """What a person reads (e-mail, chat): the change, task type, due date, rule and link."""
    event = outbound(message, link_base=link_base)
    data = event["data"]
    rule = data.get("rule") or {}
    cited = citation(rule.get("authority", ""), rule.get("section", ""), rule.get("source", ""),
                     rule.get("adopted_by", "")).strip()
    return {
        "id": event["id"],
        "change": event["type"].rsplit(".", 1)[-1],
        "task_id": data["task_id"],
        "task_type": data["task_type"],
        "task_label": data["task_type"].replace("_", " "),
        "assignee": data.get("assignee") or "",
        "raised_on": data.get("raised_on") or "",
        "due": data["due"],
        "rule": cited if rule else "",
        "rule_path": rule.get("rule", "") if rule else "",
        "link": data["link"],
    }


def _allowed(values: dict[str, Any], checks: dict[str, Callable[[str], bool]], prefix: str
             ) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name, check in checks.items():
        if name not in values:
            continue
        value = values[name]
        if value is None:
            kept[name] = None
            continue
        if not isinstance(value, str) or not check(value):
            raise PayloadRefused(f"the message was refused: {prefix}{name} is not in the shape "
                                 f"allowed out of the store")
        kept[name] = value
    return kept
