"""What every benchmark reports: figures with their target, the floor of the same run, the ratio
and the peak memory of the process that did the work.

A benchmark module (``bench.sweep``, ``bench.simulate``, …) measures in child processes and
writes its figures as JSON (``--figures FILE``); ``python -m bench`` runs each of them, prints one
table of all the figures and writes ``.oversight/bench/latest.json`` with the machine and the
date. Memory is the child's own high-water mark (``ru_maxrss`` from ``os.wait4``), so a figure's
peak is that of the process that did the work, not the largest of all.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LATEST = REPO / ".oversight" / "bench" / "latest.json"
SIZES = ("tiny", "quick", "full")
"""``tiny``: seconds, for tests; ``quick``: small sizes for a check (``make bench-quick``);
``full``: the sizes of issue 15's targets (``make bench``)."""


@dataclass(frozen=True)
class Figure:
    """One measured figure, beside its target and the plain-SQL floor of the same run."""

    benchmark: str
    """The module that measured it: ``sweep``, ``simulate``, ``api``, ``cli``, …"""
    what: str
    """What was measured, for a person: ``sweep, 100,000 entities, 10% due: flow path``."""
    value: float
    unit: str
    """``timers/s``, ``events/s``, ``s``, ``ms``, ``messages/s``."""
    higher_is_better: bool = True
    target: float | None = None
    """The value the issue asks for (a floor for rates, a ceiling for times)."""
    floor: float | None = None
    """The plain-SQL floor of the same work in the same run, in the same unit."""
    floor_name: str | None = None
    ratio_target: float | None = None
    """At most this many times the floor's cost (``2`` for "within 2× plain SQL")."""
    peak_rss_mb: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times the floor's cost this figure is (1 = as fast as plain SQL)."""
        if not self.floor or not self.value:
            return None
        return self.floor / self.value if self.higher_is_better else self.value / self.floor

    @property
    def met(self) -> bool | None:
        """Whether the target (and the ratio target) is met; None when there is none."""
        checks = []
        if self.target is not None:
            checks.append(self.value >= self.target if self.higher_is_better
                          else self.value <= self.target)
        if self.ratio_target is not None and self.ratio is not None:
            checks.append(self.ratio <= self.ratio_target)
        return all(checks) if checks else None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


# ----- child processes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ChildRun:
    """A finished child process: its output, wall time and own peak resident set."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float

    def last_json(self) -> Any:
        """The last line of standard output, parsed (each child prints its result last)."""
        return json.loads(self.stdout.strip().splitlines()[-1])


def run_child(argv: Sequence[str], *, env: dict[str, str] | None = None,
              cwd: Path = REPO, timeout: float | None = None) -> ChildRun:
    """Run ``argv`` to its end; ``ru_maxrss`` of that child alone (``os.wait4``).

    Output goes to temporary files rather than pipes, so waiting with ``wait4`` cannot block
    on a full pipe.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=out, stderr=errors,
                                   text=True)
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG if deadline else 0)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        out.seek(0)
        errors.seek(0)
        return ChildRun(process.returncode, out.read(), errors.read(), seconds,
                        usage.ru_maxrss / 1024)


# ----- the machine and the report -----------------------------------------------------------------

def machine() -> dict[str, Any]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {"cores": os.cpu_count(), "memory_gib": round(memory, 1),
            "arch": platform.machine(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "load_average_1min": load,
            "date": datetime.now(UTC).isoformat(timespec="seconds")}


def machine_line(info: dict[str, Any]) -> str:
    load = info.get("load_average_1min")
    return (f"{info['arch']}, {info['cores']} cores, {info['memory_gib']:.0f} GiB, Python "
            f"{info['python']}, SQLite {info['sqlite']}, {info['date'][:10]}"
            + (f" (load {load:.1f} at the start)" if load is not None else ""))


def write_figures(path: Path | None, figures: list[Figure]) -> None:
    """A module's figures for ``python -m bench`` (nothing when run by hand without a file)."""
    if path is not None:
        path.write_text(json.dumps([f.to_json() for f in figures], indent=2), encoding="utf-8")


def read_figures(path: Path) -> list[Figure]:
    return [Figure.from_json(item) for item in json.loads(path.read_text(encoding="utf-8"))]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a measured child: Prefect quiet and not phoning home."""
    return {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
            # a loaded machine starts Prefect's temporary server slowly: wait, do not fail
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180", **extra}


HEADERS = ("benchmark", "what", "figure", "target", "plain-SQL floor", "× floor", "peak RSS MB",
           "met")
"""The columns of the table ``python -m bench`` prints and the README shows."""


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cells(figure: Figure) -> tuple[str, ...]:
    """One figure as the table's cells, in the order of :data:`HEADERS`."""
    unit = f" {figure.unit}"
    target = ""
    if figure.target is not None:
        target = ("≥ " if figure.higher_is_better else "< ") + _number(figure.target) + unit
    if figure.ratio_target is not None:
        target += ("; " if target else "") + f"≤ {figure.ratio_target:g}× floor"
    floor = "" if figure.floor is None else _number(figure.floor) + unit + (
        f" ({figure.floor_name})" if figure.floor_name else "")
    ratio = "" if figure.ratio is None else f"{figure.ratio:.1f}"
    peak = "" if figure.peak_rss_mb is None else f"{figure.peak_rss_mb:,.0f}"
    met = {None: "", True: "met", False: "MISSED"}[figure.met]
    what = figure.what + (f" ({figure.note})" if figure.note else "")
    return (figure.benchmark, what, _number(figure.value) + unit, target, floor, ratio, peak, met)


@dataclass
class Report:
    """Every figure of one ``python -m bench`` run, with the machine and the size."""

    size: str
    figures: list[Figure] = field(default_factory=list)
    machine: dict[str, Any] = field(default_factory=machine)
    failures: list[str] = field(default_factory=list)
    carried: dict[str, str] = field(default_factory=dict)
    """Benchmarks whose figures come from an earlier run (``--merge``), and its date."""

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "machine": self.machine, "failures": self.failures,
                "carried": self.carried, "figures": [f.to_json() for f in self.figures]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(size=data["size"], machine=data["machine"],
                   failures=list(data.get("failures", [])),
                   carried=dict(data.get("carried", {})),
                   figures=[Figure.from_json(f) for f in data["figures"]])


__all__ = ["Figure", "ChildRun", "run_child", "machine", "machine_line", "write_figures",
           "read_figures", "child_env", "Report", "SIZES", "LATEST", "REPO", "HEADERS", "cells"]
