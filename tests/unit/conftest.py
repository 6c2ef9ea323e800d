"""Fixtures of the domain's unit tests: the Surrey policy, a small team, a fake timer store.

No Prefect, no database, no files other than the policy YAML: a machine step is a pure function
of the loaded state, the event or timer, and the policy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import yaml

from oversight.adapters.policy_files import DEFAULT_POLICY_DIR, load_policy
from oversight.states.directory import StaffDirectory, StaffMember
from oversight.states.events.registry import DomainEvent
from oversight.states.machines.lifecycle import Lifecycle
from oversight.states.policy.model import Policy
from oversight.states.values import Step, Timer


def team_members() -> list[StaffMember]:
    """Head of service hos1 above team manager tm1, who manages sw1 (ASYE) and sw2 (qualified)."""
    return [
        StaffMember("hos1", "senior_manager", started=date(2012, 9, 3), qualified=date(2004, 7, 1)),
        StaffMember("tm1", "manager", started=date(2018, 4, 3), line_manager="hos1",
                    qualified=date(2012, 7, 1)),
        StaffMember("sw1", "asye", started=date(2026, 1, 5), line_manager="tm1",
                    qualified=date(2025, 7, 1)),
        StaffMember("sw2", "qualified_social_worker", started=date(2021, 9, 1),
                    line_manager="tm1", qualified=date(2020, 7, 1)),
    ]


@pytest.fixture(scope="session")
def surrey() -> Policy:
    """Surrey's policy as the product loads it."""
    return load_policy("surrey")


@pytest.fixture
def surrey_mapping() -> dict[str, Any]:
    """The parsed surrey.yaml, a fresh copy each test may edit."""
    return yaml.safe_load((DEFAULT_POLICY_DIR / "surrey.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def team() -> StaffDirectory:
    """The small team every machine test works with."""
    return StaffDirectory(team_members())


@pytest.fixture
def team_with() -> Callable[..., StaffDirectory]:
    """A factory: the team with some members added or replaced, ``team_with(StaffMember(...))``."""

    def make(*members: StaffMember) -> StaffDirectory:
        by_id = {m.id: m for m in team_members()}
        by_id.update({m.id: m for m in members})
        return StaffDirectory(by_id)

    return make


class Lifeline:
    """One entity carried from step to step as the store would carry it.

    Each step reloads the machine from the previous step's state and data; the timers the
    steps arm and disarm are kept in ``armed``, as the timer table would keep them.
    """

    def __init__(self, kind: type[Lifecycle], entity_id: str, policy: Policy,
                 directory: StaffDirectory):
        self.kind, self.entity_id = kind, entity_id
        self.policy, self.directory = policy, directory
        self.step: Step | None = None
        self.armed: dict[str, Timer] = {}

    @property
    def state(self) -> str:
        assert self.step is not None
        return self.step.state

    @property
    def data(self) -> dict[str, Any]:
        assert self.step is not None
        return self.step.data

    @property
    def tasks(self) -> dict[str, dict[str, Any]]:
        """The tasks the entity still holds (open, breached or escalated), by key."""
        return self.data["tasks"]

    def load(self) -> Lifecycle:
        """The machine as the store would load it before the next step."""
        assert self.step is not None
        return self.kind(self.entity_id, policy=self.policy, directory=self.directory,
                         state=self.step.state, data=copy.deepcopy(self.step.data))

    def begin(self, event: DomainEvent) -> Step:
        return self._keep(self.kind.begin(self.entity_id, event, policy=self.policy,
                                          directory=self.directory))

    def apply(self, event: DomainEvent) -> Step:
        return self._keep(self.load().apply(event))

    def fire(self, name: str, on: date | None = None) -> Step:
        """Fire one timer, on its own date unless ``on`` is given; it is used up by firing."""
        timer = self.armed.pop(name, None)
        when = on if on is not None else timer.fires_on if timer else None
        assert when is not None, f"timer {name} is not armed: give the date"
        return self._keep(self.load().fire(name, when))

    def sweep(self, until: date) -> list[Step]:
        """Fire every armed timer due on or before ``until``, earliest first, as the sweep does."""
        steps = []
        while True:
            due = sorted((t.fires_on, t.name) for t in self.armed.values() if t.fires_on <= until)
            if not due:
                return steps
            steps.append(self.fire(due[0][1]))

    def _keep(self, step: Step) -> Step:
        for name in step.disarm:
            self.armed.pop(name, None)
        for timer in step.arm:
            self.armed[timer.name] = timer
        self.step = step
        return step


@pytest.fixture
def lifeline(surrey: Policy, team: StaffDirectory) -> Callable[..., Lifeline]:
    """A factory: ``lifeline(ChildAndFamilyAssessment, "c1")``, Surrey and the team by default."""

    def make(kind: type[Lifecycle], entity_id: str, *, policy: Policy | None = None,
             directory: StaffDirectory | None = None) -> Lifeline:
        return Lifeline(kind, entity_id, policy or surrey, directory or team)

    return make

