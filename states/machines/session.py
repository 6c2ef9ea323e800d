"""One personal supervision session, from the day it is planned to its signed record."""

from __future__ import annotations

from datetime import date, timedelta

from oversight.states.calendar import WorkingCalendar, months_after
from oversight.states.errors import EventRejected
from oversight.states.events import (
    DomainEvent,
    ReturnedToWork,
    SessionCancelled,
    SessionPlanned,
    SessionPrepared,
    SessionRecorded,
    SessionRescheduled,
    SessionSigned,
    SupervisionHeld,
    SupervisorReturned,
)
from oversight.states.machines.lifecycle import Lifecycle
from oversight.states.policy.model import Policy
from oversight.states.policy.rules import Interval, deadline
from oversight.states.values import Basis, RuleRef

_BOOKED = ["planned", "rescheduled"]


class SupervisionSession(Lifecycle):
    """A session's preparation, its cancellation and rescheduling, its length and its record.

    Implements the ``sessions`` section of the policy: ``recording`` (systemic §6: recorded within
    5 working days; hull §3: within 5 working days and signed by both), ``cancellation`` (hull §3:
    rescheduled to take place within 5 working days, or within 5 days of the return to work when
    cancelled for sickness), ``length`` (sunderland §3.2: at least 90 minutes, by the file's
    note; hull §3: one to two hours; a shorter session is flagged against the rule) and
    ``preparation`` (surrey §4.3: the workbook summary finalised 2–4 days before the session, a
    deadline counted backwards from the planned date).

    planned → held → recorded → signed; planned → cancelled → rescheduled, which is a session
    planned again (held, moved, or cancelled again like any planned one).
    """

    kind = "session"
    states = ["planned", "cancelled", "rescheduled", "held", "recorded", "signed"]
    initial = "planned"
    final_states = frozenset({"signed"})
    creates_on = "session_planned"
    transitions = [
        {"trigger": "hold", "source": _BOOKED, "dest": "held"},
        {"trigger": "cancel", "source": _BOOKED, "dest": "cancelled"},
        {"trigger": "reschedule", "source": "cancelled", "dest": "rescheduled"},
        {"trigger": "record_session", "source": "held", "dest": "recorded"},
        {"trigger": "sign", "source": "recorded", "dest": "signed"},
        {"trigger": "countersign", "source": "recorded", "dest": None},
        {"trigger": "move", "source": _BOOKED, "dest": None},
        {"trigger": "prepare", "source": _BOOKED, "dest": None},
        {"trigger": "note_return", "source": "cancelled", "dest": None},
    ]

    @property
    def subject(self) -> str:
        return f"supervisee:{self.data['supervisee']}"

    @staticmethod
    def unplanned_id(supervisor: str, supervisee: str, on: date) -> str:
        """The id of a session recorded as held without being planned first."""
        return f"{supervisor}:{supervisee}:{on.isoformat()}"

    @classmethod
    def people(cls, data: dict) -> tuple[str, str | None]:
        return data["supervisee"], data["supervisor"]

    @classmethod
    def starts_under(cls, policy: Policy, event: DomainEvent) -> bool:
        """An unplanned session is kept when the policy times its record, or to flag it short."""
        if isinstance(event, SessionCancelled):  # the next session due, never planned
            return policy.sessions.cancellation is not None
        if not isinstance(event, SupervisionHeld):
            return True
        rules = policy.sessions
        short = rules.length is not None and event.minutes is not None \
            and event.minutes < rules.length.minimum_minutes
        return rules.recording is not None or short

    # ----- the events ---------------------------------------------------------------------------

    def start(self, event: DomainEvent) -> None:
        rules = self.policy.sessions
        if not (rules.recording or rules.cancellation or rules.length or rules.preparation):
            raise EventRejected(str(self.ref), self.state, event.type,
                                "this policy has no session rules (sessions.recording, "
                                "cancellation, length or preparation)")
        assert isinstance(event, (SessionPlanned, SupervisionHeld, SessionCancelled))
        self.data.update(supervisor=event.supervisor, supervisee=event.supervisee, seq=0,
                         prepared=False, signatures=[], awaiting_return=None)
        if isinstance(event, SessionCancelled):  # the pair's next session: due that day
            self.data.update(for_date=event.on.isoformat(), planned=None)
            self.record_cancellation(event)
            return
        if isinstance(event, SupervisionHeld):
            self.data.update(for_date=event.on.isoformat(), planned=None)
            self.record("held without being planned")
            self.record_held(event)
            return
        self.data.update(for_date=event.for_date.isoformat(), planned=event.on.isoformat(),
                         preparation=event.preparation)
        self.record(f"planned for {event.for_date.isoformat()}", self._any_rule())
        self._open_preparation(event.for_date)

    def record_held(self, event: SupervisionHeld) -> None:
        pair = (self.data["supervisor"], self.data["supervisee"])
        if (event.supervisor, event.supervisee) != pair:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"the session is {self.data['supervisor']} supervising "
                                f"{self.data['supervisee']}")
        rules = self.policy.sessions
        recording = rules.recording
        self.step_to("hold", self._cite_recording() if recording else self._any_rule())
        self.data.update(held=event.on.isoformat(), minutes=event.minutes)
        # Whatever was still to do before the session can no longer be done before it.
        self.withdraw_tasks(self.tasks_where(type="workbook_summary"))
        self.close_tasks(self.tasks_where(type="reschedule_session"))
        self._check_length(event)
        if recording is None:
            return
        rule = self._cite_recording()
        supervisor = self.data["supervisor"]
        self.open_task("record", "session_record", assignee=supervisor, role="supervisor",
                       basis=recording.within.basis(event.on, self.calendar), rule=rule,
                       subject=self.subject)
        if recording.signed_by_both:
            sign_within = recording.sign_within or recording.within
            self.open_task("sign", "session_signatures", assignee=supervisor, role="supervisor",
                           basis=sign_within.basis(event.on, self.calendar), rule=rule,
                           subject=self.subject)

    def record_preparation(self, event: SessionPrepared) -> None:
        preparation = self.policy.sessions.preparation
        self.step_to("prepare", self.cite("sessions.preparation", preparation.cite)
                     if preparation else None)
        self.data["prepared"] = True
        self.close_tasks(self.tasks_where(type="workbook_summary"))

    def record_cancellation(self, event: SessionCancelled) -> None:
        cancellation = self.policy.sessions.cancellation
        rule = self.cite("sessions.cancellation", cancellation.cite) if cancellation else None
        self.step_to("cancel", rule)
        self.data["cancelled"] = {"on": event.on.isoformat(), "reason": event.reason}
        self.withdraw_tasks(self.tasks_where(type="workbook_summary"))
        if cancellation is None:
            self.note("this policy times no rescheduling: nothing is due")
            return
        if event.reason == "sickness" and cancellation.after_sickness_within is not None:
            if event.returned_on is None:
                self.data["awaiting_return"] = [self.data["supervisor"], self.data["supervisee"]]
                self.note("cancelled for sickness: the reschedule falls due from the return "
                          "to work")
                return
            self._open_reschedule(cancellation.after_sickness_within, event.returned_on,
                                  "the return to work")
            return
        # A session cancelled ahead of its date is made good within the window after that date.
        planned_for = date.fromisoformat(self.data["for_date"])
        self._open_reschedule(cancellation.reschedule_within, max(planned_for, event.on),
                              "the cancelled date")

    def record_return(self, event: ReturnedToWork | SupervisorReturned) -> None:
        person = event.person if isinstance(event, ReturnedToWork) else event.supervisor
        waiting = self.data.get("awaiting_return") or []
        if person not in waiting:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"no reschedule waits for {person}'s return")
        cancellation = self.policy.sessions.cancellation
        if cancellation is None or cancellation.after_sickness_within is None:
            raise EventRejected(str(self.ref), self.state, event.type,
                                "this policy times no reschedule from a return to work")
        self.step_to("note_return", self.cite("sessions.cancellation", cancellation.cite))
        self.data["awaiting_return"] = None
        self._open_reschedule(cancellation.after_sickness_within, event.on, "the return to work")

    def record_new_date(self, event: SessionRescheduled) -> None:
        cancellation = self.policy.sessions.cancellation
        rule = self.cite("sessions.cancellation", cancellation.cite) if cancellation else None
        self.step_to("reschedule" if self.state == "cancelled" else "move", rule)
        self.data["for_date"] = event.for_date.isoformat()
        self.data["awaiting_return"] = None
        for key in self.tasks_where(type="reschedule_session", state="open"):
            due = date.fromisoformat(self.data["tasks"][key]["due"])
            if event.for_date <= due:
                self.close_tasks([key])
            else:
                self.note(f"rescheduled for {event.for_date.isoformat()}, after the "
                          f"{due.isoformat()} the policy allows: the task stays open")
        self._open_preparation(event.for_date)

    def record_record(self, event: SessionRecorded) -> None:
        self.step_to("record_session", self._cite_recording() if self.policy.sessions.recording
                     else self._any_rule())
        self.data["recorded"] = event.on.isoformat()
        self.close_tasks(self.tasks_where(type="session_record"))

    def record_signature(self, event: SessionSigned) -> None:
        parties = [self.data["supervisor"], self.data["supervisee"]]
        if event.by not in parties:
            raise EventRejected(str(self.ref), self.state, event.type,
                                f"only {' and '.join(parties)} sign this session's record")
        recording = self.policy.sessions.recording
        rule = self._cite_recording() if recording else None
        signatures = sorted(set(self.data["signatures"]) | {event.by})
        if recording is not None and recording.signed_by_both and len(signatures) < 2:
            self.step_to("countersign", rule)
        else:
            self.step_to("sign", rule)
            self.close_tasks(self.tasks_where(type="session_signatures"))
        self.data["signatures"] = signatures

    # ----- helpers ------------------------------------------------------------------------------

    def _cite_recording(self) -> RuleRef:
        recording = self.policy.sessions.recording
        assert recording is not None
        return self.cite("sessions.recording", recording.cite)

    def _any_rule(self) -> RuleRef | None:
        rules = self.policy.sessions
        for name in ("preparation", "recording", "cancellation", "length"):
            rule = getattr(rules, name)
            if rule is not None:
                return self.cite(f"sessions.{name}", rule.cite)
        return None

    def _check_length(self, event: SupervisionHeld) -> None:
        length = self.policy.sessions.length
        if length is None or event.minutes is None or event.minutes >= length.minimum_minutes:
            return
        rule = self.cite("sessions.length", length.cite)
        self.data["short"] = {"minutes": event.minutes, "minimum": length.minimum_minutes}
        self.record(f"short session: {event.minutes} of {length.minimum_minutes} minutes", rule)
        self.note(f"the session lasted {event.minutes} minutes, under the {length.minimum_minutes} "
                  f"of {rule}: flagged, not counted as a full session")

    def _open_reschedule(self, within: Interval, start: date, counted_from: str) -> None:
        cancellation = self.policy.sessions.cancellation
        assert cancellation is not None
        basis = within.basis(start, self.calendar)
        self.data["seq"] += 1
        self.open_task(f"reschedule:{self.data['seq']}", "reschedule_session",
                       assignee=self.data["supervisor"], role="supervisor", basis=basis,
                       rule=self.cite("sessions.cancellation", cancellation.cite),
                       subject=self.subject)
        self.record(f"reschedule due {basis.result.isoformat()}, counted from {counted_from}")

    def _open_preparation(self, for_date: date) -> None:
        """The preparation task, due ``before`` the planned date; moved with the date."""
        preparation = self.policy.sessions.preparation
        if preparation is None or not self.data.get("preparation") or self.data["prepared"]:
            return
        basis = deadline(Basis(start=for_date, interval=f"{preparation.before.describe()} before",
                               result=before(preparation.before, for_date, self.calendar)),
                         self.calendar, preparation.before.non_working_day)
        due = basis.result
        if due < self.today:
            basis = Basis(start=for_date, interval=f"{preparation.before.describe()} before",
                          result=self.today)
        open_keys = self.tasks_where(type="workbook_summary", state="open")
        if open_keys:
            self.reschedule_task(open_keys[0], basis.result)
            return
        self.data["seq"] += 1
        self.open_task(f"prepare:{self.data['seq']}", "workbook_summary",
                       assignee=self.data["supervisee"], role="supervisee", basis=basis,
                       rule=self.cite("sessions.preparation", preparation.cite),
                       subject=self.subject)
        if due < self.today:
            self.note(f"planned at short notice: the preparation was due {due.isoformat()}, "
                      f"so it is due on the day it was planned")


def before(interval: Interval, day: date, calendar: WorkingCalendar) -> date:
    """The date ``interval`` before ``day``: DOMAIN.md's arithmetic counted backwards."""
    if interval.unit == "working_days":
        return calendar.working_days_after(day, -interval.amount)
    if interval.unit == "months":
        return months_after(day, -interval.amount)
    days = interval.amount * (7 if interval.unit == "weeks" else 1)
    return day - timedelta(days=days)
