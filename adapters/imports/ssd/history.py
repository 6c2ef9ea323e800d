"""What the rows of an SSD extract become: this product's events, each with an id made from the
SSD row it comes from, in the order they happened.

    ssd_involvements     the child's first involvement (or the first after a closure):
                         child_allocated on its start date; a later one with another worker:
                         child_reallocated; the manager is the worker's line manager
    ssd_cin_episodes     case_closed on cine_close_date (when the child is allocated then)
    ssd_cin_assessments  assessment_started on the start date (with its referral's day from
                         ssd_cin_episodes), assessment_completed on the authorisation date
    ssd_cp_plans,        the case type and plan of the allocation (cla over cp over cin), and
    ssd_cla_episodes     case_details_changed on a start or end that changes them
    ssd_cla_reviews      checked (dates, the episode known); no event: no rule times the
                         reviews themselves (sunderland §6 counts its 4 months from the day
                         the child became looked after, which the CLA episode gives)
    ssd_person           only "unborn when allocated" (an expected date of birth and no birth
                         date before the allocation); no date of birth is kept

An event's id is ``ssd:<table>:<row id>:<what>:v<digest>``: everything before ``:v`` names the
row's event (its key), the digest its content, so a row whose dates changed gives a new id for
the same key (an amendment), and the same row gives the same id (a duplicate, left alone).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from oversight.adapters.imports.ssd.checks import Checker, parse_day
from oversight.adapters.imports.ssd.tables import KEYS, Extract, Row

SHORT = {"ssd_involvements": "invo", "ssd_cin_episodes": "cine", "ssd_cin_assessments": "cina",
         "ssd_cp_plans": "cppl", "ssd_cla_episodes": "clae"}


@dataclass(frozen=True, slots=True)
class Planned:
    """One event an SSD row becomes."""

    key: str
    """``ssd:<table>:<row id>:<what>``: the same for every version of the row."""
    fields: dict[str, Any]
    """The event as ``parse_event`` reads it, without its id."""
    table: str
    row: str

    @property
    def event_id(self) -> str:
        content = json.dumps(self.fields, sort_keys=True, default=str)
        return f"{self.key}:v{hashlib.sha256(content.encode('utf-8')).hexdigest()[:10]}"

    @property
    def on(self) -> date:
        on: date = self.fields["on"]
        return on


@dataclass(frozen=True, slots=True)
class _Span:
    row: Row
    kind: str
    """``cp`` or ``cla``."""
    start: date
    end: date | None


def plan_history(extract: Extract, checker: Checker) -> list[Planned]:
    """Every event of the extract in the order to apply them: by date, then each child's own
    order (an allocation before the changes and the closure of the same day)."""
    checker.match_professionals(extract)
    _check_unique(extract, checker)
    unborn = _unborn(extract, checker)
    spans = _spans(extract, checker)
    planned: list[Planned] = []
    for child, steps in sorted(_child_steps(extract, checker).items()):
        planned += _walk(child, steps, spans.get(child, []), unborn, checker)
    planned += _assessments(extract, checker)
    _check_reviews(extract, checker)
    return [p for _, p in sorted(enumerate(planned), key=lambda item: (item[1].on, item[0]))]


def _check_unique(extract: Extract, checker: Checker) -> None:
    """A row id twice in one table would give two rows one event: a fault, on the second."""
    for table, rows in extract.items():
        seen: set[str] = set()
        for row in rows:
            if row.get(KEYS[table]) and row.id in seen:
                checker.fault(row, KEYS[table], f"the row id {row.id!r} is on an earlier row "
                                                f"of {table} too")
            seen.add(row.id)


def case_on(spans: list[_Span], day: date) -> str:
    """The case type a child's plans give on ``day``: looked after over CP over CIN."""
    open_kinds = {s.kind for s in spans if s.start <= day and (s.end is None or day < s.end)}
    return "cla" if "cla" in open_kinds else "cp" if "cp" in open_kinds else "cin"


def _unborn(extract: Extract, checker: Checker) -> dict[str, date | None]:
    """Children with an expected date of birth → their birth date, if any: held in memory only,
    to know whether they were born by their allocation (the dates are never stored)."""
    found: dict[str, date | None] = {}
    for row in extract["ssd_person"]:
        person = checker.ident(row, "pers_person_id")
        expected = row.get("pers_expected_dob")
        if person is None or not expected:
            continue
        try:
            parse_day(expected)  # a due date may be after today: never an event's date
        except ValueError as error:
            checker.fault(row, "pers_expected_dob", str(error))
            continue
        found[person] = checker.day(row, "pers_dob", optional=True)
    return found


def _spans(extract: Extract, checker: Checker) -> dict[str, list[_Span]]:
    spans: dict[str, list[_Span]] = defaultdict(list)
    for table, kind, person, start, end in (
            ("ssd_cp_plans", "cp", "cppl_person_id", "cppl_cp_plan_start_date",
             "cppl_cp_plan_end_date"),
            ("ssd_cla_episodes", "cla", "clae_person_id", "clae_cla_episode_start_date",
             "clae_cla_episode_ceased")):
        for row in extract[table]:
            checker.ident(row, KEYS[table])
            child = checker.ident(row, person)
            began, ended = checker.span(row, start, end)
            if table == "ssd_cla_episodes":
                checker.code(row, "clae_cla_episode_start_reason")
            if child is not None and began is not None:
                spans[child].append(_Span(row, kind, began, ended))
    return spans


