"""A supervisory relationship between one supervisor and one supervisee."""

from __future__ import annotations

from datetime import date

from oversight.states.errors import UnknownEntity
from oversight.states.events import (
    AgreementReviewed,
    AgreementSigned,
    AlternativeSupervisionArranged,
    DomainEvent,
    FinalAssessmentRecorded,
    RelationshipEnded,
    RelationshipStarted,
    SupervisionHeld,
    SupervisorAbsenceStarted,
    SupervisorReturned,
)
from oversight.states.machines.lifecycle import Lifecycle
from oversight.states.machines.returning import ReturnerCadence
from oversight.states.values import Basis, RuleRef

_LIVE = ["agreement_pending", "active", "supervisor_absent", "alternative_arranged"]


class SupervisoryRelationship(ReturnerCadence, Lifecycle):
    """Agreement, personal supervision cadence and supervisor absence for one pair.

    Implements the supervision agreement signed at the start of the relationship and reviewed on
    the policy's interval (surrey §6: at the start, no interval; devon §4: every 12 months;
    sunderland §3.1, six-monthly by the file's note); personal supervision by the supervisee's
    role (surrey §4.1, sunderland §4, systemic §6, devon §4.1, hull §3); supervisor absence
    (surrey §4.3: longer than four weeks, alternative formal supervision within the following
    week; hull §3: over two weeks unplanned, the supervisee reports to the supervisor's line
    manager; sunderland §4.2: after a month, referred to the line manager); supervisor
    eligibility (surrey §4.4).

    agreement pending → active ⇄ supervisor absent → alternative arranged → active … → ended.
    """

    kind = "relationship"
    states = [*_LIVE, "ended"]
    initial = "agreement_pending"
    final_states = frozenset({"ended"})
    creates_on = "relationship_started"
    transitions = [
        {"trigger": "sign_agreement", "source": "agreement_pending", "dest": "active"},
        {"trigger": "begin_without_agreement", "source": "agreement_pending", "dest": "active"},
        {"trigger": "supervisor_leaves", "source": ["agreement_pending", "active"],
         "dest": "supervisor_absent"},
        {"trigger": "arrange_alternative", "source": "supervisor_absent",
         "dest": "alternative_arranged"},
        {"trigger": "supervisor_back", "source": ["supervisor_absent", "alternative_arranged"],
         "dest": "active"},
        {"trigger": "supervisor_back_unsigned",
         "source": ["supervisor_absent", "alternative_arranged"], "dest": "agreement_pending"},
        {"trigger": "end", "source": _LIVE, "dest": "ended"},
        {"trigger": "hold_supervision", "source": _LIVE, "dest": None},
        {"trigger": "note_asye_outcome", "source": _LIVE, "dest": None},
        {"trigger": "note_staff_change", "source": _LIVE, "dest": None},
        {"trigger": "review_agreement", "source": ["active", "supervisor_absent",
                                                   "alternative_arranged"], "dest": None},
    ]

    @property
    def subject(self) -> str:
        return f"supervisee:{self.data['supervisee']}"

    @staticmethod
    def entity_id(supervisor: str, supervisee: str) -> str:
        return f"{supervisor}:{supervisee}"

    @classmethod
    def people(cls, data: dict) -> tuple[str, str | None]:
        return data["supervisee"], data["supervisor"]

    def start(self, event: DomainEvent) -> None:
        assert isinstance(event, RelationshipStarted)
        supervisee = self.directory.member(event.supervisee)
        if supervisee is None:
            raise UnknownEntity(f"no staff member '{event.supervisee}'; import staff first")
        rules = self.policy.relationship
        self.data.update(supervisor=event.supervisor, supervisee=event.supervisee,
                         role=supervisee.role, started=event.on.isoformat(), signed=False, seq=0)
        agreement = rules.agreement
        self._check_eligibility(event)
        self._open_next_supervision(event.on)
        self._open_induction_review(event.on)
        if agreement is None:
            # No agreement to wait for: the relationship is active from its first day.
            self.data["signed"] = True
            self.step_to("begin_without_agreement")
            return
        self.open_task("agreement", "supervision_agreement", assignee=event.supervisor,
                       role="supervisor",
                       basis=agreement.sign_within.basis(event.on, self.calendar),
                       rule=self.cite("relationship.agreement", agreement.cite),
                       subject=self.subject)
        self.record("relationship started", self._agreement_rule())

    def record_signature(self, event: AgreementSigned) -> None:
        self.step_to("sign_agreement", self._agreement_rule())
        self.data["signed"] = True
        self.close_tasks(["agreement"])
        self._open_agreement_review(event.on)

    def record_review(self, event: AgreementReviewed) -> None:
        self.step_to("review_agreement", self._agreement_rule())
        self.close_tasks(self.tasks_where(type="agreement_review"))
        self._open_agreement_review(event.on)

    def record_supervision(self, event: SupervisionHeld) -> None:
        cadence = self.policy.cadence_for(self.data["role"])
        rule = self.cite(f"personal_supervision.roles.{self.data['role']}", cadence.cite) \
            if cadence else None
        self.step_to("hold_supervision", rule)
        self.close_tasks(self.tasks_where(type="personal_supervision"))
        ends = self.data.get("induction_ends")
        if ends is not None and event.on >= date.fromisoformat(ends):
            # Devon §4.1: the level of supervision is reviewed in the first session after.
            self.close_tasks(self.tasks_where(type="induction_review"))
        self._open_next_supervision(event.on)

    def record_absence(self, event: SupervisorAbsenceStarted) -> None:
        absence = self.policy.relationship.supervisor_absence
        self.step_to("supervisor_leaves", self._absence_rule())
        self.data["absence"] = {"on": event.on.isoformat(), "planned": event.planned}
        if absence is None:
            self.note("this policy sets no time limit on a supervisor's absence")
            return
        rule = self.cite("relationship.supervisor_absence", absence.cite)
        if absence.applies_to == "unplanned" and event.planned:
            self.note("planned absence: this policy's absence rule applies to unplanned leave only")
            return
        # Not a deadline: the response it starts is (respond_within, moved off a non-working day).
        basis = absence.threshold.span(event.on, self.calendar)
        self.arm("absence_threshold", basis.result, rule, basis)

    def record_alternative(self, event: AlternativeSupervisionArranged) -> None:
        self.step_to("arrange_alternative", self._absence_rule())
        self.close_tasks(self.tasks_where(type="alternative_supervision"))
        self.disarm("absence_threshold")  # arranged before the threshold: nothing left to raise
        if event.arranged_with:
            self.data["alternative_supervisor"] = event.arranged_with

    def record_return(self, event: SupervisorReturned) -> None:
        self.step_to("supervisor_back" if self.data["signed"] else "supervisor_back_unsigned",
                     self._absence_rule())
        self.data.pop("absence", None)
        self.data.pop("alternative_supervisor", None)
        self.disarm("absence_threshold")
        # Breached or escalated too: once the supervisor is back nothing can fulfil them.
        self.withdraw_tasks(self.tasks_where(type="alternative_supervision"))

    def record_asye_outcome(self, event: FinalAssessmentRecorded) -> None:
        """A passed ASYE makes the supervisee a qualified social worker, on that cadence from
        now."""
        self.step_to("note_asye_outcome", self.cite("asye.final", self.policy.asye.final.cite))
        if event.outcome != "passed" or self.data["role"] != "asye":
            return
        self.data["role"] = "qualified_social_worker"
        self.withdraw_tasks(self.tasks_where(type="personal_supervision"))
        self._open_next_supervision(event.on)

    def record_end(self, event: RelationshipEnded) -> None:
        self.data["ended"] = {"on": event.on.isoformat(), "reason": event.reason}
        self.step_to("end")
        self.withdraw_tasks(list(self.data["tasks"]))
        self.disarm("absence_threshold")

    def on_timer(self, name: str) -> None:
        if name != "absence_threshold" or self.state != "supervisor_absent":
            return
        if self.tasks_where(type="alternative_supervision"):
            return  # already opened for this absence: firing again changes nothing
        absence = self.policy.relationship.supervisor_absence
        if absence is None:
            return
        rule = self.cite("relationship.supervisor_absence", absence.cite)
        supervisor, supervisee = self.data["supervisor"], self.data["supervisee"]
        if absence.response == "arrange_alternative_supervision":
            assignee = self.directory.line_manager_of(supervisor) or supervisor
            role = "line_manager"
        else:
            # Hull §3 and Sunderland (its agreement template): the supervisee takes it to the
            # line manager.
            assignee, role = supervisee, "supervisee"
        # Counted from the day the threshold passed (never rolled: not a deadline), not from
        # the sweep that noticed it: the absence's one roll is the response's.
        passed = absence.threshold.after(date.fromisoformat(self.data["absence"]["on"]),
                                         self.calendar)
        self.data["seq"] += 1
        self.open_task(f"alternative:{self.data['seq']}", "alternative_supervision",
                       assignee=assignee, role=role,
                       basis=absence.respond_within.basis(passed, self.calendar),
                       rule=rule, subject=self.subject)
        self.record("absence passed its threshold", rule)

    def _open_next_supervision(self, held_on: date) -> None:
        cadence = self.policy.cadence_for(self.data["role"])
        if cadence is None or cadence.every is None:
            # An ASYE's cadence is kept by the AsyeJourney; a role the policy omits has none.
            return
        interval = cadence.every
        member = self.directory.member(self.data["supervisee"])
        if member is not None:
            # The closer interval of an early phase (devon §4.1, hull §3) while its end, counted
            # from the supervisee's start (or the change of role, the return), has not passed
            # on the day of the last session.
            began = date.fromisoformat(self.data["phase_from"]) if self.data.get("phase_from") \
                else member.started
            for phase in cadence.initially:
                if held_on < phase.until.after(began, self.calendar):
                    interval = phase.every
                    break
        self.data["seq"] += 1
        self.open_task(f"supervision:{self.data['seq']}", "personal_supervision",
                       assignee=self.data["supervisor"], role="supervisor",
                       basis=interval.basis(held_on, self.calendar),
                       rule=self.cite(f"personal_supervision.roles.{self.data['role']}",
                                      cadence.cite),
                       subject=self.subject)

    def _open_induction_review(self, started_on: date) -> None:
        """Devon §4.1: a newcomer's supervision reviewed when the first weeks in post end."""
        review = self.policy.personal_supervision.induction_review
        cadence = self.policy.cadence_for(self.data["role"])
        member = self.directory.member(self.data["supervisee"])
        if review is None or cadence is None or cadence.every is None or member is None:
            return
        ends = review.after.after(member.started, self.calendar)
        if ends < started_on:
            return  # long in post: the first weeks are over
        self.data["induction_ends"] = ends.isoformat()
        self.open_task("induction_review", "induction_review", assignee=self.data["supervisor"],
                       role="supervisor", basis=review.within.basis(ends, self.calendar),
                       rule=self.cite("personal_supervision.induction_review", review.cite),
                       subject=self.subject)

    def _agreement_rule(self) -> RuleRef | None:
        agreement = self.policy.relationship.agreement
        return self.cite("relationship.agreement", agreement.cite) if agreement else None

    def _absence_rule(self) -> RuleRef | None:
        absence = self.policy.relationship.supervisor_absence
        return self.cite("relationship.supervisor_absence", absence.cite) if absence else None

    def _open_agreement_review(self, signed_on: date) -> None:
        agreement = self.policy.relationship.agreement
        if agreement is None or agreement.review_every is None:
            return
        self.data["seq"] += 1
        self.open_task(f"agreement_review:{self.data['seq']}", "agreement_review",
                       assignee=self.data["supervisor"], role="supervisor",
                       basis=agreement.review_every.basis(signed_on, self.calendar),
                       rule=self.cite("relationship.agreement", agreement.cite),
                       subject=self.subject)

    def _check_eligibility(self, event: RelationshipStarted) -> None:
        rule_data = self.policy.relationship.supervisor_eligibility
        supervisor = self.directory.member(event.supervisor)
        if rule_data is None or supervisor is None:
            return
        rule: RuleRef = self.cite("relationship.supervisor_eligibility", rule_data.cite)
        if supervisor.qualified is None:
            # Not a pass: the check cannot be made until the staff record has the date.
            self.open_task("eligibility_unknown", "supervisor_qualified_date_missing",
                           assignee=(self.directory.line_manager_of(event.supervisor)
                                     or event.supervisor),
                           role="line_manager", basis=Basis(event.on, "at the start", event.on),
                           rule=rule, subject=self.subject)
            self.note(f"{event.supervisor} has no qualified date: the "
                      f"{rule_data.post_qualification.describe()} after qualifying cannot be "
                      f"checked until the staff record gives it")
            return
        eligible_from = rule_data.post_qualification.after(supervisor.qualified, self.calendar)
        if eligible_from <= event.on:
            return
        self.open_task("eligibility", "supervisor_eligibility",
                       assignee=(self.directory.line_manager_of(event.supervisor)
                                 or event.supervisor),
                       role="line_manager", basis=Basis(event.on, "at the start", event.on),
                       rule=rule, subject=self.subject)
        self.note(f"supervisor qualified {supervisor.qualified.isoformat()}: eligible from "
                  f"{eligible_from.isoformat()}")
