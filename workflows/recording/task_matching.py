"""Which stored task each task of a replay is: the same obligation keeps its identifier.

A replay numbers its tasks afresh (``supervision:3``), in the order it meets them; the store's
tasks were numbered in the order events arrived. A replayed task is the stored one with the
same type, assignee, level, day raised and first due date (an escalation: the one escalating
its matched task). A replayed task with no stored twin gets a key no stored task has, so task
identifiers (which receivers hold) never change meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from oversight.states.replay import ReplayedTask

_NUMBERED = re.compile(r"^(?P<prefix>[^^]+):(?P<number>\d+)$")


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def basis_due(row: dict[str, Any]) -> date:
    """The date a stored task's arithmetic gives: the due date it was opened with, or, since a
    rescheduling writes its own arithmetic to the row, the date it was rescheduled to."""
    basis = row.get("basis") or {}
    return _day(basis["result"]) if basis.get("result") else _day(row["due"])


def _counted(row: dict[str, Any]) -> date | None:
    """The stored arithmetic's count before any shift or roll (:attr:`Basis.counted`)."""
    basis = row.get("basis") or {}
    if not basis.get("result"):
        return None
    return _day(basis.get("unmoved") or basis["result"]) - timedelta(
        days=int(basis.get("shifted_days") or 0))


def same_dates(row: dict[str, Any], held: ReplayedTask) -> bool:
    """Whether the stored task's dates are the replayed task's: the same arithmetic's result,
    opening or last rescheduling (a row saved before reschedulings wrote theirs holds the
    opening's), or the same count before any shift (a pause recorded again at another length
    moves the date, not the obligation)."""
    current = held.basis or held.task.basis
    return (basis_due(row) in {held.task.basis.result, current.result}
            or _counted(row) == held.task.basis.counted)


def match_keys(replayed: dict[str, ReplayedTask], stored: Iterable[dict[str, Any]],
               seq: int) -> tuple[dict[str, str], set[str], int]:
    """Replay key → key to keep; the stored keys matched; the entity's next ``seq``.

    ``seq`` is the replay's counter; the result is at least every number a stored key used, so
    tasks opened later never reuse an identifier.
    """
    rows = {row["key"]: row for row in stored}
    for key in rows:
        numbered = _NUMBERED.match(key.rstrip("^"))
        if numbered:
            seq = max(seq, int(numbered["number"]))
    names: dict[str, str] = {}
    matched: set[str] = set()
    pending: list[str] = []
    for key, held in sorted(replayed.items(), key=lambda item: item[1].task.level):
        task = held.task
        if task.escalates:
            twin = names.get(task.escalates, task.escalates) + "^"
            candidates = [rows[twin]] if twin in rows else []
        else:
            candidates = [row for row in rows.values() if row["type"] == task.type
                          and row["assignee"] == task.assignee and row["level"] == task.level]
        candidates = [row for row in candidates if row["key"] not in matched
                      and _day(row["raised_on"]) == task.raised_on
                      and same_dates(row, held)]
        candidates.sort(key=lambda row: row["key"] != key)  # the same key first
        if candidates:
            names[key] = candidates[0]["key"]
            matched.add(candidates[0]["key"])
        else:
            pending.append(key)
            names[key] = key
    taken = set(rows) | matched
    for key in pending:  # escalations come after their tasks: their parents are named
        task = replayed[key].task
        name = names.get(task.escalates, task.escalates) + "^" if task.escalates else key
        base, number = name, 1
        while name in taken:
            numbered = _NUMBERED.match(base)
            if numbered and not task.escalates:
                seq += 1
                name = f"{numbered['prefix']}:{seq}"
            else:
                number += 1
                name = f"{base}~{number}"
        names[key] = name
        taken.add(name)
    return names, matched, seq


__all__ = ["basis_due", "match_keys", "same_dates"]