def _child_steps(extract: Extract, checker: Checker) -> dict[str, list[tuple[date, int, Row, str]]]:
    """Each child's involvements (by start) and closures (by close date)."""
    steps: dict[str, list[tuple[date, int, Row, str]]] = defaultdict(list)
    for row in extract["ssd_involvements"]:
        checker.ident(row, "invo_involvements_id")
        child = checker.ident(row, "invo_person_id")
        began, _ = checker.span(row, "invo_involvement_start_date", "invo_involvement_end_date")
        checker.code(row, "invo_worker_change_reason")
        if not row.get("invo_professional_id"):
            continue  # a team's involvement: no allocated worker
        worker = checker.worker(row, "invo_professional_id")
        if child is not None and began is not None and worker is not None:
            steps[child].append((began, 0, row, worker))
    for row in extract["ssd_cin_episodes"]:
        checker.ident(row, "cine_referral_id")
        child = checker.ident(row, "cine_person_id")
        _, closed = checker.span(row, "cine_referral_date", "cine_close_date")
        checker.code(row, "cine_close_reason")
        if child is not None and closed is not None:
            steps[child].append((closed, 2, row, ""))
    return steps


def _walk(child: str, steps: list[tuple[date, int, Row, str]], spans: list[_Span],
          unborn: dict[str, date | None], checker: Checker) -> list[Planned]:
    planned: list[Planned] = []
    changes = sorted({(day, 1) for s in spans for day in (s.start, s.end) if day is not None})
    timeline = sorted([*steps, *((day, rank, None, "") for day, rank in changes)],
                      key=lambda step: (step[0], step[1], step[2].id if step[2] else ""))
    worker: str | None = None
    case = "cin"
    for day, rank, row, staff_id in timeline:
        if rank == 0 and row is not None:
            manager = checker.manager(row, "invo_professional_id", staff_id)
            if manager is None:
                continue
            what = "allocated" if worker is None else "reallocated"
            if worker is None:
                case = case_on(spans, day)
                fields: dict[str, Any] = {"type": "child_allocated", "on": day, "child": child,
                                          "worker": staff_id, "manager": manager,
                                          "case_type": case, "plan": case}
                born = unborn.get(child, day)
                if child in unborn and (born is None or born > day):
                    fields["unborn"] = True
            elif staff_id != worker:
                fields = {"type": "child_reallocated", "on": day, "child": child,
                          "worker": staff_id, "manager": manager}
            else:
                continue  # the same worker again: nothing changed
            worker = staff_id
            planned.append(_planned(row, what, fields))
        elif rank == 1 and worker is not None and case_on(spans, day) != case:
            case = case_on(spans, day)
            cause = min((s for s in spans if day in (s.start, s.end)),
                        key=lambda s: (s.row.table, s.row.id))
            what = "start" if cause.start == day else "end"
            planned.append(_planned(cause.row, what, {
                "type": "case_details_changed", "on": day, "child": child, "case_type": case,
                "plan": case}))
        elif rank == 2 and row is not None and worker is not None:
            planned.append(_planned(row, "closed", {"type": "case_closed", "on": day,
                                                    "child": child}))
            worker = None
    return planned


def _referrals(extract: Extract) -> dict[str, date]:
    """Each referral's day by its id (a bad date is the episode's fault, reported by
    :func:`_child_steps`; here it is only left out)."""
    days: dict[str, date] = {}
    for row in extract["ssd_cin_episodes"]:
        try:
            days[row.id] = date.fromisoformat(str(row.get("cine_referral_date") or ""))
        except ValueError:
            continue
    return days


def _assessments(extract: Extract, checker: Checker) -> list[Planned]:
    planned: list[Planned] = []
    referred = _referrals(extract)
    for row in extract["ssd_cin_assessments"]:
        checker.ident(row, "cina_assessment_id")
        child = checker.ident(row, "cina_person_id")
        began, authorised = checker.span(row, "cina_assessment_start_date",
                                         "cina_assessment_auth_date")
        worker = checker.worker(row, "cina_assessment_worker_id")
        manager = checker.manager(row, "cina_assessment_worker_id", worker) if worker else None
        if child is None or began is None or worker is None or manager is None:
            continue
        started: dict[str, Any] = {"type": "assessment_started", "on": began, "child": child,
                                   "worker": worker, "manager": manager}
        # Working Together counts the 45 working days from the referral: the start event
        # carries its day (a policy counting from the start ignores it).
        referral = referred.get(str(row.get("cina_referral_id") or ""))
        if referral is not None and referral > began:
            checker.fault(row, "cina_referral_id", f"its referral ({referral.isoformat()}) is "
                                                   f"after the assessment started "
                                                   f"({began.isoformat()})")
            continue
        if referral is not None:
            started["referred_on"] = referral
        planned.append(_planned(row, "started", started))
        if authorised is not None:
            planned.append(_planned(row, "completed", {"type": "assessment_completed",
                                                       "on": authorised, "child": child}))
    return planned


def _check_reviews(extract: Extract, checker: Checker) -> None:
    episodes = {row.id for row in extract["ssd_cla_episodes"]}
    for row in extract["ssd_cla_reviews"]:
        checker.ident(row, "clar_cla_review_id")
        episode = checker.ident(row, "clar_cla_episode_id")
        checker.day(row, "clar_cla_review_date", optional=True)
        if episode is not None and episode not in episodes:
            checker.fault(row, "clar_cla_episode_id", f"unknown episode {episode!r}: not in "
                                                      f"ssd_cla_episodes")


def _planned(row: Row, what: str, fields: dict[str, Any]) -> Planned:
    return Planned(f"ssd:{SHORT[row.table]}:{row.id}:{what}", fields, row.table, row.id)


__all__ = ["Planned", "case_on", "plan_history"]
