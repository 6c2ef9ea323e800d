"""The embedded default: each task message as one line of JSON in a file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from oversight.adapters.delivery.payload import outbound
from oversight.adapters.delivery.ports import DeliveryFailed


class JsonLinesFile:
    """Appends CloudEvents messages to ``tasks.jsonl``, one per line, flushed to disk.

    A repeat after a crash appends the line again: readers de-duplicate on ``id``.
    """

    name = "jsonl"

    def __init__(self, path: Path, *, link_base: str | None = None):
        self.path = path
        self.link_base = link_base  # the task links are made as the lines are written

    def deliver(self, message: dict[str, Any]) -> None:
        self.deliver_many([message])

    def deliver_many(self, messages: list[dict[str, Any]]) -> None:
        events = [outbound(message, link_base=self.link_base)  # all refused or none
                  for message in messages]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(e, sort_keys=True, separators=(",", ":")) + "\n" for e in events)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())

    def check(self) -> str:
        """The file (or the nearest folder that exists, to make it in) is writable."""
        target = self.path if self.path.exists() else next(
            (p for p in self.path.parents if p.exists()), None)
        if target is None or not os.access(target, os.W_OK):
            raise DeliveryFailed(f"{self.path} cannot be written")
        return f"appends to {self.path}"
