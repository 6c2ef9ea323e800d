"""Writes ``compare-<authority>.yaml``: the same sample team for a year under each policy.

Run it from the repository root with ``.venv/bin/python config/scenarios/make_compare_teams.py``;
the five files are committed beside it. Simulate one with
``oversight simulate config/scenarios/compare-devon.yaml``.

The team is the same everywhere: a head of service (hos1) over a team manager (tm1) over two
qualified social workers long in post (sw1, sw2) and an ASYE (nq1) who starts on Monday
5 January 2026, the first simulated day; the last is the first anniversary, 5 January 2027.
Every session is held on its due date, as the comparison in docs/policy-comparison.md counts
them (so some fall on a weekend), with the dates computed by ``oversight.states.policy.comparison``
from the authority's own file: the simulation then shows the engine raising exactly those sessions,
none breached. The rest follows each policy: agreements signed (and reviewed) where it asks for one;
sessions planned, recorded and signed where it times their records (systemic, hull); 90-minute
sessions; ASYE reviews on their dates (the final assessment is due on the last day); and four
allocated children, discussed on their due dates where the policy has a case-type cadence (surrey,
devon: recorded at the time) or at every session where it says what each session covers (sunderland,
systemic: decisions on the record the same day). Hull times no child-specific supervision, so its
team has no children.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from oversight.adapters.policy_files import load_policy
from oversight.states.calendar import months_after
from oversight.states.policy.comparison import START, asye_dates, case_dates, role_dates
from oversight.states.policy.model import Policy

END = months_after(START, 12)
FOLDER = Path(__file__).resolve().parent
AUTHORITIES = ("surrey", "sunderland", "systemic", "devon", "hull")

STAFF = [
    # id, role, started, line manager, qualified
    ("hos1", "senior_manager", date(2012, 9, 3), None, date(2004, 7, 1)),
    ("tm1", "manager", date(2018, 4, 3), "hos1", date(2012, 7, 1)),
    ("sw1", "qualified_social_worker", date(2019, 9, 2), "tm1", date(2019, 7, 1)),
    ("sw2", "qualified_social_worker", date(2021, 1, 4), "tm1", date(2020, 7, 1)),
    ("nq1", "asye", START, "tm1", date(2025, 7, 1)),
]
SUPERVISOR = {"tm1": "hos1", "sw1": "tm1", "sw2": "tm1", "nq1": "tm1"}
CHILDREN = {
    # child: (worker, case type, risk, extra fields) per kind of policy
    "by_case_type": [("c1", "sw1", "cin", "high"), ("c2", "sw1", "cp", "standard"),
                     ("c3", "sw2", "cla", "standard"), ("c4", "sw2", "care_leaver", "standard")],
    "by_coverage": [("c1", "sw1", "cin", "standard"), ("c2", "sw1", "cp", "standard"),
                    ("c3", "sw2", "cla", "standard"), ("c4", "sw2", "cin", "standard")],
}
BORN = {"c1": date(2025, 6, 1)}
"""c1 is under two all year: sunderland §6 wants them at every session."""


def line(on: date, type_: str, **fields: object) -> tuple[date, str]:
    body = ", ".join(f"{key}: {_yaml(value)}" for key, value in fields.items())
    return on, f"  - {{on: {on.isoformat()}, type: {type_}" + (f", {body}}}" if body else "}")


def _yaml(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


def children_of(policy: Policy) -> list[tuple[str, str, str, str]]:
    rules = policy.child_supervision
    if rules is None:
        return []
    return CHILDREN["by_case_type" if rules.cases else "by_coverage"]


def sessions(policy: Policy, person: str) -> list[date]:
    role = next(s[1] for s in STAFF if s[0] == person)
    if role == "asye":
        return asye_dates(policy, START, END)
    return role_dates(policy, role, START, END) or []


def session_events(policy: Policy, person: str, children: list[tuple]) -> list[tuple[date, str]]:
    supervisor, found = SUPERVISOR[person], []
    pair = {"supervisor": supervisor, "supervisee": person}
    rules = policy.child_supervision
    coverage = rules is not None and rules.coverage is not None
    theirs = [child for child, worker, *_ in children if worker == person]
    for number, day in enumerate(sessions(policy, person), start=1):
        held: dict[str, object] = {**pair, "minutes": 90}
        if coverage and theirs:
            held["children_discussed"] = theirs
        recording = policy.sessions.recording
        if recording is not None:  # a planned session, so its record can be named
            session = f"{person}-s{number:02d}"
            found.append(line(day, "session_planned", **pair, session=session, for_date=day,
                              preparation=False))
            held["session"] = session
        found.append(line(day, "supervision_held", **held))
        if recording is not None:
            found.append(line(day, "session_recorded", session=session))
            if recording.signed_by_both:
                found += [line(day, "session_signed", session=session, by=supervisor),
                          line(day, "session_signed", session=session, by=person)]
        if coverage and rules is not None and rules.decisions_recorded is not None:
            found += [line(day, "child_supervision_recorded", child=child) for child in theirs]
    return found


def child_events(policy: Policy, children: list[tuple]) -> list[tuple[date, str]]:
    rules = policy.child_supervision
    if rules is None:
        return []
    found = []
    for child, worker, case_type, risk in children:
        extra = {"born": BORN[child]} if child in BORN else {}
        found.append(line(START, "child_allocated", child=child, worker=worker, manager="tm1",
                          case_type=case_type, risk=risk, **extra))
        if rules.new_allocation is not None:
            found.append(line(START, "allocation_discussed", child=child))
            if rules.new_allocation.manager_case_note:
                found.append(line(START, "manager_case_note_recorded", child=child))
        case = next((c for c in rules.cases if c.case_type == case_type), None)
        if case is None:
            continue  # discussed at the worker's sessions (coverage)
        interval = case.high_risk if risk == "high" and case.high_risk else case.every
        for day in case_dates(policy, case, interval, START, END):
            found.append(line(day, "child_supervision_held", child=child, worker=worker,
                              recorded=True))
    return found


def relationship_events(policy: Policy) -> list[tuple[date, str]]:
    agreement = policy.relationship.agreement
    if agreement is None:
        return []
    found = []
    for person, supervisor in SUPERVISOR.items():
        pair = {"supervisor": supervisor, "supervisee": person}
        found.append(line(START, "agreement_signed", **pair))
        if agreement.review_every is not None:
            day = agreement.review_every.after(START, policy.working_calendar())
            while day <= END:
                found.append(line(day, "agreement_reviewed", **pair))
                day = agreement.review_every.after(day, policy.working_calendar())
    return found


def review_events(policy: Policy) -> list[tuple[date, str]]:
    return [line(review.at.after(START, policy.working_calendar()), "review_held", worker="nq1",
                 review=review.review) for review in policy.asye.reviews]


def scenario(authority: str) -> str:
    policy = load_policy(authority)
    children = children_of(policy)
    events = relationship_events(policy) + review_events(policy) + child_events(policy, children)
    for person in SUPERVISOR:
        events += session_events(policy, person, children)
    # Stable: by day, then as generated (a session's plan, holding, record and signatures).
    ordered = sorted(enumerate(events), key=lambda item: (item[1][0], item[0]))
    lines = [
        f"# The sample team for a year under the {authority} policy (version {policy.version}):",
        "# written by make_compare_teams.py (read it for the story). Regenerate with",
        "# `.venv/bin/python config/scenarios/make_compare_teams.py`.",
        f"policy: {authority}", f"from: {START.isoformat()}", f"to: {END.isoformat()}", "staff:"]
    for ident, role, started, manager, qualified in STAFF:
        boss = f", manager: {manager}" if manager else ""
        lines.append(f"  - {{id: {ident}, role: {role}, started: {started.isoformat()}{boss}, "
                     f"qualified: {qualified.isoformat()}}}")
    lines.append("relationships:")
    for person, supervisor in SUPERVISOR.items():
        lines.append(f"  - {{supervisor: {supervisor}, supervisee: {person}, "
                     f"started: {START.isoformat()}}}")
    lines.append("events:")
    lines += [text for _, (_, text) in ordered]
    return "\n".join(lines) + "\n"


def main() -> None:
    for authority in AUTHORITIES:
        (FOLDER / f"compare-{authority}.yaml").write_text(scenario(authority), encoding="utf-8")


if __name__ == "__main__":
    main()
