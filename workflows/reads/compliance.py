"""Compliance figures: the share of obligations met on time, for a period and a team, by rule.

The one query path for ``oversight report``, the API (``GET /v1/compliance``) and the dashboard,
so the same period gives the same numbers everywhere. Read from the tasks table:

- a task counts in the period when its due date falls in it (escalations are not counted: they
  exist only because another task was missed; withdrawn tasks are no longer owed);
- **on time**: closed on or before its due date;
- **breached**: met late, or still not met on the report's ``as_of`` day with its due date
  past;
- **pending**: not met on ``as_of`` and not yet past due (left out of the share).

Each task is judged as it stood on ``as_of``, so a report on an earlier day gives the figures of
that day.

The share on time is on time / (on time + breached), as a percentage to one decimal place.
A team is a manager and everyone below them in the staff table's line-management chain; its
figures are the tasks assigned to its members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from oversight.states.errors import UnknownEntity
from oversight.states.event_time import london_today
from oversight.workflows.ports.store import UnitOfWorkFactory
from oversight.workflows.reads.access import reports_of

CATEGORIES = {
    "personal_supervision": "Personal supervision",
    "child_supervision": "Child-specific supervision",
    "management_oversight": "Management oversight",
    "assessment": "Child and Family Assessments",
    "other": "Other obligations",
}
"""Category → label, in the order reports show them."""

_BY_TYPE = {
    "personal_supervision": "personal_supervision",
    "asye_supervision": "personal_supervision",
    "management_oversight": "management_oversight",
    "complete_assessment": "assessment",
}


def category_of(entity_kind: str, task_type: str) -> str:
    """Which of the report's categories a task belongs to."""
    if entity_kind == "child_supervision":
        return "child_supervision"
    return _BY_TYPE.get(task_type, "other")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")


def store_today(store: UnitOfWorkFactory, now: datetime) -> date:
    """The day of ``now`` in Europe/London (the edge reads the clock), or the store's last
    recorded day if later (a simulated store runs on a virtual clock that may be ahead)."""
    today = london_today(now)
    with store() as uow:
        latest = [uow.entities.last_updated(), uow.tasks.last_changed()]
    return max([today, *(d for d in latest if d is not None)])


def team_members(store: UnitOfWorkFactory, manager: str) -> list[str]:
    """The manager and everyone below them in the line-management chain, sorted."""
    with store() as uow:
        lines = uow.staff.line_managers()
    if manager not in lines:
        raise UnknownEntity(f"no staff member '{manager}' to report on: --team takes a "
                            f"manager's id")
    return sorted({manager} | reports_of(lines, manager))


def _outcome(row: dict[str, Any], as_of: date) -> str:
    """on_time, breached or pending, as the task stood on ``as_of``."""
    closed = row["closed_on"] if row["state"] == "closed" else None
    if closed is not None and closed <= as_of:
        late = closed > row["due"] or row["breached_on"] is not None
        return "breached" if late else "on_time"
    return "pending" if row["due"] >= as_of else "breached"


def _blank() -> dict[str, int]:
    return {"due": 0, "on_time": 0, "breached": 0, "pending": 0}


def _finish(line: dict[str, Any]) -> dict[str, Any]:
    decided = line["on_time"] + line["breached"]
    line["percent_on_time"] = round(100 * line["on_time"] / decided, 1) if decided else None
    return line


def compliance(store: UnitOfWorkFactory, period: Period, *, team: str | None = None,
               as_of: date | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The figures for ``period``: by category, by rule, breaches by rule, and by month.

    ``as_of`` decides whether an open task is past due: by default the period's last day or,
    told ``now`` (the edge's clock), the store's today (:func:`store_today`) if that is earlier
    (the period is still running).
    """
    as_of = as_of or (min(period.end, store_today(store, now)) if now else period.end)
    members = team_members(store, team) if team else None
    with store() as uow:
        rows = [row for row in uow.tasks.due_between(period.start, period.end, assignees=members)
                if row["type"] != "escalation" and row["state"] != "withdrawn"]

    categories = {name: {"category": name, "label": label, **_blank()}
                  for name, label in CATEGORIES.items()}
    rules: dict[tuple[str, str, str], dict[str, Any]] = {}
    months: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        category = category_of(row["entity_kind"], row["type"])
        outcome = _outcome(row, as_of)
        name = (row["rule"] or {}).get("rule") or row["type"]
        rule_key = (row["authority"], row["section"], name)
        month = row["due"].strftime("%Y-%m")
        lines = [categories[category],
                 rules.setdefault(rule_key, {"category": category, "authority": row["authority"],
                                             "section": row["section"], "rule": name, **_blank()}),
                 months.setdefault((month, category), {"month": month, "category": category,
                                                       **_blank()})]
        for line in lines:
            line["due"] += 1
            line[outcome] += 1

    order = list(CATEGORIES)
    by_rule = sorted(rules.values(), key=lambda r: (order.index(r["category"]), r["authority"],
                                                    r["section"], r["rule"]))
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "as_of": as_of.isoformat(),
        "team": {"manager": team, "members": members} if team else None,
        "totals": _finish({"due": len(rows), **{k: sum(c[k] for c in categories.values())
                                                for k in ("on_time", "breached", "pending")}}),
        "categories": [_finish(line) for line in categories.values()],
        "rules": [_finish(line) for line in by_rule],
        "breaches": sorted(({"authority": r["authority"], "section": r["section"],
                             "rule": r["rule"], "category": r["category"],
                             "breached": r["breached"]} for r in by_rule if r["breached"]),
                           key=lambda r: (-r["breached"], r["rule"])),
        "months": [_finish(line) for _, line in sorted(
            months.items(), key=lambda item: (item[0][0], order.index(item[0][1])))],
    }


def monthly_trend(report: dict[str, Any], category: str | None = None) -> list[dict[str, Any]]:
    """One line a month of the report's period: due, on time, breached, share (all categories
    together, or one), months with nothing due included, for the trend chart."""
    start = date.fromisoformat(report["period"]["from"])
    end = date.fromisoformat(report["period"]["to"])
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        key = f"{year:04d}-{month:02d}"
        line = {"month": key, **_blank()}
        for found in report["months"]:
            if found["month"] == key and (category is None or found["category"] == category):
                for field in ("due", "on_time", "breached", "pending"):
                    line[field] += found[field]
        out.append(_finish(line))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


FLAT_COLUMNS = ["table", "category", "month", "authority", "section", "rule", "due", "on_time",
                "breached", "pending", "percent_on_time"]


def flat_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report as one table (CSV): categories, then rules, then months."""
    out = []
    for line in report["categories"]:
        out.append({"table": "category", **line})
    for line in report["rules"]:
        out.append({"table": "rule", **line})
    for line in report["months"]:
        out.append({"table": "month", **line})
    return [{column: line.get(column) for column in FLAT_COLUMNS} for line in out]
