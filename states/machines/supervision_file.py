"""A supervisee's supervision file: kept by the supervisor, transferred, archived, destroyed."""

from __future__ import annotations

from datetime import date

from oversight.states.errors import EventRejected
from oversight.states.events import (
    DomainEvent,
    RelationshipStarted,
    StaffLeft,
    SupervisionFileArchived,
    SupervisionFileDestroyed,
    SupervisionFileOpened,
    SupervisionFileTransferred,
)
from oversight.states.machines.lifecycle import Lifecycle
from oversight.states.policy.model import Policy
from oversight.states.policy.practice_sections import Retention
from oversight.states.values import RuleRef

_RULE = "retention"


class SupervisionFile(Lifecycle):
    """The retention of one supervisee's supervision file.

    Implements ``retention`` of the policy (hull §3 "Storage and Retention of Supervision
    Records"): a team move transfers the file to the new supervisor; when the supervisee leaves,
    the file is archived with HR within one month of the end of employment, kept seven years
    after employment ended, then destroyed. Leaving opens the archive task; archiving arms the
    ``destruction`` timer and opens the destruction task, both on the date ``destroy_after`` the
    end of employment; the timer moves the file to ``due_for_destruction``.

    open → left → archived → due_for_destruction → destroyed (a transfer keeps it open).
    """

    kind = "supervision_file"
    states = ["open", "left", "archived", "due_for_destruction", "destroyed"]
    initial = "open"
    final_states = frozenset({"destroyed"})
    creates_on = "supervision_file_opened"
    transitions = [
        {"trigger": "transfer", "source": "open", "dest": None},
        {"trigger": "leave", "source": "open", "dest": "left"},
        {"trigger": "archive", "source": "left", "dest": "archived"},
        {"trigger": "reach_destruction_date", "source": "archived", "dest": "due_for_destruction"},
        {"trigger": "destroy", "source": ["archived", "due_for_destruction"], "dest": "destroyed"},
    ]

    @property
    def subject(self) -> str:
        return f"supervisee:{self.data['person']}"

    @classmethod
    def people(cls, data: dict) -> tuple[str, str | None]:
        return data["person"], data["supervisor"]

    @classmethod
    def starts_under(cls, policy: Policy, event: DomainEvent) -> bool:
        """A relationship or a leaving opens a file only where the policy keeps files; the file's
        own events always reach the machine, which refuses them with the reason."""
        # A leaving opens one only there too: elsewhere it ends the leaver's obligations only.
        return policy.retention is not None or not isinstance(event, (RelationshipStarted,
                                                                      StaffLeft))

    # ----- the events ---------------------------------------------------------------------------

    def start(self, event: DomainEvent) -> None:
        """Opened explicitly, by a relationship, or by the first event about a file never opened."""
        retention = self._retention(event)
        if isinstance(event, RelationshipStarted):
            person, supervisor = event.supervisee, event.supervisor
        elif isinstance(event, SupervisionFileOpened):
            person, supervisor = event.person, event.supervisor
        elif isinstance(event, SupervisionFileTransferred):
            person, supervisor = event.person, event.new_supervisor
        else:
            assert isinstance(event, StaffLeft)
            person = event.person
            supervisor = self.directory.line_manager_of(person) or person
        self.data.update(person=person, supervisor=supervisor, opened=event.on.isoformat(),
                         previous_supervisors=[])
        self.record("opened", self._cite_retention(retention))
        if isinstance(event, StaffLeft):
            self.record_leaving(event)

    def record_transfer(self, event: SupervisionFileTransferred) -> None:
        retention = self._retention(event)
        if not retention.transfer_on_move:
            raise EventRejected(str(self.ref), self.state, event.type,
                                "this policy does not transfer the file on a team move")
        if event.new_supervisor == self.data["supervisor"]:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"{event.new_supervisor} already holds the file")
        self.step_to("transfer", self._cite_retention(retention))
        # Kept as the sub-section "Previous Supervision", naming the previous supervisor.
        self.data["previous_supervisors"].append(
            {"supervisor": self.data["supervisor"], "until": event.on.isoformat()})
        self.data["supervisor"] = event.new_supervisor

    def record_leaving(self, event: StaffLeft) -> None:
        retention = self._retention(event)
        rule = self._cite_retention(retention)
        self.step_to("leave", rule)
        self.data["employment_ended"] = event.on.isoformat()
        basis = retention.archive_within.basis(event.on, self.calendar)
        self.open_task("archive", "archive_supervision_file", assignee=self.data["supervisor"],
                       role="supervisor", basis=basis, rule=rule, subject=self.subject)

    def record_archive(self, event: SupervisionFileArchived) -> None:
        retention = self._retention(event)
        rule = self._cite_retention(retention)
        self.step_to("archive", rule)
        self.close_tasks(self.tasks_where(type="archive_supervision_file"))
        ended = date.fromisoformat(self.data["employment_ended"])
        basis = retention.destroy_after.basis(ended, self.calendar)
        custodian = event.custodian or self.data["supervisor"]
        self.data.update(archived=event.on.isoformat(), custodian=custodian,
                         destroy_on=basis.result.isoformat())
        self.arm("destruction", basis.result, rule, basis)
        self.open_task("destroy", "destroy_supervision_file", assignee=custodian, role="custodian",
                       basis=basis, rule=rule, subject=self.subject)

    def record_destruction(self, event: SupervisionFileDestroyed) -> None:
        retention = self._retention(event)
        destroy_on = date.fromisoformat(self.data["destroy_on"]) if "destroy_on" in self.data \
            else None
        if destroy_on is not None and event.on < destroy_on:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"the file is kept until {destroy_on.isoformat()} "
                                f"({self._cite_retention(retention)})")
        self.step_to("destroy", self._cite_retention(retention))
        self.data["destroyed"] = event.on.isoformat()
        self.close_tasks(self.tasks_where(type="destroy_supervision_file"))
        self.disarm("destruction")

    def on_timer(self, name: str) -> None:
        if name == "destruction" and self.may("reach_destruction_date"):
            retention = self.policy.retention
            self.step_to("reach_destruction_date",
                         self._cite_retention(retention) if retention is not None else None)

    # ----- helpers ------------------------------------------------------------------------------

    def _retention(self, event: DomainEvent) -> Retention:
        retention = self.policy.retention
        if retention is None:
            raise EventRejected(str(self.ref), self.state, event.type,
                                "this policy has no retention rules")
        return retention

    def _cite_retention(self, retention: Retention) -> RuleRef:
        return self.cite(_RULE, retention.cite)
