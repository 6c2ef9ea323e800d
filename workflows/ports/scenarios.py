"""The scenario port: what the simulation and the scenario check need from a scenario file.

A scenario is read and validated by its adapter (:mod:`oversight.adapters.scenario`, YAML); the
composition root hands its reader on as a :class:`ScenarioReader`. The simulation
(:mod:`oversight.workflows.simulation.runs`) and the engine's dry run over a scenario
(:mod:`oversight.workflows.simulation.scenario_check`) see only the shapes below, and raise
:class:`ScenarioInvalid` (one line per problem), the error the reader raises too.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from oversight.states.directory import StaffMember
from oversight.states.errors import OversightError
from oversight.states.events import DomainEvent

MAX_PROBLEMS = 20
"""A file with more problems than this is reported with its first ones and a count of the rest."""


class ScenarioInvalid(OversightError):
    """A scenario (or staff) file failed validation: one line per problem, naming file and place."""

    def __init__(self, source: str, problems: list[str]):
        self.source, self.problems = source, problems
        shown = [f"{source}: {problem}" for problem in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"{source}: ... and {len(problems) - MAX_PROBLEMS} more problems")
        super().__init__("\n".join(shown))


class PlannedEvent(Protocol):
    """One event of the timeline and where in the file it comes from (``events[3]``)."""

    @property
    def where(self) -> str: ...
    @property
    def event(self) -> DomainEvent: ...


class ScenarioPlan(Protocol):
    """A validated scenario: the authority, the simulated days, the staff and the timeline."""

    @property
    def policy(self) -> str: ...
    @property
    def start(self) -> date: ...
    @property
    def end(self) -> date: ...
    @property
    def source(self) -> str:
        """The file's name, for messages."""
        ...

    def staff_members(self) -> list[StaffMember]: ...

    def timeline(self, *, leaving_out: Collection[str] = ()) -> Sequence[PlannedEvent]:
        """Every event to apply, setup ones included, in the order the simulation applies
        them, but those ``leaving_out`` names."""
        ...


class EngineCheck(Protocol):
    """The engine's dry run of a scenario's timeline: one line per event it refuses."""

    def __call__(self, scenario: ScenarioPlan, *, policy_dir: Path | None = None,
                 leaving_out: Collection[str] = ()) -> list[str]: ...


class ScenarioReader(Protocol):
    """Reads and validates a scenario file (:class:`ScenarioInvalid` with every problem); with
    ``engine``, the engine's dry run checks its timeline too."""

    def __call__(self, path: Path, *, policy_dir: Path | None = None,
                 engine_check: bool = True, engine: EngineCheck | None = None
                 ) -> ScenarioPlan: ...


__all__ = ["MAX_PROBLEMS", "EngineCheck", "PlannedEvent", "ScenarioInvalid", "ScenarioPlan",
           "ScenarioReader"]
