"""The role matrix: each role reads what it should, and is refused (403, naming nothing) what it
should not; every read of a child's or worker's record, allowed or refused, is logged.

The store: hos1 manages the team managers tm1 (east) and tm2 (west). tm1 supervises sw1 (who
works with child c1) and the ASYE sw2; tm2 supervises sw3 (who works with child c2).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oversight.adapters.store import tables as t
from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    api_store,
    client,
    seeded,
    server,
    token,
)

READS = {
    "sw1's relationship": "/v1/entities/relationship/tm1:sw1",
    "child c1": "/v1/entities/assessment/c1",
    "sw2's ASYE": "/v1/entities/asye/sw2",
    "sw3's relationship": "/v1/entities/relationship/tm2:sw3",
    "child c2": "/v1/entities/assessment/c2",
    "c1's history": "/v1/entities/assessment/c1/history",
    "sw3's timers": "/v1/entities/relationship/tm2:sw3/timers",
    "sw1's calendar": "/v1/people/sw1/calendar.ics",
    "sw2's calendar": "/v1/people/sw2/calendar.ics",
    "sw3's calendar": "/v1/people/sw3/calendar.ics",
}
EAST = {"sw1's relationship", "child c1", "sw2's ASYE", "c1's history", "sw1's calendar",
        "sw2's calendar"}
WEST = {"sw3's relationship", "child c2", "sw3's timers", "sw3's calendar"}

MATRIX = {
    # role, person: what it may read (everything else is refused); posts events; reads the log
    ("system", "lcs"): (set(), True, False),
    ("supervisee", "sw1"): ({"sw1's relationship", "sw1's calendar"}, False, False),
    ("supervisor", "tm1"): (EAST, False, False),
    ("manager", "tm2"): (WEST, False, False),
    ("manager", "hos1"): (EAST | WEST, False, False),
    ("workforce", "wf1"): ({"sw2's ASYE", "sw2's calendar"}, False, False),
    ("auditor", "aud1"): (EAST | WEST, False, True),
    ("admin", None): (EAST | WEST, True, True),
}
LEAKS = ("sw1", "sw2", "sw3", "tm1", "tm2", "c1", "c2", "agreement_pending", "active",
         "in_progress", "weekly", "enrolled")


def _assert_refusal_names_nothing(answer) -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert set(body) == {"type", "title", "status", "detail"}
    assert not [word for word in LEAKS if word in answer.text], answer.text


@pytest.mark.parametrize(("role", "person"), list(MATRIX), ids=[f"{r}-{p}" for r, p in MATRIX])
def test_each_role_reads_what_it_should_and_is_refused_the_rest(
        seeded: App, server, role: str, person: str | None) -> None:  # type: ignore[no-untyped-def]
    """Every read of the matrix answers 200 or a 403 that names nothing, as the role allows."""
    allowed, posts, reads_log = MATRIX[(role, person)]
    secret = token(seeded, role, person)
    wrong: list[str] = []
    with client(server, secret) as http:
        for name, path in READS.items():
            answer = http.get(path)
            if name in allowed:
                if answer.status_code != 200:
                    wrong.append(f"{name}: {answer.status_code}, expected 200")
            else:
                if answer.status_code != 403:
                    wrong.append(f"{name}: {answer.status_code}, expected 403")
                else:
                    _assert_refusal_names_nothing(answer)
        posted = http.post("/v1/events", json={
            "type": "supervision_held", "on": "2026-03-02", "supervisor": "tm2",
            "supervisee": "sw3", "event_id": f"matrix-{role}-{person}"})
        log = http.get("/v1/access-log")
    assert wrong == []
    if posts:
        assert posted.status_code == 201, posted.text
    else:
        _assert_refusal_names_nothing(posted)
    if reads_log:
        assert log.status_code == 200
    else:
        _assert_refusal_names_nothing(log)
    with seeded.engine.connect() as connection:
        logged = connection.execute(select(t.access_log.c.target, t.access_log.c.outcome,
                                           t.access_log.c.role)
                                    .order_by(t.access_log.c.id)).all()
    # One line per read of a record, allowed or refused, with the role that asked; reading
    # the access log is itself a read (it names people), logged once, refused or not.
    assert len(logged) == len(READS) + 1
    assert {line.role for line in logged} == {role}
    assert sum(line.outcome == "allowed" for line in logged) == len(allowed) + \
        (1 if reads_log else 0)
    assert (logged[-1].target, logged[-1].outcome) == (
        "access-log:all", "allowed" if reads_log else "refused")


@pytest.mark.parametrize(("role", "person", "visible"), [
    ("supervisee", "sw1", {"relationship:tm1:sw1", "assessment:c1"}),
    ("supervisor", "tm1", {"relationship:tm1:sw1", "relationship:tm1:sw2", "asye:sw2",
                           "assessment:c1"}),
    ("manager", "tm2", {"relationship:tm2:sw3", "assessment:c2"}),
    ("workforce", "wf1", {"asye:sw2"}),
])
def test_the_task_list_holds_only_the_tasks_a_role_may_read(
        seeded: App, server, role: str, person: str,
        visible: set[str]) -> None:  # type: ignore[no-untyped-def]
    """A scoped token's task list is cut to its records (a supervisee also sees the tasks
    assigned to them, such as completing their assessment of c1)."""
    with client(server, token(seeded, role, person)) as http:
        listed = http.get("/v1/tasks", params={"limit": 1000}).json()
        other_team = http.get("/v1/tasks", params={"team": "west" if person != "tm2" else "east"})
    entities = {task["entity"] for task in listed["tasks"]}
    assert entities == visible
    if role == "supervisee":
        assert {task["for"] for task in listed["tasks"]
                if task["entity"] == "assessment:c1"} == {"sw1"}
    _assert_refusal_names_nothing(other_team)


def test_a_system_token_reads_no_task_and_the_auditor_closes_none(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """Posting is not reading, and auditing is not writing."""
    task_id = "relationship:tm1:sw1:supervision:2"
    with client(server, token(seeded, "system")) as http:
        listed = http.get("/v1/tasks")
        one = http.get(f"/v1/tasks/{task_id}")
    with client(server, token(seeded, "auditor", "aud1")) as http:
        closed = http.post(f"/v1/tasks/{task_id}/close", json={"on": "2026-03-02"})
    with client(server, token(seeded, "supervisee", "sw3")) as http:
        not_theirs = http.post(f"/v1/tasks/{task_id}/close", json={"on": "2026-03-02"})
    for answer in (listed, one, closed, not_theirs):
        _assert_refusal_names_nothing(answer)
