"""A scenario's sections and its timeline: the events it applies, setup ones included, in the
order the simulation applies them, each with its place in the file."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from oversight.adapters.scenario.reading import IsoDate, iso_date
from oversight.states.directory import StaffMember
from oversight.states.errors import EventInvalid
from oversight.states.events import DomainEvent, Identifier, parse_event
from oversight.states.policy.model import Role


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
    _parsed: dict[int, DomainEvent] = PrivateAttr(default_factory=dict)
    """Each listed event as parsed once: checking the file and building its timeline (for the
    run, and for the engine's dry run if that one refuses) parse an event the same way."""

    def staff_members(self) -> list[StaffMember]:
        return [StaffMember(s.id, s.role, s.started, s.manager, s.qualified) for s in self.staff]

    def listed(self, index: int) -> DomainEvent:
        """``events[index]`` parsed (:class:`EventInvalid` if it does not parse)."""
        event = self._parsed.get(index)
        if event is None:
            event = self._parsed[index] = parse_listed(self.events[index], f"events[{index}]")
        return event

    def timeline(self, *, leaving_out: Collection[str] = ()) -> list[Planned]:
        """Every event to apply, setup ones included, in the order the simulation applies them
        (but the listed events ``leaving_out`` names, e.g. ``events[3]``)."""
        planned = list(_setup_events(self))
        for index in range(len(self.events)):
            where = f"events[{index}]"
            if where not in leaving_out:
                planned.append(Planned(where, self.listed(index), False))
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


def _setup_events(scenario: Scenario) -> Iterator[Planned]:
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


def parse_listed(raw: dict[str, Any], where: str) -> DomainEvent:
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


__all__ = ["AssessmentEntry", "Planned", "RelationshipEntry", "Scenario", "StaffEntry",
           "parse_listed"]
