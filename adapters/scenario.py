"""Scenario files: a team, its children's assessments and a period of dated events (issue 3).

A scenario is what ``oversight simulate`` and ``oversight demo`` run on a virtual clock::

    policy: surrey                 # config/policies/<policy>.yaml
    from: 2026-01-05               # the first simulated day
    to: 2026-12-31                 # the last
    staff:                         # id, role, start date, line manager; qualified date
      - {id: tm1, role: manager, started: 2019-04-01, qualified: 2014-07-01}
      - {id: sw1, role: asye, started: 2026-01-05, manager: tm1}
    relationships:                 # each becomes a relationship_started event
      - {supervisor: tm1, supervisee: sw1, started: 2026-01-05}
    assessments:                   # each becomes an assessment_started event
      - {child: c1, worker: sw1, manager: tm1, started: 2026-03-25}
    events:                        # dated domain events, in the vocabulary of the machines
      - {on: 2026-01-05, type: agreement_signed, supervisor: tm1, supervisee: sw1}

Staff with role ``asye`` are enrolled on their start date (``asye_enrolled``, supervised by their
line manager). Setup events may be dated before ``from`` (the team as it stands when the
simulation starts); every other event must fall within ``from``..``to``.

Everything is checked before anything runs; each problem is one line naming where it is::

    scenario.yaml: events[3]: unknown event type 'supervison_held'; known types: ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from oversight.adapters.policy_files import available_policies, load_policy, policy_path
from oversight.states.directory import StaffMember
from oversight.states.errors import EventInvalid, OversightError, PolicyError
from oversight.states.events.registry import DomainEvent, Identifier, parse_event
from oversight.states.policy.model import Policy, Role
import oversight.states.machines  # noqa: F401 - registers every lifecycle's event types for parse_event

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


# ----- reading YAML without surprises ------------------------------------------------------------

class _ScenarioLoader(yaml.SafeLoader):
    """YAML 1.1 reads the key ``on`` as ``True`` and bad dates as exceptions: this loader reads
    both as text (``true``/``false`` stay booleans) so that validation can say what is wrong."""


_ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: Any) -> date:
    """A ``YYYY-MM-DD`` date, or a ValueError a person can act on."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (write YYYY-MM-DD)")


IsoDate = Annotated[date, BeforeValidator(iso_date)]


# ----- the file's sections -----------------------------------------------------------------------

class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StaffEntry(_Entry):
    id: Identifier
    role: Role
    started: IsoDate
    manager: Identifier | None = None
    """Line manager: escalations go to them; an ASYE is supervised by them."""
    qualified: IsoDate | None = None
    """Date of professional qualification, for supervisor eligibility."""


class RelationshipEntry(_Entry):
    supervisor: Identifier
    supervisee: Identifier
    started: IsoDate


class AssessmentEntry(_Entry):
    child: Identifier
    worker: Identifier
    manager: Identifier
    started: IsoDate


class Scenario(_Entry):
    """A scenario file, validated; :func:`load_scenario` also checks its events."""

    policy: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    start: IsoDate = Field(alias="from")
    end: IsoDate = Field(alias="to")
    staff: list[StaffEntry] = Field(min_length=1)
    relationships: list[RelationshipEntry] = []
    assessments: list[AssessmentEntry] = []
    events: list[dict[str, Any]] = []
    source: str = Field(default="scenario", exclude=True)
    """The file it came from, for messages."""

    def staff_members(self) -> list[StaffMember]:
        return [StaffMember(s.id, s.role, s.started, s.manager, s.qualified) for s in self.staff]

    def timeline(self) -> list["Planned"]:
        """Every event to apply, setup ones included, in the order the simulation applies them."""
        planned = list(_setup_events(self))
        for index, raw in enumerate(self.events):
            planned.append(Planned(f"events[{index}]", _parse(raw, f"events[{index}]"), False))
        return sorted(planned, key=lambda p: (p.event.on, not p.setup,
                                              _SETUP_ORDER.get(p.event.type, 3)))


@dataclass(frozen=True, slots=True)
class Planned:
    """One event of the timeline and where in the file it comes from."""

    where: str
    event: DomainEvent
    setup: bool
    """Made from the staff, relationships or assessments section."""


_SETUP_ORDER = {"relationship_started": 0, "asye_enrolled": 1, "assessment_started": 2}
_PEOPLE = ("supervisor", "supervisee", "worker", "manager", "arranged_with")
_RELATIONSHIP_EVENTS = {"agreement_signed", "agreement_reviewed", "supervision_held",
                        "alternative_supervision_arranged", "relationship_ended"}
_ASSESSMENT_EVENTS = {"oversight_recorded", "assessment_extended", "assessment_completed"}
_ASYE_EVENTS = {"review_held", "asye_paused", "asye_resumed", "final_assessment_recorded"}
_ABSENCE_EVENTS = {"supervisor_absence_started", "supervisor_returned"}


