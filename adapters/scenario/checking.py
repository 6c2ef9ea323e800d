"""Loading and checking a scenario: the file is checked before anything runs.

The file is checked here (its sections, its policy, each event's fields, dates and people); what
the engine would make of the events is checked by the engine itself, in one dry run of the whole
timeline (:mod:`oversight.workflows.simulation.scenario_check`), so this module knows no lifecycle.
The simulation reads with ``engine_check=False``: its run is the engine's check, and the dry run
lists every problem if that run meets a refusal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from oversight.adapters.policy_files import available_policies, load_policy, policy_path
from oversight.adapters.scenario.model import Scenario, StaffEntry
from oversight.adapters.scenario.reading import ScenarioInvalid, pydantic_problem, read_yaml
from oversight.states.directory import StaffMember
from oversight.states.errors import EventInvalid, PolicyError
from oversight.workflows.ports.scenarios import EngineCheck

_PEOPLE = ("supervisor", "supervisee", "worker", "manager", "arranged_with")
"""Fields that name a member of staff, checked against the file's ``staff`` with a plain message
(the engine's dry run checks the people of every other event)."""


def load_scenario(path: Path, *, policy_dir: Path | None = None, engine_check: bool = True,
                  engine: EngineCheck | None = None) -> Scenario:
    """Read and validate a scenario file; every problem found is reported at once.

    ``engine`` is the engine's dry run (the application's, handed in by the edge that reads the
    file: this adapter knows no lifecycle); without it the file's own checks alone are made.
    ``engine_check=False`` runs it only when the file has faults of its own, so that they are
    all reported at once; the simulation passes it (its run checks the rest).
    """
    return scenario_from_mapping(read_yaml(path), source=path.name, policy_dir=policy_dir,
                                 engine_check=engine_check, engine=engine)


class _StaffFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    staff: list[StaffEntry] = Field(min_length=1)


def load_staff(path: Path) -> list[StaffMember]:
    """Staff from YAML: a list of entries as in a scenario's ``staff``, or a file with ``staff``."""
    data = read_yaml(path)
    if isinstance(data, dict):
        data = data.get("staff")
    try:
        members = _StaffFile.model_validate({"staff": data}).staff
    except ValidationError as error:
        raise ScenarioInvalid(path.name, [pydantic_problem(e) for e in error.errors()]) from None
    return [StaffMember(s.id, s.role, s.started, s.manager, s.qualified) for s in members]


def scenario_from_mapping(data: Any, *, source: str, policy_dir: Path | None = None,
                          engine_check: bool = True, engine: EngineCheck | None = None
                          ) -> Scenario:
    """Validate a parsed scenario: its sections, then its policy, then every event, then what
    the engine makes of the whole timeline."""
    if not isinstance(data, dict):
        raise ScenarioInvalid(source, ["a scenario is a mapping with policy, from, to, staff, "
                                       "relationships, assessments and events"])
    try:
        scenario = Scenario.model_validate({**data, "source": source})
    except ValidationError as error:
        raise ScenarioInvalid(source, [pydantic_problem(e) for e in error.errors()]) from None
    problems = _check_policy(scenario, policy_dir) + _check_sections(scenario)
    faulty = _check_events(scenario)
    if engine is not None and not problems and (engine_check or faulty):
        # The events with a fault of their own are left out; the engine checks the rest.
        faulty += engine(scenario, policy_dir=policy_dir,
                         leaving_out={line.split(": ")[0] for line in faulty})
    problems += sorted(faulty, key=_event_index)
    if problems:
        raise ScenarioInvalid(source, problems)
    return scenario


def _event_index(line: str) -> int:
    """The index of ``events[i]`` a problem names; setup sections (before the events) sort first."""
    where = line.split(": ")[0]
    return int(where[len("events["):-1]) if where.startswith("events[") else -1


def _check_policy(scenario: Scenario, policy_dir: Path | None) -> list[str]:
    if not policy_path(scenario.policy, policy_dir).is_file():
        known = ", ".join(available_policies(policy_dir)) or "none"
        return [f"policy: no policy file for '{scenario.policy}' (policies: {known})"]
    try:
        load_policy(scenario.policy, policy_dir)
    except PolicyError as error:
        return [f"policy: '{scenario.policy}' does not load: {error}"]
    return []


def _check_sections(scenario: Scenario) -> list[str]:
    problems = []
    if scenario.end < scenario.start:
        problems.append(f"to: {scenario.end} is before from ({scenario.start})")
    ids = [s.id for s in scenario.staff]
    for index, member in enumerate(scenario.staff):
        if ids.index(member.id) != index:
            problems.append(f"staff[{index}]: '{member.id}' is listed twice")
        if member.manager is not None and member.manager not in ids:
            problems.append(f"staff[{index}].manager: '{member.manager}' is not in staff")
        if member.role == "asye" and member.manager is None:
            problems.append(f"staff[{index}]: an ASYE needs a manager, who supervises the ASYE")
    pairs: set[tuple[str, str]] = set()
    for index, rel in enumerate(scenario.relationships):
        for field in ("supervisor", "supervisee"):
            if getattr(rel, field) not in ids:
                problems.append(f"relationships[{index}].{field}: '{getattr(rel, field)}' "
                                f"is not in staff")
        if (rel.supervisor, rel.supervisee) in pairs:
            problems.append(f"relationships[{index}]: {rel.supervisor} → {rel.supervisee} "
                            f"is listed twice")
        pairs.add((rel.supervisor, rel.supervisee))
        if rel.started > scenario.end:
            problems.append(f"relationships[{index}].started: {rel.started} is after "
                            f"to ({scenario.end})")
    for index, item in enumerate(scenario.assessments):
        for field in ("worker", "manager"):
            if getattr(item, field) not in ids:
                problems.append(f"assessments[{index}].{field}: '{getattr(item, field)}' "
                                f"is not in staff")
        if item.started > scenario.end:
            problems.append(f"assessments[{index}].started: {item.started} is after "
                            f"to ({scenario.end})")
    return problems


def _check_events(scenario: Scenario) -> list[str]:
    """Each listed event parses, falls within from..to and names only staff of the file."""
    staff = {s.id for s in scenario.staff}
    found = []
    for index, raw in enumerate(scenario.events):
        where = f"events[{index}]"
        if not isinstance(raw, dict):
            found.append(f"{where}: an event is a mapping with 'on', 'type' and its fields")
            continue
        try:
            event = scenario.listed(index)
        except EventInvalid as error:
            found.append(f"{where}: {error}")
            continue
        if not scenario.start <= event.on <= scenario.end:
            found.append(f"{where}: dated {event.on}, outside the scenario's from..to "
                         f"({scenario.start} to {scenario.end})")
            continue
        found += [f"{where}: {field} '{getattr(event, field)}' is not in staff"
                  for field in _PEOPLE
                  if getattr(event, field, None) is not None and getattr(event, field) not in staff]
    return found


__all__ = ["load_scenario", "load_staff", "scenario_from_mapping"]
