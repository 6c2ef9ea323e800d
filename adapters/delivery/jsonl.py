"""The embedded default: each task message as one line of JSON in a file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class JsonLinesFile:
    """Appends CloudEvents messages to ``tasks.jsonl``, one per line, flushed to disk."""

    name = "jsonl"

    def __init__(self, path: Path):
        self.path = path

    def deliver(self, message: dict[str, Any]) -> None:
        self.deliver_many([message])

    def deliver_many(self, messages: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(m, sort_keys=True, separators=(",", ":")) + "\n" for m in messages)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())
