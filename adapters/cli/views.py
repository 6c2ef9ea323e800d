"""What the CLI shows people: rich tables built from the read models' plain dicts.

Programs get the same dicts as JSON (``--json``); nothing here is parsed back. Cell text is
passed as :class:`rich.text.Text` so identifiers such as ``events[3]`` are never read as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.table import Table
from rich.text import Text

from oversight.states.values import cited

STATE_STYLES = {"open": "cyan", "closed": "green", "breached": "red", "escalated": "magenta",
                "withdrawn": "dim"}


def _cells(*values: Any, style: str | None = None) -> list[Text]:
    return [Text("" if value is None else str(value), style=style or "") for value in values]


def rule_label(rule: dict[str, Any] | None) -> str:
    """``surrey §4.1 assessment.completion``."""
    if not rule:
        return ""
    name = f" {rule['name']}" if rule.get("name") else ""
    return cited(rule["policy"], rule["section"], rule.get("source", ""),
                 rule.get("adopted_by", "")) + name


def tasks_table(rows: Iterable[dict[str, Any]], title: str = "Tasks") -> Table:
    rows = list(rows)
    table = Table(title=title, title_justify="left", min_width=len(title) + 2)
    widest = max((len(row["id"]) for row in rows), default=7)
    for column in ("Raised", "Due", "State", "Type", "For", "Subject", "Rule", "Task id"):
        # Dates, types and task ids whole, on one line: an id is copied into `oversight why`, a
        # type cut to "personal_supervi…" could be any of several; the other columns give way.
        whole = column in ("Raised", "Due", "Type", "Task id")
        table.add_column(column, no_wrap=whole,
                         min_width=widest if column == "Task id" else None,
                         overflow="fold" if column in ("Rule", "Subject") else "ellipsis")
    for row in rows:
        state = row["state"]
        when = row["closed_on"] or row["breached_on"]
        shown = f"{state} {when}" if when and state != "open" else state
        if state == "closed" and row.get("recorded_at"):  # met in time, written up after
            shown += ", recorded late"
        cells = _cells(row["raised_on"], row["due"], None, row["type"], row["for"],
                       row["subject"], rule_label(row["rule"]), row["id"])
        cells[2] = Text(shown, style=STATE_STYLES.get(state, ""))
        table.add_row(*cells)
    return table


def history_table(entity: str, rows: Iterable[dict[str, Any]]) -> Table:
    table = Table(title=f"History of {entity}", title_justify="left", min_width=len(entity) + 14)
    for column in ("On", "Recorded", "From", "To", "Trigger", "Cause", "Rule"):
        table.add_column(column, no_wrap=column in ("On", "Recorded"))
    for row in rows:
        recorded = (row.get("recorded_at") or "")[:16].replace("T", " ")
        table.add_row(*_cells(row["on"], recorded, row["from"], row["to"], row["trigger"],
                              row["cause"], rule_label(row["rule"])))
    return table


def status_tables(entities: list[tuple[str, str, int]], timers: list[dict[str, Any]],
                  task_states: dict[str, int], outbox: dict[str, int]) -> list[Table]:
    by_state = Table(title="Entities by kind and state", title_justify="left", min_width=30)
    for column in ("Kind", "State", "Count"):
        by_state.add_column(column, justify="right" if column == "Count" else "left")
    for kind, state, count in entities:
        by_state.add_row(*_cells(kind, state, count))
    upcoming = Table(title="Next timers", title_justify="left", min_width=30)
    for column in ("Fires on", "Entity", "Timer", "Rule"):
        upcoming.add_column(column, no_wrap=column == "Fires on")
    for timer in timers:
        rule = timer["rule"] or {}
        upcoming.add_row(*_cells(
            timer["fires_on"], f"{timer['entity_kind']}:{timer['entity_id']}", timer["name"],
            cited(rule.get("authority", ""), rule.get("section", ""), rule.get("source", ""),
                  rule.get("adopted_by", "")) + f" {rule.get('rule', '')}"))
    work = Table(title="Tasks and messages", title_justify="left", min_width=30)
    work.add_column("What")
    work.add_column("Count", justify="right")
    for state, count in sorted(task_states.items()):
        work.add_row(*_cells(f"tasks {state}", count))
    for status, count in sorted(outbox.items()):
        work.add_row(*_cells(f"messages {status}", count))
    return [by_state, upcoming, work]


def summary_table(lines: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, title_justify="left", show_footer=True, min_width=len(title) + 2)
    totals = {key: sum(line[key] for line in lines)
              for key in ("raised", "met", "breached", "late", "open", "withdrawn")}
    table.add_column("Authority", footer="All rules", no_wrap=True)
    table.add_column("Rule", overflow="fold")
    for key, label in (("raised", "Raised"), ("met", "Met on time"), ("breached", "Breached"),
                       ("late", "Escalations late"), ("open", "Open"),
                       ("withdrawn", "Withdrawn")):
        table.add_column(label, justify="right", footer=str(totals[key]))
    for line in lines:
        table.add_row(*_cells(cited(line["policy"], line["section"], line.get("source", ""),
                                    line.get("adopted_by", "")), line["rule"], line["raised"],
                              line["met"], line["breached"], line["late"], line["open"],
                              line["withdrawn"]))
    return table


def recorded_time(instant: str) -> str:
    """``2026-12-01T12:57:39.054107Z`` as ``2026-12-01 12:57 UTC``, as the history shows it."""
    return f"{instant[:16].replace('T', ' ')} UTC"


def why_lines(task: dict[str, Any]) -> list[Text]:
    """The rule with its quote, the dates, and the arithmetic of the due date."""
    detail = task.get("rule_detail") or {}
    basis = task.get("basis") or {}
    lines = [
        Text(f"{task['id']}: {task['type']} for {task['for']} ({task['role']}), "
             f"about {task['subject']}", style="bold"),
        Text(f"Rule: {rule_label(task['rule'])}"
             + (f" (policy version {detail['version']})" if detail.get("version") else "")),
    ]
    if detail.get("quote"):
        lines.append(Text(f"  \u201c{detail['quote']}\u201d", style="italic"))
    if detail.get("source"):
        lines.append(Text(f"  adopted by {task['rule']['policy']} §{detail['adopted_by']}"
                          if detail.get("adopted_by") else
                          f"  the {task['rule']['policy']} policy does not state it: "
                          f"{detail['source']} does"))
    if detail.get("note"):
        lines.append(Text(f"  the file's own decision, not the policy's words: {detail['note']}"))
    lines.append(Text(f"Raised on {task['raised_on']}, due {task['due']}"))
    if basis.get("explain"):
        lines.append(Text(f"Due date: {basis['explain']}"))
    if basis.get("result") and basis["result"] != task["due"]:
        lines.append(Text(f"  then rescheduled to {task['due']}"))
    state = task["state"]
    if state == "closed":
        met = "on time" if task["breached_on"] is None else f"late (breached {task['breached_on']})"
        if task.get("recorded_at"):  # written up after: when the record came, and any breach
            met = ("met" if task["breached_on"] is None
                   else f"met late (breached {task['breached_on']})") \
                + f", recorded late (the record arrived {recorded_time(task['recorded_at'])})"
        lines.append(Text(f"State: closed on {task['closed_on']}, {met}"))
    elif state in ("breached", "escalated"):
        lines.append(Text(f"State: {state} on {task['breached_on']}, not met by {task['due']}"))
    elif state == "withdrawn":
        lines.append(Text(f"State: withdrawn on {task['closed_on']} ("
                          f"{task.get('withdrawn_because') or 'no longer needed'})"))
    else:
        lines.append(Text(f"State: open, due {task['due']}"))
    if task.get("escalates"):
        lines.append(Text(f"Escalates: {task['escalates']}"))
    return lines