def _setup_events(scenario: Scenario):
    for index, rel in enumerate(scenario.relationships):
        yield Planned(f"relationships[{index}]", parse_event({
            "type": "relationship_started", "on": rel.started, "supervisor": rel.supervisor,
            "supervisee": rel.supervisee, "event_id": f"scenario:relationships[{index}]"}), True)
    for index, member in enumerate(scenario.staff):
        if member.role == "asye" and member.manager:
            yield Planned(f"staff[{index}]", parse_event({
                "type": "asye_enrolled", "on": member.started, "worker": member.id,
                "supervisor": member.manager, "event_id": f"scenario:staff[{index}]"}), True)
    for index, item in enumerate(scenario.assessments):
        yield Planned(f"assessments[{index}]", parse_event({
            "type": "assessment_started", "on": item.started, "child": item.child,
            "worker": item.worker, "manager": item.manager,
            "event_id": f"scenario:assessments[{index}]"}), True)


def _parse(raw: dict[str, Any], where: str) -> DomainEvent:
    """One event of the ``events`` list; dates checked first so their message is the plain one."""
    data = dict(raw)
    if "on" not in data:
        raise EventInvalid("'on' is missing: every event needs the date it happened")
    for key in ("on", "extended_to"):
        if key in data and data[key] is not None:
            try:
                data[key] = iso_date(data[key])
            except ValueError as error:
                raise EventInvalid(f"{key}: {error}") from None
    data.setdefault("event_id", f"scenario:{where}")
    return parse_event(data)


# ----- loading and checking ----------------------------------------------------------------------

