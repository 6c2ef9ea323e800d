"""A new authority is one file: every policy file in the policy folder (each authority's current
file and its versions) passes the same suite, whatever the files are.

- the schema accepts it, and ``oversight policy lint`` finds no error in it;
- a sample team generated from the policy (a supervisor, a worker in every role the file times,
  a newcomer in each role with an early phase, an ASYE, a manager, an assessment, a child of each
  case type, each team activity and each oversight trigger, a planned and cancelled session)
  runs for a year, each obligation met on the day it is due, with no error;
- no task of that year is due on a non-working day unless its rule says so
  (``non_working_day: none``) or it counts working days from a non-working day (day 0).

Adding ``config/policies/<authority>.yaml`` adds its cases here; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from oversight.adapters.policy_files import DEFAULT_POLICY_DIR
from oversight.states.directory import StaffDirectory, StaffMember
from oversight.states.events import (
    AgreementReviewed,
    AgreementSigned,
    AssessmentStarted,
    AsyeEnrolled,
    OversightTriggered,
    RelationshipStarted,
    ReviewHeld,
    SessionCancelled,
    SessionPlanned,
    SupervisionHeld,
    TeamActivityHeld,
    TeamActivityStarted,
)
from oversight.states.events.child_supervision import ChildAllocated, ChildSupervisionHeld
from oversight.states.events.registry import DomainEvent
from oversight.states.machines import (
    AsyeJourney,
    ChildAndFamilyAssessment,
    ChildSupervision,
    SupervisionSession,
    SupervisoryRelationship,
)
from oversight.states.machines.oversight import ManagementOversight
from oversight.states.machines.team_activity import TeamCadence
from oversight.states.policy.index import rule_at
from oversight.states.policy.lint import lint, schema_findings
from oversight.states.policy.model import Policy
from oversight.states.values import Step, Task
from tests.unit.conftest import Lifeline

START = date(2026, 1, 5)   # Mon: the team starts
END = date(2027, 1, 4)     # Mon: a year on
LONG_AGO = date(2015, 9, 1)


def policy_files() -> list[Path]:
    return sorted([*DEFAULT_POLICY_DIR.glob("*.yaml"), *DEFAULT_POLICY_DIR.glob("*/*.yaml")])


FILES = policy_files()
IDS = [str(path.relative_to(DEFAULT_POLICY_DIR)) for path in FILES]


def read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# ----- the file itself --------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_the_schema_accepts_every_policy_file(path: Path):
    """No key unknown, none missing, every value of its type."""
    assert schema_findings(read(path)) == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_policy_file_lints_without_errors(path: Path):
    """Warnings are for people to read; an error makes the file unusable."""
    policy = Policy.from_mapping(read(path), source=str(path))
    assert [(f.rule, f.message) for f in lint(policy) if f.severity == "error"] == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_policy_file_names_its_document_and_its_sections(path: Path):
    """The source block: a title, a date, and the sections its citations point into."""
    policy = Policy.from_mapping(read(path), source=str(path))
    assert policy.source.title and policy.source.date and policy.source.sections


# ----- a year of a sample team ------------------------------------------------------------------


class Recorded(Lifeline):
    """A lifeline that keeps every task its steps opened."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened: list[Task] = []

    def _keep(self, step: Step) -> Step:
        self.opened.extend(step.opened)
        return super()._keep(step)


