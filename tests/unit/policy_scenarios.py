"""Drivers shared by the per-authority policy tests (``test_policy_<authority>.py``).

Every scenario runs under the authority's own file in config/policies, with one staff chain:
dcs1 (senior manager) above hos1 (head of service) above tm1 (team manager, the supervisor),
and the supervisee ``sw`` in whatever role the test needs. Dates are 2026 unless said.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from oversight.adapters.policy_files import DEFAULT_POLICY_DIR, load_policy
from oversight.states.directory import StaffDirectory, StaffMember
from oversight.states.events import (
    AssessmentStarted,
    AsyeEnrolled,
    RelationshipStarted,
    SupervisionHeld,
    SupervisorAbsenceStarted,
)
from oversight.states.machines import AsyeJourney, ChildAndFamilyAssessment, SupervisoryRelationship
from oversight.states.values import Task

POLICIES = tuple(sorted(path.stem for path in DEFAULT_POLICY_DIR.glob("*.yaml")))
"""Every shipped policy file, whatever they are: a new authority needs no change here."""

STARTED = date(2026, 3, 2)          # Mon: the relationship starts
ESTABLISHED = date(2021, 9, 1)      # a supervisee long in post
ENROLLED = date(2026, 1, 5)         # Mon: an ASYE starts
ASSESSED = date(2026, 3, 25)        # Wed: DOMAIN.md's worked C&F example
AWAY = date(2026, 4, 13)            # Mon: the supervisor's absence starts


def supervisee(role: str, started: date = ESTABLISHED,
               qualified: date | None = None) -> StaffMember:
    return StaffMember("sw", role, started=started, line_manager="tm1", qualified=qualified)


def supervisor(qualified: date = date(2012, 7, 1)) -> StaffMember:
    return StaffMember("tm1", "manager", started=date(2018, 4, 3), line_manager="hos1",
                       qualified=qualified)


def directory(*members: StaffMember) -> StaffDirectory:
    """dcs1 > hos1 > tm1, plus the members given (which may replace tm1)."""
    by_id = {m.id: m for m in (
        StaffMember("dcs1", "senior_manager", started=date(2010, 1, 4), qualified=date(1998, 7, 1)),
        StaffMember("hos1", "senior_manager", started=date(2012, 9, 3), line_manager="dcs1",
                    qualified=date(2004, 7, 1)),
        supervisor(),
    )}
    by_id.update({m.id: m for m in members})
    return StaffDirectory(by_id)


def relationship(lifeline, authority: str, member: StaffMember, on: date = STARTED,
                 others: tuple[StaffMember, ...] = ()):
    """tm1 starts supervising ``member`` on ``on`` under the authority's policy."""
    line = lifeline(SupervisoryRelationship, "tm1:sw", policy=load_policy(authority),
                    directory=directory(member, *others))
    line.begin(RelationshipStarted(on=on, supervisor="tm1", supervisee="sw"))
    return line


def held(on: date) -> SupervisionHeld:
    return SupervisionHeld(on=on, supervisor="tm1", supervisee="sw", minutes=90)


def away(on: date = AWAY, planned: bool = False) -> SupervisorAbsenceStarted:
    return SupervisorAbsenceStarted(on=on, supervisor="tm1", planned=planned)


def only(step, type_: str) -> Task:
    """The one task of ``type_`` the step opened."""
    [task] = [t for t in step.opened if t.type == type_]
    return task


def session_after(line, held_on: date) -> Task:
    """Hold a personal supervision session; the next one the machine opens."""
    return only(line.apply(held(held_on)), "personal_supervision")


def asye(lifeline, authority: str, on: date = ENROLLED):
    """sw's ASYE, enrolled on ``on`` with tm1 as supervisor."""
    line = lifeline(AsyeJourney, "sw", policy=load_policy(authority),
                    directory=directory(supervisee("asye", started=on)))
    line.begin(AsyeEnrolled(on=on, worker="sw", supervisor="tm1"))
    return line


def asye_session_after(line, held_on: date) -> Task:
    return only(line.apply(held(held_on)), "asye_supervision")


def assessment(lifeline, authority: str, on: date = ASSESSED):
    """A C&F of child c1, allocated to sw under tm1."""
    line = lifeline(ChildAndFamilyAssessment, "c1", policy=load_policy(authority),
                    directory=directory(supervisee("qualified_social_worker")))
    line.begin(AssessmentStarted(on=on, child="c1", worker="sw", manager="tm1"))
    return line


def opened(step) -> dict[str, tuple[Any, ...]]:
    return {t.key: (t.type, t.assignee, t.assignee_role, t.due) for t in step.opened}


def dues(line) -> dict[str, date]:
    """Due dates of the tasks the entity still holds, by key."""
    return {key: date.fromisoformat(task["due"]) for key, task in line.tasks.items()}