def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioInvalid(str(path), ["no such file"]) from None
    except OSError as error:
        raise ScenarioInvalid(str(path), [f"cannot be read: {error.strerror}"]) from None
    try:
        return yaml.load(text, Loader=_ScenarioLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ScenarioInvalid(path.name, [f"{where}not valid YAML: "
                                          f"{getattr(error, 'problem', None) or error}"]) from None


def load_scenario(path: Path, *, policy_dir: Path | None = None) -> Scenario:
    """Read and validate a scenario file; every problem found is reported at once."""
    return scenario_from_mapping(_read_yaml(path), source=path.name, policy_dir=policy_dir)


class _StaffFile(_Entry):
    staff: list[StaffEntry] = Field(min_length=1)


def load_staff(path: Path) -> list[StaffMember]:
    """Staff from YAML: a list of entries as in a scenario's ``staff``, or a file with ``staff``."""
    data = _read_yaml(path)
    if isinstance(data, dict):
        data = data.get("staff")
    try:
        members = _StaffFile.model_validate({"staff": data}).staff
    except ValidationError as error:
        raise ScenarioInvalid(path.name, [_pydantic_problem(e) for e in error.errors()]) from None
    return [StaffMember(s.id, s.role, s.started, s.manager, s.qualified) for s in members]


def scenario_from_mapping(data: Any, *, source: str, policy_dir: Path | None = None) -> Scenario:
    """Validate a parsed scenario: its sections, then its policy, then every event."""
    if not isinstance(data, dict):
        raise ScenarioInvalid(source, ["a scenario is a mapping with policy, from, to, staff, "
                                       "relationships, assessments and events"])
    try:
        scenario = Scenario.model_validate({**data, "source": source})
    except ValidationError as error:
        raise ScenarioInvalid(source, [_pydantic_problem(e) for e in error.errors()]) from None
    problems = _check_policy(scenario, policy_dir)
    policy = None if problems else load_policy(scenario.policy, policy_dir)
    problems += _check_sections(scenario)
    problems += _check_events(scenario, policy)
    if problems:
        raise ScenarioInvalid(source, problems)
    return scenario


def _pydantic_problem(error: Any) -> str:
    where = ""
    for part in error["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    if error["type"] == "missing":
        reason = "required, but missing"
    elif error["type"] == "extra_forbidden":
        reason = "unknown key (a typo?)"
    elif error["type"] == "value_error":
        reason = str(error["ctx"]["error"])
    elif error["type"] == "string_pattern_mismatch":
        reason = f"{error['input']!r} does not match {error['ctx']['pattern']}"
    elif error["type"] == "literal_error":
        reason = f"{error['input']!r} is not one of {error['ctx']['expected']}"
    else:
        reason = error["msg"]
    return f"{where or '(top level)'}: {reason}"


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


@dataclass
class _Starts:
    """When each entity of the scenario starts, as far as the file says."""

    relationships: dict[tuple[str, str], date]
    assessments: dict[str, date]
    asye: dict[str, date]


def _starts(scenario: Scenario, events: list[DomainEvent]) -> _Starts:
    starts = _Starts(
        relationships={(r.supervisor, r.supervisee): r.started for r in scenario.relationships},
        assessments={}, asye={s.id: s.started for s in scenario.staff if s.role == "asye"})
    for item in scenario.assessments:
        earliest = starts.assessments.get(item.child, item.started)
        starts.assessments[item.child] = min(item.started, earliest)
    for event in events:  # entities an event of the list itself starts
        if event.type == "relationship_started":
            key = (event.supervisor, event.supervisee)  # type: ignore[attr-defined]
            starts.relationships[key] = min(event.on, starts.relationships.get(key, event.on))
        elif event.type == "assessment_started":
            child = event.child  # type: ignore[attr-defined]
            starts.assessments[child] = min(event.on, starts.assessments.get(child, event.on))
        elif event.type == "asye_enrolled":
            worker = event.worker  # type: ignore[attr-defined]
            starts.asye[worker] = min(event.on, starts.asye.get(worker, event.on))
    return starts


def _check_events(scenario: Scenario, policy: Policy | None) -> list[str]:
    found: list[tuple[int, str]] = []
    parsed: list[tuple[int, DomainEvent]] = []
    for index, raw in enumerate(scenario.events):
        if not isinstance(raw, dict):
            found.append((index, "an event is a mapping with 'on', 'type' and its fields"))
            continue
        try:
            parsed.append((index, _parse(raw, f"events[{index}]")))
        except EventInvalid as error:
            found.append((index, str(error)))
    staff = {s.id for s in scenario.staff}
    starts = _starts(scenario, [event for _, event in parsed])
    for index, event in parsed:
        found += [(index, p) for p in _event_problems(event, scenario, staff, starts, policy)]
    return [f"events[{index}]: {problem}" for index, problem in sorted(found, key=lambda f: f[0])]


def _event_problems(event: DomainEvent, scenario: Scenario, staff: set[str], starts: _Starts,
                    policy: Policy | None) -> list[str]:
    on, kind = event.on, event.type
    if not scenario.start <= on <= scenario.end:
        return [f"dated {on}, outside the scenario's from..to ({scenario.start} to {scenario.end})"]
    unknown = [f"{field} '{getattr(event, field)}' is not in staff" for field in _PEOPLE
               if getattr(event, field, None) is not None and getattr(event, field) not in staff]
    if unknown:
        return unknown
    if kind in _ASSESSMENT_EVENTS:
        child = event.child  # type: ignore[attr-defined]
        if child not in starts.assessments:
            return [f"child '{child}' is not in assessments"]
        if on < starts.assessments[child]:
            return [f"dated {on}, before the assessment of child '{child}' starts "
                    f"({starts.assessments[child]})"]
    if kind in _RELATIONSHIP_EVENTS:
        pair = (event.supervisor, event.supervisee)  # type: ignore[attr-defined]
        if pair not in starts.relationships:
            return [f"no relationship {pair[0]} → {pair[1]} in relationships"]
        if on < starts.relationships[pair]:
            return [f"dated {on}, before the relationship {pair[0]} → {pair[1]} starts "
                    f"({starts.relationships[pair]})"]
    if kind in _ASYE_EVENTS:
        worker = event.worker  # type: ignore[attr-defined]
        if worker not in starts.asye:
            return [f"'{worker}' has no ASYE: give them role asye in staff"]
        if on < starts.asye[worker]:
            return [f"dated {on}, before the ASYE of '{worker}' starts ({starts.asye[worker]})"]
    if kind in _ABSENCE_EVENTS:
        supervisor = event.supervisor  # type: ignore[attr-defined]
        begun = [d for (sup, _), d in starts.relationships.items() if sup == supervisor]
        if not begun:
            return [f"'{supervisor}' supervises nobody in relationships"]
        if on < min(begun):
            return [f"dated {on}, before any relationship of '{supervisor}' starts ({min(begun)})"]
    return _policy_problems(event, policy)


def _policy_problems(event: DomainEvent, policy: Policy | None) -> list[str]:
    if policy is None:
        return []
    if event.type == "oversight_recorded":
        point = event.point  # type: ignore[attr-defined]
        points = [p.point for p in policy.assessment.oversight_points]
        if point not in points:
            return [f"point '{point}' is not an oversight point of the {policy.authority} "
                    f"policy ({', '.join(points)})"]
    if event.type == "review_held":
        review = event.review  # type: ignore[attr-defined]
        reviews = [r.review for r in policy.asye.reviews]
        if review not in reviews:
            return [f"review '{review}' is not an ASYE review of the {policy.authority} "
                    f"policy ({', '.join(reviews)})"]
    return []


__all__ = ["Scenario", "ScenarioInvalid", "Planned", "load_scenario", "load_staff",
           "scenario_from_mapping", "iso_date"]