class SampleTeam:
    """The team a policy's rules are exercised on, built from what the policy times."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.members = [
            StaffMember("dcs1", "senior_manager", started=LONG_AGO, qualified=date(1998, 7, 1)),
            StaffMember("hos1", "senior_manager", started=LONG_AGO, line_manager="dcs1",
                        qualified=date(2004, 7, 1)),
            StaffMember("tm1", "manager", started=LONG_AGO, line_manager="hos1",
                        qualified=date(2010, 7, 1)),
            StaffMember("nq1", "asye", started=START, line_manager="tm1",
                        qualified=date(2025, 7, 1)),
        ]
        self.pairs: list[tuple[str, str]] = [("tm1", "nq1")]
        for role, cadence in policy.personal_supervision.roles.items():
            if cadence.every is None or role == "asye":
                continue
            supervisor = {"manager": "hos1", "senior_manager": "dcs1"}.get(role, "tm1")
            line_manager = supervisor
            for prefix, started in (("w", LONG_AGO), ("new", START)):
                if prefix == "new" and not cadence.initially:
                    continue
                ident = f"{prefix}_{role}"
                self.members.append(StaffMember(ident, role, started=started,
                                                line_manager=line_manager,
                                                qualified=date(2012, 7, 1)))
                self.pairs.append((supervisor, ident))
        self.directory = StaffDirectory(self.members)
        self.worker = next((m.id for m in self.members if m.role == "qualified_social_worker"),
                           "nq1")
        self.lines: list[tuple[Recorded, Any]] = []

    def line(self, kind: type, ident: str, first: DomainEvent, meet: Any) -> None:
        line = Recorded(kind, ident, self.policy, self.directory)
        line.begin(first)
        self.lines.append((line, meet))

    def build(self) -> None:
        policy, on = self.policy, START
        for supervisor, supervisee in self.pairs:
            self.line(SupervisoryRelationship, f"{supervisor}:{supervisee}",
                      RelationshipStarted(on=on, supervisor=supervisor, supervisee=supervisee),
                      _relationship_meets(supervisor, supervisee))
        self.line(AsyeJourney, "nq1", AsyeEnrolled(on=on, worker="nq1", supervisor="tm1"),
                  _asye_meets())
        self.line(ChildAndFamilyAssessment, "c_assessed",
                  AssessmentStarted(on=on + timedelta(days=2), child="c_assessed",
                                    worker=self.worker, manager="tm1"), _meets_nothing)
        cases = policy.child_supervision.cases if policy.child_supervision else []
        for case in cases:
            child = f"c_{case.case_type}"
            self.line(ChildSupervision, child,
                      ChildAllocated(on=on, child=child, worker=self.worker, manager="tm1",
                                     case_type=case.case_type),
                      _child_meets(child, self.worker))
        for activity in policy.team_activities:
            owner, lead = {"team": ("t1", "tm1"), "supervisor": ("tm1", None),
                           "staff_member": (self.worker, None),
                           "authority": (policy.authority, "hos1")}[activity.per]
            self.line(TeamCadence, TeamCadence.entity_id(activity.activity, owner),
                      TeamActivityStarted(on=on, activity=activity.activity, owner=owner,
                                          lead=lead),
                      _activity_meets(activity.activity, owner, lead))
        oversight = policy.management_oversight
        for number, trigger in enumerate(oversight.triggers if oversight else []):
            child = f"c_mo{number}"
            self.line(ManagementOversight, child,
                      OversightTriggered(on=on + timedelta(days=number % 5), child=child,
                                         trigger=trigger.trigger, manager="tm1",
                                         worker=self.worker), _meets_nothing)
        if policy.sessions.preparation or policy.sessions.cancellation:
            self.line(SupervisionSession, "s1",
                      SessionPlanned(on=on, session="s1", supervisor="tm1",
                                     supervisee=self.worker, for_date=date(2026, 1, 19)),
                      _meets_nothing)
            self.lines[-1][0].apply(SessionCancelled(on=date(2026, 1, 15), session="s1"))

    def run(self) -> list[Task]:
        """Each line for a year: every obligation the team can meet is met on its due day."""
        for line, meet in self.lines:
            for _ in range(2000):
                due = sorted((date.fromisoformat(t["due"]), key) for key, t in line.tasks.items()
                             if t["state"] == "open" and meet(key, t) is not None)
                due = [(day, key) for day, key in due if day <= END]
                if not due:
                    break
                day, key = due[0]
                line.sweep(day - timedelta(days=1))
                task = line.tasks.get(key)
                if task is not None and task["state"] == "open":
                    line.apply(meet(key, task).model_copy(update={"on": day}))
            line.sweep(END)
        return [task for line, _ in self.lines for task in line.opened]


def _relationship_meets(supervisor: str, supervisee: str) -> Any:
    def meet(key: str, task: dict[str, Any]) -> DomainEvent | None:
        kind = task["type"]
        if kind == "personal_supervision":
            return SupervisionHeld(on=START, supervisor=supervisor, supervisee=supervisee,
                                   minutes=120)
        if kind == "supervision_agreement":
            return AgreementSigned(on=START, supervisor=supervisor, supervisee=supervisee)
        if kind == "agreement_review":
            return AgreementReviewed(on=START, supervisor=supervisor, supervisee=supervisee)
        return None
    return meet


def _asye_meets() -> Any:
    def meet(key: str, task: dict[str, Any]) -> DomainEvent | None:
        if task["type"] == "asye_supervision":
            return SupervisionHeld(on=START, supervisor="tm1", supervisee="nq1", minutes=120)
        if task["type"] == "asye_review":
            return ReviewHeld(on=START, worker="nq1", review=key.partition(":")[2])
        return None
    return meet


def _child_meets(child: str, worker: str) -> Any:
    def meet(key: str, task: dict[str, Any]) -> DomainEvent | None:
        if task["type"] == "child_discussion":
            return ChildSupervisionHeld(on=START, child=child, worker=worker, recorded=True)
        return None
    return meet


def _activity_meets(activity: str, owner: str, lead: str | None) -> Any:
    def meet(key: str, task: dict[str, Any]) -> DomainEvent | None:
        if task["type"] == activity:
            return TeamActivityHeld(on=START, activity=activity, owner=owner, lead=lead)
        return None
    return meet


def _meets_nothing(key: str, task: dict[str, Any]) -> None:
    return None


def allowed_on_a_non_working_day(policy: Policy, task: Task) -> bool:
    """A rule that keeps its dates (``none``), or a count of working days from day 0."""
    if "working day" in task.basis.interval:
        return True
    entry = rule_at(policy, task.rule.rule)
    conventions = {interval.non_working_day or policy.calendar.non_working_day
                   for interval in (entry.intervals.values() if entry else [])}
    return "none" in conventions or (not conventions and
                                     policy.calendar.non_working_day == "none")


def year_of(path: Path) -> Iterator[tuple[Policy, Task]]:
    policy = Policy.from_mapping(read(path), source=str(path))
    team = SampleTeam(policy)
    team.build()
    for task in team.run():
        yield policy, task


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_a_year_of_a_sample_team_runs_and_no_deadline_falls_on_a_non_working_day(path: Path):
    """Every task the year raises is due on a working day of the authority's calendar, unless
    its rule keeps the date; the year raises tasks of every kind the team has."""
    tasks = list(year_of(path))
    assert len(tasks) > 50
    policy = tasks[0][0]
    calendar = policy.working_calendar()
    wrong = sorted({(task.rule.rule, task.due.isoformat(), f"{task.due:%a}", task.basis.explain())
                    for policy, task in tasks
                    if not calendar.is_working_day(task.due)
                    and not allowed_on_a_non_working_day(policy, task)})
    assert wrong == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_team_activity_and_oversight_trigger_of_the_file_raises_its_task(path: Path):
    """An activity or trigger the file adds is exercised here, with no test of its own needed."""
    tasks = list(year_of(path))
    policy = tasks[0][0]
    rules = {task.rule.rule for _, task in tasks}
    expected = {f"team_activities.{a.activity}" for a in policy.team_activities}
    if policy.management_oversight:
        expected |= {f"management_oversight.triggers.{t.trigger}"
                     for t in policy.management_oversight.triggers}
    assert expected - rules == set()
