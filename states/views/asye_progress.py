"""Where an ASYE stands on a given day: a pure function of the journey's state, data and policy.

Sessions are walked against the cadence as DOMAIN.md times it: the next session is due one
interval after the last one held, the interval of the phase in force on that day, every date
moved by the pauses that began after it was set. A due date that passes with no session held is
a **gap**; the cadence then goes on from the missed date, so three fortnights without a session
are three gaps, each with its date. A session held after a gap (late) starts the cadence again
from its own day; it is counted as held, not as meeting a due date. A date is missed the day
after it, as the task's timer breaches it.

Review points, the final assessment, pauses and the new end date, the portfolio's evidence and
the outcome come from the journey's data (see :class:`~oversight.states.machines.asye.AsyeJourney`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from oversight.states.policy.model import AsyePhase, Policy
from oversight.states.views.portfolio import EvidenceCount, evidence_counts, missing_evidence

_MAX_SLOTS = 5000
"""A journey of ten years of weekly sessions has fewer; a guard against a zero interval."""


@dataclass(frozen=True)
class Slot:
    """One due date of the cadence: met by a session on or before it, or missed (a gap)."""

    due: date
    phase: str
    """The phase whose interval set this date (the rule its task cites)."""
    held_on: date | None


@dataclass(frozen=True)
class PhaseProgress:
    phase: str
    every: str
    starts: date
    ends: date | None
    """The day the next phase starts (None for the last phase)."""
    required: int
    """Due dates of this phase so far: met plus missed."""
    held_on_time: int
    held: int
    """Sessions held on days in this phase, on time or not."""
    gaps: list[date]


@dataclass(frozen=True)
class ReviewPoint:
    review: str
    planned: date
    held_on: date | None
    status: str
    """``held``, ``held late``, ``overdue``, ``planned`` or ``withdrawn``."""


@dataclass(frozen=True)
class Pause:
    on: date
    resumed: date | None
    days: int | None


@dataclass(frozen=True)
class AsyeProgress:
    """Everything a progress page, the CLI and the API show about one ASYE."""

    worker: str
    supervisor: str | None
    authority: str
    state: str
    as_of: date
    started: date
    phase: str | None
    """The phase in force on ``as_of`` (None once the journey has ended)."""
    next_phase: str | None
    next_phase_starts: date | None
    phases: list[PhaseProgress]
    slots: list[Slot]
    sessions: list[date]
    late_sessions: list[date]
    """Sessions held after a gap."""
    next_session_due: date | None
    reviews: list[ReviewPoint]
    final: ReviewPoint
    pauses: list[Pause]
    paused_days: int
    planned_end: date
    """The final assessment as first planned (start plus the policy's interval)."""
    end: date
    """The final assessment's date now, moved by pauses or set by an extension."""
    evidence: list[EvidenceCount]
    evidence_missing: list[str]
    outcome: str | None
    outcome_on: date | None
    extensions: list[dict[str, str]] = field(default_factory=list)

    @property
    def gaps(self) -> list[Slot]:
        return [slot for slot in self.slots if slot.held_on is None]

    @property
    def required(self) -> int:
        return len(self.slots)

    @property
    def held_on_time(self) -> int:
        return sum(slot.held_on is not None for slot in self.slots)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: dates as ISO strings; the same shape for the CLI and the API."""
        data = _iso(asdict(self))
        data["evidence"] = [{**_iso(asdict(line)), "short": line.short} for line in self.evidence]
        data["gaps"] = [{"due": slot.due.isoformat(), "phase": slot.phase} for slot in self.gaps]
        data["totals"] = {"required": self.required, "held_on_time": self.held_on_time,
                          "held": len(self.sessions), "gaps": len(self.gaps)}
        return data


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def asye_progress(*, worker: str, state: str, data: dict[str, Any], policy: Policy,
                  as_of: date) -> AsyeProgress:
    """The progress of one journey (as stored) on ``as_of``."""
    asye, calendar = policy.asye, policy.working_calendar()
    started = date.fromisoformat(data["started"])
    starts = {name: date.fromisoformat(d) for name, d in data["phase_starts"].items()}
    pauses = [Pause(date.fromisoformat(p["on"]), date.fromisoformat(p["resumed"]), p["days"])
              for p in data.get("pauses", [])]
    ongoing = _day((data.get("paused") or {}).get("on"))
    if ongoing is not None:
        pauses.append(Pause(ongoing, None, None))
    outcome = data.get("outcome") or {}
    outcome_on = _day(outcome.get("on"))
    # Nothing falls due during a pause still running, nor after the journey ended.
    horizon = min(d for d in (as_of, ongoing, outcome_on) if d is not None)

    def phase_on(day: date) -> AsyePhase:
        current = asye.phases[0]
        for phase in asye.phases:
            if starts[phase.phase] <= day:
                current = phase
        return current

    def moved(due: date, anchor: date) -> date:
        """A due date set on ``anchor`` moves by each pause that began after it, on or before it,
        then off a non-working day, as the journey's tasks are."""
        for pause in pauses:
            if pause.days is not None and anchor < pause.on <= due:
                due += timedelta(days=pause.days)
        return calendar.to_working_day(due)[0]

    sessions = sorted(d for d in (_day(s) for s in data.get("sessions", [])) if d and d <= as_of)
    slots, late, next_due = _walk(started, sessions, horizon, phase_on, moved, calendar)
    live = state not in ("passed", "failed") and ongoing is None

    phases = []
    for index, phase in enumerate(asye.phases):
        following = asye.phases[index + 1] if index + 1 < len(asye.phases) else None
        in_phase = [s for s in slots if s.phase == phase.phase]
        ends = starts[following.phase] if following else None
        phases.append(PhaseProgress(
            phase=phase.phase, every=phase.every.describe(), starts=starts[phase.phase], ends=ends,
            required=len(in_phase), held_on_time=sum(s.held_on is not None for s in in_phase),
            held=sum(1 for d in sessions if phase_on(d).phase == phase.phase),
            gaps=[s.due for s in in_phase if s.held_on is None]))

    ended = state in ("passed", "failed")
    held_reviews = {name: date.fromisoformat(d) for name, d in data.get("reviews", {}).items()}
    reviews = []
    for review in asye.reviews:
        planned = _task_due(data, f"review:{review.review}") or moved(
            review.at.after(started, calendar), started)
        reviews.append(_point(review.review, planned, held_reviews.get(review.review), as_of,
                              ended))
    planned_end = asye.final.at.due(started, calendar)
    extensions = list(data.get("extensions", []))
    # The pauses go onto the counted date, not onto planned_end (already rolled): one roll.
    end = _open_final_due(data) or (date.fromisoformat(extensions[-1]["to"]) if extensions
                                    else moved(asye.final.at.after(started, calendar), started))
    if outcome:
        final = ReviewPoint(asye.final.review, end, outcome_on, outcome["outcome"])
    else:
        final = ReviewPoint(asye.final.review, end, None, "overdue" if end < as_of else "planned")

    current = None if ended else phase_on(min(as_of, ongoing or as_of)).phase
    upcoming = [(starts[p.phase], p.phase) for p in asye.phases if starts[p.phase] > as_of]
    records = data.get("evidence", [])
    return AsyeProgress(
        worker=worker, supervisor=data.get("supervisor"), authority=policy.authority, state=state,
        as_of=as_of, started=started, phase=current,
        next_phase=upcoming[0][1] if upcoming and not ended else None,
        next_phase_starts=upcoming[0][0] if upcoming and not ended else None,
        phases=phases, slots=slots, sessions=sessions, late_sessions=late,
        next_session_due=next_due if live else None, reviews=reviews, final=final, pauses=pauses,
        paused_days=int(data.get("shifted", 0)), planned_end=planned_end, end=end,
        evidence=evidence_counts(asye.evidence, records),
        evidence_missing=missing_evidence(asye.evidence, records),
        outcome=outcome.get("outcome"), outcome_on=outcome_on, extensions=extensions)


def _walk(started, sessions, horizon, phase_on, moved, calendar):
    """The cadence's due dates up to ``horizon``: met, missed, and the next one still to come."""
    slots: list[Slot] = []
    late: list[date] = []
    anchor, index, after_gap = started, 0, False
    while len(slots) < _MAX_SLOTS:
        phase = phase_on(anchor)
        due = moved(phase.every.after(anchor, calendar), anchor)
        held = sessions[index] if index < len(sessions) else None
        if held is not None and held <= due:
            index += 1
            if after_gap:
                late.append(held)  # held late: the cadence starts again from it
            else:
                slots.append(Slot(due, phase.phase, held))
            anchor, after_gap = held, False
            continue
        if due >= horizon:
            return slots, late, due
        slots.append(Slot(due, phase.phase, None))
        anchor, after_gap = due, True
    raise ValueError("the cadence produced no end of due dates: check the policy's intervals")


def _task_due(data: dict[str, Any], key: str) -> date | None:
    task = data.get("tasks", {}).get(key)
    return date.fromisoformat(task["due"]) if task else None


def _open_final_due(data: dict[str, Any]) -> date | None:
    finals = [t for t in data.get("tasks", {}).values() if t["type"] == "asye_final_assessment"]
    return date.fromisoformat(finals[-1]["due"]) if finals else None


def _point(name: str, planned: date, held_on: date | None, as_of: date, ended: bool
           ) -> ReviewPoint:
    if held_on is not None:
        status = "held" if held_on <= planned else "held late"
    elif ended:
        status = "withdrawn"
    else:
        status = "overdue" if planned < as_of else "planned"
    return ReviewPoint(name, planned, held_on, status)
