"""A scenario's timeline checked by the engine itself: one dry run on a temporary store.

The service applies every event of the timeline in order, in one transaction that it rolls back
(``record_all(..., dry_run=True)``), and reports every event it refused. So a scenario is checked
by the same routes, machines and policy as the simulation that runs it, not by a second copy of
their rules. The simulation runs it only when it meets a refusal (:func:`refused_problems`), and
the file's check only when the file has faults of its own, so that every problem is listed at
once; a good file is not taken through the engine twice. Timers do not fire in the dry run: the
run's own refusal, met after a sweep perhaps, is listed in its place.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, time
from pathlib import Path
from tempfile import TemporaryDirectory

from oversight.states.errors import BatchRejected
from oversight.workflows.bootstrap import initialise, sqlite_url
from oversight.workflows.ports.scenarios import ScenarioPlan
from oversight.workflows.settings import Settings

_SECTIONS = {"relationships": 0, "staff": 1, "assessments": 2, "events": 3}


def _file_order(where: str) -> tuple[int, int]:
    """Where in the file an event comes from (``events[3]``), for reporting problems in the
    file's order."""
    match = re.fullmatch(r"(\w+)\[(\d+)\]", where)
    assert match is not None, where
    return _SECTIONS[match.group(1)], int(match.group(2))


def engine_problems(scenario: ScenarioPlan, *, policy_dir: Path | None = None,
                    leaving_out: Collection[str] = ()) -> list[str]:
    """Every event of the timeline the engine refuses, as ``where: the engine refused it: why``,
    in the order of the file; empty when it accepts them all. ``leaving_out``: events of the
    file not to apply (``events[3]``), e.g. those that do not parse."""
    timeline = scenario.timeline(leaving_out=leaving_out)
    # Told the end of the last simulated day, as the simulation is when it gets there.
    now = datetime.combine(scenario.end, time(23, 0), tzinfo=UTC)
    with TemporaryDirectory(prefix="oversight-check-") as folder:
        home = Path(folder)
        settings = Settings(home=home, database_url=sqlite_url(home / "check.db"),
                            policy=scenario.policy, policy_dir=policy_dir)
        app = initialise(settings, scenario.policy)
        try:
            with app.store() as uow:
                uow.staff.upsert(scenario.staff_members())
                uow.commit()
            try:
                app.service.record_all([p.event for p in timeline], now=now, dry_run=True)
            except BatchRejected as rejected:
                refused = sorted(((timeline[index], error) for index, error in rejected.failures),
                                 key=lambda found: _file_order(found[0].where))
                return [f"{planned.where}: the engine refused it: {error}"
                        for planned, error in refused]
        finally:
            app.close()  # let go of the file before the folder is removed
    return []


def refused_problems(scenario: ScenarioPlan, refused: Mapping[str, str], *,
                     policy_dir: Path | None = None) -> list[str]:
    """Every problem of a file whose run the engine stopped at ``refused`` (``where`` and
    ``reason``): the run's refusal, and every other event the dry run refuses, in the file's
    order, one line each."""
    where = refused["where"]
    others = [line for line in engine_problems(scenario, policy_dir=policy_dir)
              if line.split(": ", 1)[0] != where]
    return sorted([f"{where}: the engine refused it: {refused['reason']}", *others],
                  key=lambda line: _file_order(line.split(": ", 1)[0]))


__all__ = ["engine_problems", "refused_problems"]
