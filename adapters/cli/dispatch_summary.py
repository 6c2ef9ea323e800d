"""What ``oversight dispatch`` says after a run: per receiver, and where the messages went.

A simulated store's messages went to its own outbox file, never to the receivers configured
here: the summary says so, so a person does not take a simulation's run for a real delivery.
"""

from __future__ import annotations

from typing import Any


def dispatch_lines(totals: dict[str, Any], settings: Any) -> list[str]:
    """What ``oversight dispatch`` tells a person: per receiver, what went, what is to retry,
    dead, held and not yet tried, and where this store's messages have gone so far (a
    simulated store's went to its own file, never to the receivers configured here)."""
    receivers = totals["receivers"]
    lines: list[str] = []
    if not receivers:
        lines.append("Nothing to deliver: every message has gone out.")
    else:
        only = list(receivers) == ["jsonl"] and not settings.receivers
        # Only the receivers that got something: one whose messages all failed got none.
        reached = sum(1 for line in receivers.values() if line["delivered"])
        lines.append(f"Delivered {totals['delivered']} message(s)"
                     + (f" to {settings.outbox_file}." if only
                        else f" to {reached} receiver(s)." if reached else "."))
        for name, line in sorted(receivers.items()):
            if only and not (line["failed"] or line["dead"] or line["held"]
                             or line.get("untried")):
                continue
            paused = f", paused until {line['paused_until']}" if line.get("paused_until") else ""
            lines.append(f"  {name}: {line['delivered']} delivered, {line['failed']} to retry, "
                         f"{line['dead']} dead, {line['held']} held, "
                         f"{line.get('untried', 0)} not yet tried{paused}"
                         + (f" ({line['error']})" if line["error"] else ""))
    lines += _where_they_went(settings)
    if totals["failed"] or totals["dead"]:
        lines.append("See `oversight deliveries` for what has not gone out and why.")
    return lines


def _where_they_went(settings: Any) -> list[str]:
    """Every receiver this store's messages were routed to, delivered so far, and each
    configured receiver that has none of them."""
    from oversight.workflows.bootstrap import delivery_store
    from oversight.workflows.reads import delivery_reads
    from oversight.workflows.reads.receivers import describe_target

    counts = delivery_reads.counts(delivery_store(settings.url))
    configured = settings.receiver_settings()
    lines = []
    for name, by_status in sorted(counts.items()):
        if name in configured:
            where = describe_target(configured[name], settings)
        elif name == "jsonl":
            where = "this store's own outbox file: a simulation's, not a configured receiver"
        else:
            where = "a receiver no longer configured"
        lines.append(f"  so far to {name} ({where}): {by_status.get('delivered', 0)} delivered")
    for name in sorted(set(configured) - set(counts)):
        lines.append(f"  so far to {name} ({describe_target(configured[name], settings)}): "
                     f"none of this store's messages")
    return lines
