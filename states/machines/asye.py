"""A newly qualified social worker's Assessed and Supported Year in Employment."""

from __future__ import annotations

from datetime import date, timedelta

from oversight.states.errors import EventRejected
from oversight.states.events import (
    AsyeEnrolled,
    AsyeEvidenceRecorded,
    AsyePaused,
    AsyeResumed,
    DomainEvent,
    FinalAssessmentRecorded,
    ReviewHeld,
    SupervisionHeld,
)
from oversight.states.machines.asye_dates import counted_so_far
from oversight.states.machines.lifecycle import TASK_TIMER, Lifecycle
from oversight.states.policy.model import AsyePhase
from oversight.states.policy.rules import shifted
from oversight.states.values import Basis, RuleRef, rule_from_dict
from oversight.states.views.portfolio import missing_evidence

PHASES = ["weekly", "fortnightly", "monthly"]
_ACTIVE = PHASES + ["extended"]


def _forward_moves() -> list[dict]:
    moves = []
    for index, phase in enumerate(PHASES):
        moves.append({"trigger": f"enter_{phase}", "source": ["enrolled"] + PHASES[:index],
                      "dest": phase})
    return moves


class AsyeJourney(Lifecycle):
    """One ASYE from enrolment to the final assessment.

    Implements the ASYE supervision schedule of the authority's policy (surrey §4.1: weekly for
    3 months, fortnightly for the next six, 4-weekly after; sunderland §4.1, systemic §6,
    devon §5.2 and hull §3: weekly for 6 weeks, fortnightly to 6 months, monthly after) and the
    review points of the national ASYE framework (3 and 6 months, final assessment at 12).

    enrolled → weekly → fortnightly → monthly at the policy's boundaries; each session held
    opens the next one, due one interval after it, the interval in force on the day it was held.
    A pause (long absence) moves every later date by its length. The final assessment ends the
    journey as passed or failed, or extends it to a new date; it is refused as passed while the
    portfolio lacks the evidence the national framework asks for (``policy.asye.evidence``).

    The journey's data keeps what progress reports need: the sessions held (``sessions``), the
    reviews held (``reviews``), the pauses (``pauses``), the evidence (``evidence``) and the
    outcome (``outcome``, with any ``extensions``).
    """

    kind = "asye"
    states = ["enrolled", *PHASES, "paused", "extended", "passed", "failed"]
    initial = "enrolled"
    final_states = frozenset({"passed", "failed"})
    creates_on = "asye_enrolled"
    transitions = [
        *_forward_moves(),
        {"trigger": "pause", "source": _ACTIVE, "dest": "paused"},
        *({"trigger": f"resume_{s}", "source": "paused", "dest": s} for s in _ACTIVE),
        {"trigger": "extend", "source": _ACTIVE, "dest": "extended"},
        {"trigger": "pass_final", "source": _ACTIVE, "dest": "passed"},
        {"trigger": "fail_final", "source": _ACTIVE, "dest": "failed"},
        {"trigger": "hold_supervision", "source": _ACTIVE, "dest": None},
        {"trigger": "hold_review", "source": _ACTIVE, "dest": None},
        {"trigger": "add_evidence", "source": [*_ACTIVE, "paused"], "dest": None},
    ]

    @property
    def subject(self) -> str:
        return f"worker:{self.data['worker']}"

    def phase_starts(self) -> dict[str, date]:
        return {name: date.fromisoformat(d) for name, d in self.data["phase_starts"].items()}

    def phase_on(self, day: date) -> AsyePhase:
        """The phase in force on ``day`` (pauses already moved the boundaries)."""
        starts = self.phase_starts()
        current = self.policy.asye.phases[0]
        for phase in self.policy.asye.phases:
            if starts[phase.phase] <= day:
                current = phase
        return current

    @classmethod
    def people(cls, data: dict) -> tuple[str, str | None]:
        return data["worker"], data["supervisor"]

    def start(self, event: DomainEvent) -> None:
        assert isinstance(event, AsyeEnrolled)
        asye = self.policy.asye
        self.data.update(worker=event.worker, supervisor=event.supervisor,
                         started=event.on.isoformat(), shifted=0, seq=0, sessions=[],
                         reviews={}, pauses=[], evidence=[])
        starts, boundary = {}, event.on
        for phase in asye.phases:
            starts[phase.phase] = boundary.isoformat()
            if phase.until is not None:
                boundary = phase.until.after(event.on, self.calendar)
        self.data["phase_starts"] = starts
        for phase in asye.phases[1:]:
            begins = date.fromisoformat(starts[phase.phase])
            self.arm(f"phase:{phase.phase}", begins, self._phase_rule(phase),
                     Basis(event.on, self._until_of(phase), begins))
        for review in asye.reviews:
            self.open_task(f"review:{review.review}", "asye_review", assignee=event.supervisor,
                           role="supervisor", basis=review.at.basis(event.on, self.calendar),
                           rule=self.cite(f"asye.reviews.{review.review}", review.cite),
                           subject=self.subject)
        self._open_final(asye.final.at.basis(event.on, self.calendar))
        self._open_next_supervision(event.on)
        self.step_to(f"enter_{asye.phases[0].phase}", self._phase_rule(asye.phases[0]))

    def record_supervision(self, event: SupervisionHeld) -> None:
        if event.supervisee != self.data["worker"]:
            raise EventRejected(str(self.ref), self.state, event.type,
                                "another supervisee's session")
        self.step_to("hold_supervision", self._phase_rule(self.phase_on(event.on)))
        self.data.setdefault("sessions", []).append(event.on.isoformat())
        self.close_tasks(self.tasks_where(type="asye_supervision"))
        self._open_next_supervision(event.on)

    def record_review(self, event: ReviewHeld) -> None:
        key = f"review:{event.review}"
        names = [r.review for r in self.policy.asye.reviews]
        if event.review not in names:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"unknown review '{event.review}'; this policy has "
                                f"{', '.join(names)}")
        review = next(r for r in self.policy.asye.reviews if r.review == event.review)
        self.step_to("hold_review", self.cite(f"asye.reviews.{review.review}", review.cite))
        self.data.setdefault("reviews", {}).setdefault(event.review, event.on.isoformat())
        self.close_tasks([key])

    def record_pause(self, event: AsyePaused) -> None:
        self.data["paused"] = {"on": event.on.isoformat(), "from": self.state}
        self.step_to("pause", self._final_rule())
        # Nothing falls due while the worker is away: every timer waits for the resumption.
        for phase in self.policy.asye.phases[1:]:
            self.disarm(f"phase:{phase.phase}")
        for key, task in self.data["tasks"].items():
            if task["state"] == "open":
                self.disarm(TASK_TIMER + key)

    def record_resume(self, event: AsyeResumed) -> None:
        if self.state != "paused":
            raise EventRejected(str(self.ref), self.state, event.type, "the journey is not paused")
        paused = self.data.pop("paused")
        paused_on = date.fromisoformat(paused["on"])
        shift = (event.on - paused_on).days
        self.data["shifted"] += shift
        self.data.setdefault("pauses", []).append(
            {"on": paused_on.isoformat(), "resumed": event.on.isoformat(), "days": shift})
        starts = self.phase_starts()
        for phase in self.policy.asye.phases[1:]:
            begins = starts[phase.phase]
            if begins > paused_on:
                begins += timedelta(days=shift)
                self.data["phase_starts"][phase.phase] = begins.isoformat()
                # A phase's start is not a deadline: shifted, never rolled.
                counted = self._unpaused_start(phase)
                self.arm(f"phase:{phase.phase}", begins, self._phase_rule(phase),
                         Basis(self.started, self._until_of(phase), begins,
                               shifted_days=(begins - counted).days))
        explained: list[tuple[str, RuleRef]] = []
        for key, task in list(self.data["tasks"].items()):
            if task["state"] != "open":
                continue
            if date.fromisoformat(task["due"]) < paused_on:
                # Due before the pause and not yet breached: it keeps its date and its timer.
                self.arm(TASK_TIMER + key, date.fromisoformat(task["due"]) + timedelta(days=1),
                         rule_from_dict(task["rule"]))
                continue
            # Shifts first, one roll last: the pause goes onto the counted date (with the
            # pauses before it), and only the result moves off a non-working day.
            current, convention = counted_so_far(self.policy.asye, self.calendar, self.data,
                                                 key, self.phase_on)
            moved = shifted(current, shift, self.calendar, convention)
            task["shifted"] = task.get("shifted", 0) + shift
            self.reschedule_task(key, moved.result, moved)
            explained.append((f"{key} moved for the pause: {moved.explain()}",
                              rule_from_dict(task["rule"])))
        resume_to = paused["from"]
        # A boundary that passed while away is crossed now, on resumption.
        phase_now = self.phase_on(event.on).phase
        if resume_to in PHASES and PHASES.index(phase_now) > PHASES.index(resume_to):
            resume_to = phase_now
        self.step_to(f"resume_{resume_to}", self._final_rule())
        for line, rule in explained:  # the history shows each date's arithmetic, in its order
            self.record(line, rule)

    def record_evidence(self, event: AsyeEvidenceRecorded) -> None:
        requirement = self.policy.asye.evidence
        if event.at is not None and event.at not in requirement.critical_reflections:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"no critical reflection '{event.at}'; this policy asks for "
                                f"{', '.join(requirement.critical_reflections)}")
        self.step_to("add_evidence", self.cite("asye.evidence", requirement.cite))
        self.data.setdefault("evidence", []).append(
            {"kind": event.kind, "on": event.on.isoformat(), "at": event.at})

    def record_final(self, event: FinalAssessmentRecorded) -> None:
        rule = self._final_rule()
        if event.outcome == "passed":
            missing = missing_evidence(self.policy.asye.evidence, self.data.get("evidence", []))
            if missing:
                raise EventRejected(str(self.ref), self.state, event.type,
                                    "the portfolio is short of evidence: " + "; ".join(missing))
        if event.outcome == "extended":
            if event.extended_to is None or event.extended_to <= event.on:
                raise EventRejected(str(self.ref), self.state, event.type,
                                    "an extension needs 'extended_to', a date after the decision")
            self.step_to("extend", rule)
            self.data.setdefault("extensions", []).append(
                {"on": event.on.isoformat(), "to": event.extended_to.isoformat()})
            self.close_tasks(self.tasks_where(type="asye_final_assessment"))
            self._open_final(Basis(event.on, "extension to the date decided", event.extended_to))
            return
        self.step_to("pass_final" if event.outcome == "passed" else "fail_final", rule)
        self.data["outcome"] = {"outcome": event.outcome, "on": event.on.isoformat()}
        self.close_tasks(self.tasks_where(type="asye_final_assessment"))
        self.withdraw_tasks(list(self.data["tasks"]))
        for phase in self.policy.asye.phases[1:]:
            self.disarm(f"phase:{phase.phase}")

    def on_timer(self, name: str) -> None:
        phase_name = name.partition(":")[2]
        if name.startswith("phase:") and self.may(f"enter_{phase_name}"):
            phase = next(p for p in self.policy.asye.phases if p.phase == phase_name)
            self.step_to(f"enter_{phase_name}", self._phase_rule(phase))

    def _open_next_supervision(self, held_on: date) -> None:
        phase = self.phase_on(held_on)
        self.data["seq"] += 1
        self.open_task(f"supervision:{self.data['seq']}", "asye_supervision",
                       assignee=self.data["supervisor"], role="supervisor",
                       basis=phase.every.basis(held_on, self.calendar),
                       rule=self._phase_rule(phase), subject=self.subject)

    def _open_final(self, basis: Basis) -> None:
        self.data["seq"] += 1
        self.open_task(f"final:{self.data['seq']}", "asye_final_assessment",
                       assignee=self.data["supervisor"], role="assessor", basis=basis,
                       rule=self._final_rule(), subject=self.subject)

    @property
    def started(self) -> date:
        return date.fromisoformat(self.data["started"])

    def _unpaused_start(self, phase: AsyePhase) -> date:
        """Where ``phase`` starts by the schedule alone, before any pause moved it."""
        index = self.policy.asye.phases.index(phase)
        until = self.policy.asye.phases[index - 1].until
        assert until is not None, "only the last phase runs on without an end"
        return until.after(self.started, self.calendar)

    def _phase_rule(self, phase: AsyePhase):
        return self.cite(f"asye.phases.{phase.phase}", phase.cite)

    def _final_rule(self):
        return self.cite("asye.final", self.policy.asye.final.cite)

    def _until_of(self, phase: AsyePhase) -> str:
        index = self.policy.asye.phases.index(phase)
        until = self.policy.asye.phases[index - 1].until
        return until.describe() if until else ""
